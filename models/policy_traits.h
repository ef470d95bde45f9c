#pragma once
/// \file policy_traits.h
/// What the layers around a policy need to know about it, stated once beside its step template
/// (`inline constexpr PolicyTraits <name>_traits` in its header) and read through the registry
/// (models/policies/registry.h, policy_traits(kind) in models/params.h).
#include <string_view>

namespace kvcheck {

struct PolicyTraits {
  std::string_view source;   ///< where the rule comes from (paper and section, or engine source)
  std::string_view summary;  ///< one line for the docs' policy table
  /// Reads `[[classes]]` (budgets, thresholds): a config or trace without classes is an error.
  bool needs_classes = false;
  /// sim's event-skipping loop may jump over steady iterations (sim/steady_skip.h): a steady
  /// iteration is followed by the same plan until an event. The argument is written beside
  /// each policy's traits; false is always safe (the loop then steps one iteration at a time).
  bool steady_skip = false;
  /// Orders requests by arrival (PolicyView::arrival_rank): the explorer then keeps the
  /// residents' arrival order in its state (checkers/explicit/successors.cpp); false: it does not.
  bool orders_by_arrival = false;
};

}  // namespace kvcheck
