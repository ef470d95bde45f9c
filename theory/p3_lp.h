#pragma once
/// \file p3_lp.h
/// P3 (Lin, Ding, Han, Zhang, arXiv 2602.02987, papers.md section 3): the steady-state fluid LP
/// of the n-GPU gate-and-route model, per GPU. LP (40) charges w_i = c_p P_i + c_d D_i on a
/// completed decode (bundled); LP (42) charges c_p per prefilled token and c_d per decoded
/// token (separate). Service rates are Eq. 4: mu_p = C / (P tau), mu_m = 1 / (D tau),
/// mu_s = gamma / D, with tau = alpha + beta C (Eq. 3). Solved with GLPK (glpk_lp.h); an
/// infeasible LP (theta_i = 0 with more load than capacity) is a status, not an error.
#include <cstdint>
#include <string>
#include <vector>

#include "theory/glpk_lp.h"

namespace kvcheck::theory {

struct P3Class {
  std::string name;
  double prompt = 0.0;   ///< P_i, tokens
  double output = 0.0;   ///< D_i, tokens
  double rate = 0.0;     ///< lambda_i, arrivals per GPU per second
  double abandon = 0.0;  ///< theta_i, abandonments per waiting job per second
};

struct P3Instance {
  std::int64_t B = 1;    ///< decode streams per GPU (B - 1 on a mixed GPU)
  double C = 1.0;        ///< prefill chunk, tokens per mixed iteration
  double alpha = 0.0, beta = 0.0;  ///< tau = alpha + beta C, seconds per mixed iteration
  double gamma = 1.0;    ///< solo decode speed, tokens per second per stream
  double c_p = 0.0, c_d = 0.0;     ///< prices per prompt / output token
  std::vector<P3Class> classes;
};

/// The paper's section 6.2 convergence instance (papers.md 3.7; configs/p3_sec62.toml): Qwen-8B's
/// calibration, B = 16, C = 256, classes (300, 1000) and (3000, 400) at 0.5 per GPU per second,
/// patience rate 0.1, prices c_p = 0.1, c_d = 0.2. One definition for the tests and the bench.
P3Instance p3_section62_instance();

enum class P3Charging { Bundled, Separate };
const char* to_string(P3Charging c);

/// Eq. 3 and Eq. 4.
struct P3Rates {
  double tau = 0.0;
  std::vector<double> mu_p, mu_m, mu_s;
};
P3Rates p3_service_rates(const P3Instance& inst);

/// w_i = c_p P_i + c_d D_i (bundled charging's reward per completed request).
double p3_weight(const P3Instance& inst, std::size_t i);

/// One class's part of an LP optimum (per GPU: fractions of GPU time and slot occupancies).
struct P3ClassPlan {
  double x = 0.0;    ///< prefill occupancy (fraction of a GPU's prefill slot)
  double y_m = 0.0;  ///< decodes in mixed slots
  double y_s = 0.0;  ///< decodes in solo slots
  double q_p = 0.0;  ///< prefill queue mass
  double q_d = 0.0;  ///< decode buffer mass
  double throughput = 0.0;  ///< decode completions per GPU per second, mu_m y_m + mu_s y_s
};

struct P3LpResult {
  P3Charging charging = P3Charging::Bundled;
  LpStatus status = LpStatus::SolverError;
  std::string message;        ///< why, when not optimal
  double objective = 0.0;     ///< R* (revenue per GPU per second), when optimal
  double sum_x = 0.0;         ///< sum_i x*_i
  std::vector<P3ClassPlan> classes;
  bool optimal() const { return status == LpStatus::Optimal; }
};

/// LP (40) (bundled) or LP (42) (separate). A class with theta_i = 0 has no queue mass
/// (q_p = q_d = 0): its arrivals must all be served.
P3LpResult solve_p3_lp(const P3Instance& inst, P3Charging charging);

/// Static planning's number of mixed GPUs, M = ceil(n sum_i x*_i), in [0, n]. A product within
/// 1e-9 (relative) of an integer counts as that integer.
std::int64_t p3_mixed_gpus(double sum_x, std::int64_t n);

/// Proposition 3.2: gamma tau >= (B - 1) / B ("solo decode more efficient"): then LP (40) has
/// an optimum with no decode buffer.
struct P3Prop32 {
  double gamma_tau = 0.0, bound = 0.0;
  bool holds = false;
};
P3Prop32 p3_prop32(const P3Instance& inst);

}  // namespace kvcheck::theory
