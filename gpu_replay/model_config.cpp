#include "gpu_replay/model_config.h"

#include <string>

#include "io/input_error.h"

namespace kvcheck::engine {

std::int64_t ModelConfig::non_embedding_params() const {
  const std::int64_t d = dim, f = hidden_dim, L = n_layers;
  const std::int64_t attn = d * q_dim() + 2 * d * kv_dim() + q_dim() * d;
  return L * (attn + 3 * d * f + 2 * d) + d;
}

bool model_preset(std::string_view name, ModelConfig& out) {
  ModelConfig c;
  if (name == "tiny") {
    out = c;
    return true;
  }
  if (name == "stories15m") {
    c.dim = 288; c.hidden_dim = 768; c.n_layers = 6; c.n_heads = 6; c.n_kv_heads = 6;
    c.head_dim = 48; c.vocab = 32000; c.max_seq_len = 256;
  } else if (name == "stories110m") {
    c.dim = 768; c.hidden_dim = 2048; c.n_layers = 12; c.n_heads = 12; c.n_kv_heads = 12;
    c.head_dim = 64; c.vocab = 32000; c.max_seq_len = 1024;
  } else if (name == "llama1b") {
    c.dim = 2048; c.hidden_dim = 8192; c.n_layers = 16; c.n_heads = 32; c.n_kv_heads = 8;
    c.head_dim = 64; c.vocab = 32000; c.max_seq_len = 4096; c.rope = RopeStyle::RotateHalf;
  } else {
    return false;
  }
  out = c;
  return true;
}

void validate(const ModelConfig& c, const char* source) {
  auto fail = [&](const char* field, const std::string& why) {
    throw config_error(source, field, why);
  };
  if (c.dim <= 0 || c.hidden_dim <= 0 || c.n_layers <= 0 || c.vocab <= 0 || c.max_seq_len <= 0)
    fail("dim", "dim, hidden_dim, n_layers, vocab and seq_len must be positive");
  if (c.n_heads <= 0 || c.n_kv_heads <= 0 || c.n_heads % c.n_kv_heads != 0)
    fail("n_kv_heads", "n_heads must be a positive multiple of n_kv_heads");
  if (c.head_dim <= 0 || c.head_dim % 2 != 0 || c.head_dim > 256)
    fail("head_dim", "head_dim must be even and in 2..256");
}

}  // namespace kvcheck::engine
