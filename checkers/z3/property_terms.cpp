#include "checkers/z3/property_terms.h"

namespace kvcheck {

SymBool any_false(const std::vector<SymBool>& props) {
  SymBool bad = Symbolic::truth(false);
  for (const auto& p : props) bad = bad || !p;
  return bad;
}

SymBool all_true(const std::vector<SymBool>& props) {
  SymBool ok = Symbolic::truth(true);
  for (const auto& p : props) ok = ok && p;
  return ok;
}

}  // namespace kvcheck
