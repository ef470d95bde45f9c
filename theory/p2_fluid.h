#pragma once
/// \file p2_fluid.h
/// Ao et al. (P2, papers.md 2.2): the fluid equilibrium under the time model
/// tau = d0 + d1 * (KV tokens of the batch), and its stability region for a KV capacity C.
///
/// Mapping from kvcheck: a class's `prompt` is P2's l; its `output` counts the token the
/// prefill samples, so P2's number of decode iterations is l' = output - 1 (configs/
/// p2_example2.toml: output = 2 is P2's l' = 1). Rates are per unit time of the time model.
#include <cstdint>
#include <span>
#include <vector>

#include "models/params.h"

namespace kvcheck::theory {

/// S_j = sum_{s=0}^{l'} (l + s) = (l' + 1)(l + l'/2): KV-token x iterations one prompt needs.
/// Example: p2_work(1, 1) == 3 (P2 Example 2).
constexpr double p2_work(std::int64_t l, std::int64_t l_prime) {
  return static_cast<double>(l_prime + 1) *
         (static_cast<double>(l) + static_cast<double>(l_prime) / 2.0);
}

/// The fluid equilibrium (Eqs. 7-10). When d1*A >= 1 there is none: m_star, dt_star and
/// n_star are +infinity (Prop 1: latency grows linearly under every policy).
struct P2Fluid {
  double a = 0.0;             ///< A = sum_j lambda_j S_j
  double d1a = 0.0;           ///< d1 * A; the equilibrium exists iff d1 A < 1
  bool drift_ok = false;      ///< d1 A < 1
  double m_star = 0.0;        ///< M* = d0 A / (1 - d1 A): fluid KV requirement (tokens)
  double dt_star = 0.0;       ///< Delta T* = d0 / (1 - d1 A): equilibrium iteration time
  std::vector<double> n_star; ///< n*_j = lambda_j Delta T*: prompts per stage of type j
  double throughput = 0.0;    ///< sum_j lambda_j l'_j: decode tokens per unit time (Prop 2 bound)
};

/// Evaluates the fluid model for `classes` (prompt, output, rate) and time parameters d0, d1.
/// Example (P2 Example 2): one class (1, 2) at rate 4, d1 = 0.04, d0 = 0.52: A = 12,
/// M* = 12, Delta T* = 1, n* = 4, throughput 4.
P2Fluid p2_fluid(std::span<const ClassSpec> classes, double d0, double d1);

/// The fluid stability region for capacity C: d1 A < 1 and M* <= C (up to theory::kRelTol).
bool p2_in_region(const P2Fluid& f, double capacity);

/// The largest factor theta such that the scaled rates theta * lambda stay in the region of
/// capacity C: M*(theta) = C at theta = C / (A (d0 + d1 C)). +infinity when A = 0.
/// Table 2 of P2 is M*(lambda) for a fixed mix; its crossing at lambda ~ 74.1 is this scale.
double p2_rate_scale_limit(const P2Fluid& f, double d0, double d1, double capacity);

}  // namespace kvcheck::theory
