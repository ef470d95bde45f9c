#pragma once
/// \file property_terms.h
/// Property terms combined into one query: "some property is false" (what BMC, k-induction and
/// the allocation invariant ask the solver) and "all hold" (what they assume afterwards).
#include <vector>

#include "checkers/z3/symbolic_domain.h"

namespace kvcheck {

/// Some of `props` is false / all of them are true (constant-folded; empty: false / true).
SymBool any_false(const std::vector<SymBool>& props);
SymBool all_true(const std::vector<SymBool>& props);

}  // namespace kvcheck
