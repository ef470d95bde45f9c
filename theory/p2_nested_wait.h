#pragma once
/// \file p2_nested_wait.h
/// Ao et al. (P2, papers.md 2.5) Eqs. 12-14: the conditions under which Nested WAIT
/// (Algorithm 3, unknown output lengths; models/policies/p2_nested_wait.h) meets Theorem 7's
/// guarantees: the drift conditions (12), the base memory M^pi (13) and the memory M_req that
/// makes an overflow-induced eviction on the horizon have probability <= delta (14).
///
/// Segments are the classes in increasing output order (the config reader enforces it), with
/// P2's l'_k = output_k - 1 and thresholds n_k. The paper assumes one prefill length l; with
/// several, segment k uses the largest prompt of the classes that reach it (j >= k), App. A's
/// per-segment upper envelope. Rates are per unit time of the time model (as p2_fluid.h).
#include <cstdint>
#include <span>
#include <vector>

#include "models/params.h"

namespace kvcheck::theory {

/// theta > 0 with e^{-theta n} (1 - p + p e^theta)^{n_prev} = 1: the Cramer-Lundberg root of
/// X = Binomial(n_prev, p) - n (Eq. 14), by bisection on n_prev ln(1 - p + p e^theta) - theta n.
/// It exists when p n_prev < n < n_prev (Eq. 12); +inf when p = 0 (no survivor ever), 0 when
/// the drift p n_prev - n is not negative (no root; Eq. 14's buffer is then unbounded).
/// Example: n_prev = 2, n = 1, p = 1/4 gives ln 9 (e^{theta/2} = 3 solves x^2 - 4x + 3 = 0).
double cramer_lundberg_root(std::int64_t n_prev, std::int64_t n, double p);

/// Eq. 21's lower bound on that root (Hoeffding): theta >= 8 (n - n_prev p) / n_prev.
double cramer_lundberg_lower_bound(std::int64_t n_prev, std::int64_t n, double p);

/// One segment's numbers (k is 0-based here; the paper's k is k + 1).
struct NestedSegment {
  double l = 0.0;          ///< prefill length (the largest prompt of the classes reaching it)
  std::int64_t first = 0;  ///< first stage processed in the segment: 0, else l'_{k-1} + 1
  std::int64_t last = 0;   ///< l'_k
  std::int64_t n = 0;      ///< threshold n_k
  double delta = 0.0;      ///< delta_k: l'_1 + 1, else l'_k - l'_{k-1} (Eq. 13)
  double s_bar = 0.0;      ///< s_bar_k: l'_1 / 2, else (l'_{k-1} + 1 + l'_k) / 2 (Eq. 13)
  double p = 0.0;          ///< p_k = sum_{j>=k} lambda_j / sum_{j>=k-1} lambda_j (k >= 2)
  double theta = 0.0;      ///< the Cramer-Lundberg root theta_k (k >= 2)
  double theta_lower = 0.0;   ///< Eq. 21's bound on it
  double buffer = 0.0;     ///< (l + l'_{k-1}) (n_k + ln(m (1 + zeta T / d0) / delta) / theta_k)
};

struct P2NestedWait {
  std::vector<NestedSegment> segments;
  double m_pi = 0.0;         ///< M^pi = sum_k n_k (l + s_bar_k) delta_k (Eq. 13)
  double dt = 0.0;           ///< Delta T_[1..m] = d0 + d1 M^pi: a full batch's time
  double entry_window = 0.0; ///< n_1 / sum_j lambda_j (+inf with no arrivals)
  bool window_ok = false;    ///< Eq. 12, first line: dt < n_1 / sum_j lambda_j (strict)
  bool thresholds_ok = false;  ///< Eq. 12, second line: p_k < n_k / n_{k-1} < 1, k >= 2
  double log_term = 0.0;     ///< ln(m (1 + zeta T / d0) / delta)
  double m_req = 0.0;        ///< M_req = M^pi + sum_{k>=2} buffer_k (Eq. 14)
  bool base_ok = false;      ///< M^pi <= C (below it a full batch overflows)
  bool memory_ok = false;    ///< M_req <= C (Eq. 14)
};

/// Eqs. 12-14 for `classes` (prompt, output, rate, threshold, in increasing output order),
/// d0, d1, capacity C, the horizon as zeta T / d0 (iterations of length d0) and delta.
/// Example (configs/p2_nested_wait_safe.toml): l = 2, outputs (2, 4), n = (2, 1): M^pi =
/// 2 (2 + 1/2) 2 + 1 (2 + 5/2) 2 = 19.
P2NestedWait p2_nested_wait(std::span<const ClassSpec> classes, double d0, double d1,
                            double capacity, double horizon_over_d0, double delta);

}  // namespace kvcheck::theory
