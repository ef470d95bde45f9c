#pragma once
/// \file reference.h
/// The unpaged reference: llama2.c's one-token-at-a-time forward over a contiguous per-sequence
/// KV cache. Tests compare the paged backends against it (bitwise for the CPU backend).
#include <cstdint>
#include <vector>

#include "gpu_replay/weights.h"

namespace kvcheck::engine {

class ReferenceModel {
 public:
  explicit ReferenceModel(const Weights& w);
  /// Forgets the sequence (the next token is position 0).
  void reset() { pos_ = 0; }
  /// Feeds the token at the next position; returns its logits (vocab floats).
  const std::vector<float>& step(std::int32_t token);
  std::int32_t position() const { return pos_; }

 private:
  float* kcache(int l) { return key_.data() + static_cast<std::size_t>(l) * row(); }
  float* vcache(int l) { return value_.data() + static_cast<std::size_t>(l) * row(); }
  std::size_t row() const {
    return static_cast<std::size_t>(w_.config.max_seq_len) * static_cast<std::size_t>(w_.config.kv_dim());
  }
  void attention(int l, float* out);
  void layer(int l);

  const Weights& w_;
  std::int32_t pos_ = 0;
  std::vector<float> key_, value_;
  std::vector<float> x_, xb_, q_, k_, v_, att_, h1_, h3_, tmp_, scores_, logits_;
};

}  // namespace kvcheck::engine
