#pragma once
/// \file p1_alg1.h
/// Dong & Cao (P1) Theorem 3.3, the sufficient conditions for Algorithm 1 (per-class activation
/// budgets b_k, known output lengths): inequality (2) sum_k b_k w_k < M, and b_k > lambda_k for
/// every class. sum_k b_k w_k is also Algorithm 1's bound on its KV occupancy at all times.
#include <cstdint>
#include <span>
#include <vector>

#include "models/params.h"

namespace kvcheck::theory {

/// The numbers of Theorem 3.3 for one configuration of Algorithm 1.
struct P1Alg1 {
  std::int64_t memory_bound = 0;  ///< sum_k b_k w_k: the most KV Algorithm 1 ever holds
  std::int64_t capacity = 0;      ///< M
  bool memory_strict = false;     ///< inequality (2) as the theorem states it: bound < M
  bool memory_weak = false;       ///< bound <= M (Algorithm 1 never overflows)
  /// Per class, b_k > lambda_k (the budget drains the class's arrivals).
  std::vector<bool> budget_exceeds_rate;
  bool budgets_exceed_rates = false;  ///< all of budget_exceeds_rate
  /// min_k (b_k - lambda_k): the smallest per-class slack (negative when some class is short).
  double min_budget_slack = 0.0;
  bool holds = false;             ///< memory_strict && budgets_exceed_rates
};

/// Evaluates Theorem 3.3 for `classes` (prompt, output, rate per slot, budget b_k) and a pool of
/// `capacity` entries; w_k uses `lookahead` as in p1_work (Algorithm 1's invariant is stated
/// with the paper's accounting, lookahead = 1).
/// Example (papers.md 1.5): b = (4,4,4) on the section 4.1 classes gives memory_bound = 16240
/// < 16492; with lambda = 5 per class budgets_exceed_rates is false.
P1Alg1 p1_alg1(std::span<const ClassSpec> classes, std::int64_t capacity,
               std::int64_t lookahead = 1);

}  // namespace kvcheck::theory
