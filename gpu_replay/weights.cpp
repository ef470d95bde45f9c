#include "gpu_replay/weights.h"

#include <bit>
#include <cmath>
#include <numbers>

namespace kvcheck::engine {
namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t s) : state_(s) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1].
  double uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
  /// Standard normal (Box-Muller; one value per call, deterministic).
  double normal() {
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

void fill_normal(std::vector<float>& v, SplitMix64& g, double stddev, double mean = 0.0) {
  for (auto& x : v) x = static_cast<float>(mean + stddev * g.normal());
}

}  // namespace

void Weights::allocate() {
  const auto& c = config;
  const auto d = static_cast<std::size_t>(c.dim), L = static_cast<std::size_t>(c.n_layers);
  const auto q = static_cast<std::size_t>(c.q_dim()), kv = static_cast<std::size_t>(c.kv_dim());
  const auto f = static_cast<std::size_t>(c.hidden_dim), V = static_cast<std::size_t>(c.vocab);
  token_embedding.assign(V * d, 0.0f);
  rms_att.assign(L * d, 0.0f);
  wq.assign(L * q * d, 0.0f);
  wk.assign(L * kv * d, 0.0f);
  wv.assign(L * kv * d, 0.0f);
  wo.assign(L * d * q, 0.0f);
  rms_ffn.assign(L * d, 0.0f);
  w1.assign(L * f * d, 0.0f);
  w2.assign(L * d * f, 0.0f);
  w3.assign(L * f * d, 0.0f);
  rms_final.assign(d, 0.0f);
  wcls.assign(c.tied ? 0 : V * d, 0.0f);
}

Weights seeded_weights(const ModelConfig& config, std::uint64_t seed) {
  Weights w;
  w.config = config;
  w.allocate();
  SplitMix64 g(seed);
  const double in_d = 1.0 / std::sqrt(static_cast<double>(config.dim));
  const double in_q = 1.0 / std::sqrt(static_cast<double>(config.q_dim()));
  const double in_f = 1.0 / std::sqrt(static_cast<double>(config.hidden_dim));
  fill_normal(w.token_embedding, g, 1.0);
  fill_normal(w.rms_att, g, 0.05, 1.0);
  fill_normal(w.wq, g, in_d);
  fill_normal(w.wk, g, in_d);
  fill_normal(w.wv, g, in_d);
  fill_normal(w.wo, g, in_q);
  fill_normal(w.rms_ffn, g, 0.05, 1.0);
  fill_normal(w.w1, g, in_d);
  fill_normal(w.w2, g, in_f);
  fill_normal(w.w3, g, in_d);
  fill_normal(w.rms_final, g, 0.05, 1.0);
  fill_normal(w.wcls, g, in_d);
  return w;
}

std::uint16_t to_bf16(float x) {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7F800000U) == 0x7F800000U && (bits & 0x007FFFFFU) != 0U)
    return static_cast<std::uint16_t>((bits >> 16) | 0x40U);  // quiet NaN
  const std::uint32_t rounding = 0x7FFFU + ((bits >> 16) & 1U);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

float from_bf16(std::uint16_t b) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

void round_matrices_to_bf16(Weights& w) {
  for (auto* t : {&w.wq, &w.wk, &w.wv, &w.wo, &w.w1, &w.w2, &w.w3, &w.wcls, &w.token_embedding})
    for (auto& x : *t) x = from_bf16(to_bf16(x));
}

}  // namespace kvcheck::engine
