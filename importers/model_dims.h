#pragma once
/// \file model_dims.h
/// The dimensions of a dense decoder-only transformer that size its KV cache and its weights:
/// from a small built-in table of common models or from a Hugging Face `config.json`.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvcheck::importers {

struct ModelDims {
  std::string name;
  std::string source;  ///< where the numbers come from (the table, or the config.json path)
  std::int64_t layers = 0, hidden = 0, intermediate = 0, heads = 0, kv_heads = 0, head_dim = 0,
               vocab = 0;
  bool tied_embeddings = false;  ///< lm_head shares the embedding matrix
  bool qkv_bias = false;         ///< Qwen2-style biases on the q, k and v projections
  std::string dtype;             ///< torch_dtype: bfloat16, float16, float32
};

/// A model of the built-in table (exact Hugging Face id), or nullopt.
std::optional<ModelDims> builtin_model(std::string_view name);
/// The ids of the built-in table, for error messages and docs.
std::vector<std::string> builtin_model_names();
/// Reads a Hugging Face `config.json` (num_hidden_layers, hidden_size, intermediate_size,
/// num_attention_heads, num_key_value_heads, head_dim, vocab_size, tie_word_embeddings,
/// attention_bias, torch_dtype). A missing or wrong-typed field, or a quantized or
/// mixture-of-experts model, is a config_error naming the file and the field.
ModelDims model_from_hf_config(const std::filesystem::path& path);

/// Parameters of a dense Llama-style decoder: embeddings (twice unless tied), per layer the q,
/// k, v, o projections, a gated MLP (3 matrices) and two RMSNorm weights, and the final norm.
std::int64_t dense_param_count(const ModelDims& m);

/// Bytes per element of a torch dtype name (bfloat16/float16 -> 2, float32 -> 4, fp8 -> 1);
/// 0 if unknown.
std::int64_t dtype_bytes(std::string_view dtype);

}  // namespace kvcheck::importers
