#include "theory/report.h"

#include <cmath>

namespace kvcheck::theory {

const char* to_string(ConditionRole role) {
  return role == ConditionRole::Necessary ? "necessary" : "sufficient";
}

namespace {

/// A numeric condition with an inf or nan side: no comparison holds (theory/tolerance.h), and
/// the failure is no evidence either (an overflowed load, the capacity of an instantaneous
/// machine), so it is undecided rather than violated.
bool undecided(const Condition& c) {
  return c.numeric && !c.holds && !(std::isfinite(c.lhs) && std::isfinite(c.rhs));
}

}  // namespace

Verdict report_verdict(const AnalysisReport& r) {
  std::string necessary, sufficient, non_finite;
  for (const auto& a : r.analyses) {
    if (!a.applicable) continue;
    for (const auto& c : a.conditions) {
      if (c.holds) continue;
      auto& list = undecided(c)                         ? non_finite
                   : c.role == ConditionRole::Necessary ? necessary
                                                        : sufficient;
      list += (list.empty() ? "" : "; ") + c.source + ": " + c.statement;
    }
  }
  if (!necessary.empty())
    return Verdict::violated(0, PropertyKind::Liveness, "necessary condition fails: " + necessary);
  if (!non_finite.empty())
    return Verdict::unknown("undecided, a side is not finite: " + non_finite);
  if (!sufficient.empty())
    return Verdict::unknown("only sufficient conditions fail: " + sufficient);
  return Verdict::proved("every applicable condition holds");
}

const char* outcome_word(const Verdict& v) {
  switch (to_exit_code(v)) {
    case ExitCode::Ok: return "ok";
    case ExitCode::Inconclusive: return "inconclusive";
    default: return "unstable";
  }
}

bool has_sufficient_condition(const AnalysisReport& r) {
  for (const auto& a : r.analyses)
    if (a.applicable)
      for (const auto& c : a.conditions)
        if (c.role == ConditionRole::Sufficient) return true;
  return false;
}

}  // namespace kvcheck::theory
