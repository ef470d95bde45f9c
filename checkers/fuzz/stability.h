#pragma once
/// \file stability.h
/// Queue stability over a long horizon, judged against the capacity the papers give.
///
/// Offered load rho = max(rho_memory, rho_tokens), both necessary conditions for any scheduler:
///  - memory (Dong & Cao Prop. 3.2; Ao et al.'s M* <= C): sum_k lambda_k w_k / M, where
///    w = o (p + L) + o (o - 1) / 2 is the KV token-steps a request holds when served without
///    preemption in kvcheck's engine (L = engine.lookahead; equals P1's w for L = 1 and P2's S_j
///    for L = 0; block rounding is ignored, exact for block_size 1);
///  - tokens (Li, Dai, Peng Theorem 2 with unit step time): sum_k lambda_k (p + o - 1) / b_max,
///    b_max = engine.max_batched_tokens (absent when unlimited).
/// The run: the config's own generated workload (deterministic, poisson or class_mix), extended
/// to `horizon` steps; requests in system (waiting + running) are fitted against the step by
/// least squares over the second half (the first half is warm-up). Slope > epsilon is drift:
/// expected (and reported as such, not as a bug) when rho > 1; a violation when rho <= 1,
/// i.e. at a load the theory says can be carried (P2 Example 2: p2_fcfs at lambda = 4, C = 12).
#include <cstdint>
#include <string>

#include "checkers/fuzz/fuzz_model.h"
#include "io/config.h"

namespace kvcheck::fuzz {

/// One arrival stream: per-step rate and request shape.
struct Stream {
  double rate = 0.0;
  std::int64_t prompt = 1, output = 1;
};

struct LoadEstimate {
  double memory = 0.0;  ///< rho_memory
  double tokens = 0.0;  ///< rho_tokens (0 when the token budget is unlimited)
  double rho() const { return memory > tokens ? memory : tokens; }
  /// "memory" or "tokens": the binding condition.
  std::string binding() const { return memory >= tokens ? "memory" : "tokens"; }
};

/// KV token-steps of a request served without preemption: o (p + L) + o (o - 1) / 2.
double kv_token_steps(const EngineParams& e, std::int64_t prompt, std::int64_t output);
/// Offered load of `streams` relative to the engine's capacity.
LoadEstimate offered_load(const ModelParams& p, const std::vector<Stream>& streams);

enum class Drift {
  Stable,            ///< slope <= epsilon
  ExpectedOverload,  ///< slope > epsilon at rho > 1: no scheduler can carry it
  Unstable,          ///< slope > epsilon at rho <= 1: a load the theory carries drifts
  NotApplicable,     ///< explicit or trace workload, or disabled in [fuzz.stability]
};

struct StabilityReport {
  Drift drift = Drift::NotApplicable;
  double rate = 0.0;         ///< arrivals per step
  LoadEstimate load;
  double slope = 0.0;        ///< requests in system per step (second half)
  double epsilon = 0.0;
  double throughput = 0.0;   ///< completions per step (second half)
  std::int64_t horizon = 0;
  std::int64_t final_in_system = 0;
};

/// The arrival streams of the config's workload (empty for explicit/trace workloads).
std::vector<Stream> config_streams(const Config& c);

/// Runs the stability experiment for `c` under `m`'s [fuzz.stability] settings.
StabilityReport check_stability(const Config& c, const FuzzModel& m);

/// Least-squares slope of y against x (0 for fewer than two points).
double ls_slope(const std::vector<double>& x, const std::vector<double>& y);

std::string to_string(Drift d);

}  // namespace kvcheck::fuzz
