#pragma once
/// \file p2_wait.h
/// Ao et al. (P2, papers.md 2.4) Eq. 11: the threshold conditions under which WAIT
/// (Algorithm 1, per-type thresholds n_j, known output lengths) meets Theorem 4's guarantees.
/// Types with lambda_j = 0 are dropped, as in the paper. Same class mapping as p2_fluid.h.
#include <span>

#include "models/params.h"

namespace kvcheck::theory {

/// The numbers of Eq. 11 for one threshold vector (ClassSpec::threshold).
struct P2Wait {
  double m_pi = 0.0;       ///< M^pi = sum_j n_j S_j: memory of a full threshold batch
  double dt = 0.0;         ///< Delta T(n) = d0 + d1 M^pi: time of a full threshold batch
  /// min_j n_j / lambda_j over types with lambda_j > 0 (+inf if none): the tightest arrival
  /// window; Eq. 11's first line is dt <= min_window.
  double min_window = 0.0;
  bool window_ok = false;  ///< dt <= n_j / lambda_j for all j (Eq. 11, first line)
  bool window_strict = false;  ///< dt < n_j / lambda_j for all j (Theorem 4's O(1) latency case)
  bool memory_ok = false;  ///< M^pi <= C (no eviction: every full batch uses M^pi)
  bool holds = false;      ///< window_ok && memory_ok (M* <= M^pi then follows)
};

/// Evaluates Eq. 11 for `classes` (prompt, output, rate, threshold), d0, d1 and capacity C.
/// Example (P2 Example 2 with threshold 4): M^pi = 12, Delta T = 1 = 4/4, so Eq. 11 holds with
/// equality (window_ok, not window_strict).
P2Wait p2_wait(std::span<const ClassSpec> classes, double d0, double d1, double capacity);

}  // namespace kvcheck::theory
