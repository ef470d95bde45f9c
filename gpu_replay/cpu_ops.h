#pragma once
/// \file cpu_ops.h
/// The fp32 building blocks of the llama2.c-style forward pass, shared by the CPU backend and the
/// unpaged reference so that both keep the same summation order (their results are bitwise
/// comparable; only the KV addressing differs).
#include <cmath>
#include <cstdint>

#include "gpu_replay/model_config.h"

namespace kvcheck::engine::cpu {

/// out[i] = sum_j w[i*n + j] * x[j] for i < d (W row-major d x n), sequential fp32 sums.
inline void matvec(float* out, const float* x, const float* w, int n, int d) {
  for (int i = 0; i < d; ++i) {
    const float* row = w + static_cast<std::ptrdiff_t>(i) * n;
    float acc = 0.0f;
    for (int j = 0; j < n; ++j) acc += row[j] * x[j];
    out[i] = acc;
  }
}

/// out = weight * x / sqrt(mean(x^2) + eps).
inline void rmsnorm(float* out, const float* x, const float* weight, int n, float eps) {
  float ss = 0.0f;
  for (int j = 0; j < n; ++j) ss += x[j] * x[j];
  const float scale = 1.0f / std::sqrt(ss / static_cast<float>(n) + eps);
  for (int j = 0; j < n; ++j) out[j] = weight[j] * (scale * x[j]);
}

/// Rotates the heads of `v` (n_heads x head_dim) for position `pos`.
inline void rope(float* v, int n_heads, int head_dim, int pos, float theta, RopeStyle style) {
  const int half = head_dim / 2;
  for (int h = 0; h < n_heads; ++h) {
    float* x = v + static_cast<std::ptrdiff_t>(h) * head_dim;
    for (int p = 0; p < half; ++p) {
      const float freq = 1.0f / std::pow(theta, static_cast<float>(2 * p) / static_cast<float>(head_dim));
      const float angle = static_cast<float>(pos) * freq;
      const float c = std::cos(angle), s = std::sin(angle);
      const int i0 = style == RopeStyle::Interleaved ? 2 * p : p;
      const int i1 = style == RopeStyle::Interleaved ? 2 * p + 1 : p + half;
      const float a = x[i0], b = x[i1];
      x[i0] = a * c - b * s;
      x[i1] = a * s + b * c;
    }
  }
}

/// In-place softmax over n scores (max-subtracted, llama2.c order).
inline void softmax(float* x, int n) {
  float mx = x[0];
  for (int i = 1; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  for (int i = 0; i < n; ++i) x[i] /= sum;
}

/// h1 = silu(h1) * h3, elementwise.
inline void silu_mul(float* h1, const float* h3, int n) {
  for (int i = 0; i < n; ++i) h1[i] = h1[i] / (1.0f + std::exp(-h1[i])) * h3[i];
}

/// Index of the largest value (first one on ties).
inline std::int32_t argmax(const float* x, int n) {
  std::int32_t best = 0;
  for (int i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}

}  // namespace kvcheck::engine::cpu
