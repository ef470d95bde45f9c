#include "theory/p4_capacity.h"

#include <algorithm>
#include <limits>

#include "theory/tolerance.h"

namespace kvcheck::theory {

double p4_batch_time(double c, double a, std::int64_t b0, std::int64_t b) {
  return c + a * static_cast<double>((b + b0 - 1) / b0);
}

double p4_capacity(double c, double a, std::int64_t b0, std::int64_t b_max) {
  double best = static_cast<double>(b_max) / p4_batch_time(c, a, b0, b_max);
  const std::int64_t full = (b_max / b0) * b0;  // within a step of t, b/t grows with b
  if (full > 0 && full != b_max)
    best = std::max(best, static_cast<double>(full) / p4_batch_time(c, a, b0, full));
  return best;
}

P4Load p4_load(std::span<const ClassSpec> classes) {
  P4Load l;
  double prefill = 0.0, decode = 0.0;
  for (const auto& c : classes) {
    l.lambda += c.rate;
    prefill += c.rate * static_cast<double>(c.prompt);
    decode += c.rate * static_cast<double>(c.output - 1);
  }
  if (l.lambda > 0.0) {
    l.m_p = prefill / l.lambda;
    l.m_d = decode / l.lambda;
  }
  l.tokens = prefill + decode;
  return l;
}

bool p4_necessary(const P4Load& load, double capacity) {
  return approx_leq(load.tokens, capacity);
}

bool p4_below_capacity(const P4Load& load, double capacity) {
  return strictly_less(load.tokens, capacity);
}

double p4_max_rate(double tokens_per_request, double capacity) {
  if (tokens_per_request <= 0.0) return std::numeric_limits<double>::infinity();
  return capacity / tokens_per_request;
}

}  // namespace kvcheck::theory
