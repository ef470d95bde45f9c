#pragma once
/// \file p4_capacity.h
/// Li, Dai, Peng (P4, papers.md 4.1-4.2): the token capacity of an engine whose batch of b
/// tokens takes t_b = c + a * ceil(b / b0) and carries at most b_max tokens, and Theorem 2's
/// load condition lambda (m_p + m_d) < b_max / t(b_max).
///
/// Mapping from kvcheck: a request's prefill tokens are its `prompt`; its `output` counts the
/// token the prefill samples, so its decode tokens (one batch token each) are output - 1.
/// Rates are per unit time of the time model; the capacity is in tokens per that unit.
#include <cstdint>
#include <span>

#include "models/params.h"

namespace kvcheck::theory {

/// t_b = c + a * ceil(b / b0) for a batch of b >= 1 tokens.
/// Example: p4_batch_time(11.28, 35.47, 128, 512) == 153.16 (ms).
double p4_batch_time(double c, double a, std::int64_t b0, std::int64_t b);

/// The most tokens per unit time any scheduler can serve: max over b <= b_max of b / t_b,
/// which is b_max / t(b_max) when b0 divides b_max (Theorem 2(a); the maximum is attained at
/// b_max or at the largest multiple of b0 below it).
/// Example (papers.md 4.1): p4_capacity(11.28, 35.47, 128, 512) = 3.343 tokens/ms.
double p4_capacity(double c, double a, std::int64_t b0, std::int64_t b_max);

/// The offered token load of a class mix.
struct P4Load {
  double lambda = 0.0;  ///< total request rate sum_k lambda_k
  double m_p = 0.0;     ///< rate-weighted mean prefill tokens per request
  double m_d = 0.0;     ///< rate-weighted mean decode tokens per request (output - 1)
  double tokens = 0.0;  ///< lambda (m_p + m_d): tokens per unit time
};

/// The load of `classes` (prompt, output, rate).
P4Load p4_load(std::span<const ClassSpec> classes);

/// Theorem 2(a): load above capacity is unstable under every policy; this is load <= capacity
/// (up to theory::kRelTol).
bool p4_necessary(const P4Load& load, double capacity);

/// Theorem 2(b)'s load condition: load strictly below capacity (the theorem then gives
/// stability for every work-conserving policy).
bool p4_below_capacity(const P4Load& load, double capacity);

/// The request rate at which the mix's load meets the capacity: capacity / (m_p + m_d).
/// Example (papers.md 4.5): (v_p, v_d) = (100, 100), b_max = 512: 3.343 / 200 = 0.016715 req/ms.
double p4_max_rate(double tokens_per_request, double capacity);

}  // namespace kvcheck::theory
