#pragma once
/// \file p1_necessary.h
/// Dong & Cao (P1) Proposition 3.2, the necessary stability condition for ANY scheduler in the
/// slotted model: the mean KV occupancy sum_k lambda_k w_k (Little's law) must fit in M.
#include <cstdint>
#include <span>
#include <vector>

#include "models/params.h"

namespace kvcheck::theory {

/// The numbers of Proposition 3.2 for one class mix.
struct P1Necessary {
  std::vector<std::int64_t> work;  ///< w_k per class (p1_work with the given lookahead)
  std::int64_t total_work = 0;     ///< sum_k w_k
  double load = 0.0;               ///< sum_k lambda_k w_k: mean KV occupancy, entries
  double capacity = 0.0;           ///< M, entries
  /// M / sum_k w_k: the largest common per-class rate that satisfies the condition.
  double lambda_star = 0.0;
  /// M / load: the factor by which every rate may be scaled and still satisfy it (inf at 0 load).
  double rate_scale_limit = 0.0;
  bool holds = false;              ///< load <= M (up to theory::kRelTol)
};

/// Evaluates Proposition 3.2 for `classes` (prompt, output, rate per slot) and a pool of
/// `capacity` KV entries. `lookahead` is the engine's accounting (1 = the paper's l + g + 1).
/// Example (papers.md 1.5): classes (10,20), (10,40), (10,60), M = 16492: w = (410, 1220, 2430),
/// lambda_star = 4.0621; at lambda = 5 per class, load = 20300 > M, so `holds` is false.
P1Necessary p1_necessary(std::span<const ClassSpec> classes, std::int64_t capacity,
                         std::int64_t lookahead = 1);

}  // namespace kvcheck::theory
