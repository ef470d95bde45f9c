#pragma once
/// \file weights.h
/// The decoder's weights as the host master copy in fp32, in llama2.c's layout: layer-stacked
/// tensors, every matrix row-major out_features x in_features (an nn.Linear weight).
#include <cstdint>
#include <vector>

#include "gpu_replay/model_config.h"

namespace kvcheck::engine {

struct Weights {
  ModelConfig config;
  std::vector<float> token_embedding;  ///< vocab x dim
  std::vector<float> rms_att;          ///< L x dim
  std::vector<float> wq;               ///< L x q_dim x dim
  std::vector<float> wk, wv;           ///< L x kv_dim x dim
  std::vector<float> wo;               ///< L x dim x q_dim
  std::vector<float> rms_ffn;          ///< L x dim
  std::vector<float> w1, w3;           ///< L x hidden x dim (gate, up)
  std::vector<float> w2;               ///< L x dim x hidden (down)
  std::vector<float> rms_final;        ///< dim
  std::vector<float> wcls;             ///< vocab x dim; empty when tied

  /// The classifier matrix (the embedding when tied).
  const std::vector<float>& classifier() const { return config.tied ? token_embedding : wcls; }
  /// Resizes every tensor for `config` (values zero).
  void allocate();
};

/// Seeded weights: splitmix64 -> N(0, 1/sqrt(fan_in)) per matrix, norms 1 + N(0, 0.05).
/// The same seed gives bit-identical weights on every platform.
Weights seeded_weights(const ModelConfig& config, std::uint64_t seed);

/// Round-to-nearest-even fp32 -> bf16 bits, and back (the device's bf16 mode).
std::uint16_t to_bf16(float x);
float from_bf16(std::uint16_t b);
/// Rounds every GEMM weight through bf16 (a CPU reference for the bf16 device mode).
void round_matrices_to_bf16(Weights& w);

}  // namespace kvcheck::engine
