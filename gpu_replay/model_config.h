#pragma once
/// \file model_config.h
/// Shape of the llama-style decoder the engine runs, and the few named presets.
#include <cstdint>
#include <string_view>

namespace kvcheck::engine {

/// How RoPE pairs the dimensions of a head: llama2.c's adjacent pairs (i, i+1), or Hugging
/// Face's rotate-half pairs (i, i + hd/2).
enum class RopeStyle : std::uint8_t { Interleaved, RotateHalf };

/// Element type of the GEMM weights on the device (the CPU backend always computes in fp32).
enum class DType : std::uint8_t { F32, BF16 };

/// The decoder's hyperparameters (engines.md 3.2).
struct ModelConfig {
  int dim = 64;
  int hidden_dim = 172;
  int n_layers = 2;
  int n_heads = 4;
  int n_kv_heads = 2;
  int head_dim = 16;
  int vocab = 256;
  int max_seq_len = 512;
  float rope_theta = 10000.0f;
  float norm_eps = 1e-5f;
  RopeStyle rope = RopeStyle::Interleaved;
  bool tied = true;  ///< classifier shares the token embedding

  int q_dim() const { return n_heads * head_dim; }
  int kv_dim() const { return n_kv_heads * head_dim; }
  /// Query heads per KV head (GQA group size).
  int kv_mul() const { return n_heads / n_kv_heads; }
  /// Parameters outside the embedding / classifier.
  std::int64_t non_embedding_params() const;
};

/// A named preset: "tiny" (tests), "stories15m", "stories110m", "llama1b" (the ~1B
/// Llama-3.2-like shape of engines.md 5.2, vocab 32000). Returns false for an unknown name.
bool model_preset(std::string_view name, ModelConfig& out);

/// Throws InputError(ConfigError) naming `source` and the field when the shape is inconsistent.
void validate(const ModelConfig& c, const char* source);

}  // namespace kvcheck::engine
