#include "importers/model_dims.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/input_error.h"
#include "io/input_file.h"
#include "io/limits.h"

namespace kvcheck::importers {
namespace {

// config.json values of the models' Hugging Face repositories (num_hidden_layers,
// hidden_size, intermediate_size, num_attention_heads, num_key_value_heads, head_dim or
// hidden_size / num_attention_heads, vocab_size, tie_word_embeddings, torch_dtype).
ModelDims row(const char* name, std::int64_t layers, std::int64_t hidden, std::int64_t inter,
              std::int64_t heads, std::int64_t kv_heads, std::int64_t vocab, bool qkv_bias) {
  return ModelDims{name,     "kvcheck's built-in table (the model's config.json)",
                   layers,   hidden,
                   inter,    heads,
                   kv_heads, hidden / heads,
                   vocab,    false,
                   qkv_bias, "bfloat16"};
}

const std::vector<ModelDims>& table() {
  static const std::vector<ModelDims> kModels{
      row("meta-llama/Llama-3.1-8B-Instruct", 32, 4096, 14336, 32, 8, 128256, false),
      row("meta-llama/Llama-3.1-8B", 32, 4096, 14336, 32, 8, 128256, false),
      row("meta-llama/Llama-3.1-70B-Instruct", 80, 8192, 28672, 64, 8, 128256, false),
      row("meta-llama/Llama-3.1-70B", 80, 8192, 28672, 64, 8, 128256, false),
      row("Qwen/Qwen2.5-7B-Instruct", 28, 3584, 18944, 28, 4, 152064, true),
      row("mistralai/Mistral-7B-Instruct-v0.3", 32, 4096, 14336, 32, 8, 32768, false),
  };
  return kModels;
}

std::int64_t need_int(const nlohmann::json& j, const char* key, const std::string& file) {
  if (!j.contains(key)) throw config_error(file, key, "missing");
  if (!j[key].is_number_integer() || j[key].get<std::int64_t>() < 1)
    throw config_error(file, key, "must be a positive integer");
  return j[key].get<std::int64_t>();
}

bool opt_bool(const nlohmann::json& j, const char* key, bool fallback, const std::string& file) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_boolean()) throw config_error(file, key, "must be true or false");
  return j[key].get<bool>();
}

nlohmann::json read_json(const std::filesystem::path& path) {
  const std::string file = path.string();
  check_input_file(path, limits::kMaxConfigBytes, "64 MiB", ExitCode::ConfigError);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(file, "", "cannot open file");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw config_error(file, "", std::string("not JSON: ") + e.what());
  }
}

void refuse_unmodelled(const nlohmann::json& j, const std::string& file) {
  if (j.contains("quantization_config"))
    throw config_error(file, "quantization_config",
                       "quantized weights are not sized by the importer: give --weights-gib");
  for (const char* moe : {"num_local_experts", "num_experts", "n_routed_experts"})
    if (j.contains(moe))
      throw config_error(file, moe, "mixture-of-experts weights are not sized: give --weights-gib");
}

}  // namespace

std::optional<ModelDims> builtin_model(std::string_view name) {
  for (const auto& m : table())
    if (m.name == name) return m;
  return std::nullopt;
}

std::vector<std::string> builtin_model_names() {
  std::vector<std::string> out;
  for (const auto& m : table()) out.push_back(m.name);
  return out;
}

ModelDims model_from_hf_config(const std::filesystem::path& path) {
  const std::string file = path.string();
  const auto j = read_json(path);
  if (!j.is_object()) throw config_error(file, "", "not a JSON object");
  ModelDims m;
  m.name = j.value("_name_or_path", std::string());
  m.source = file;
  m.layers = need_int(j, "num_hidden_layers", file);
  m.hidden = need_int(j, "hidden_size", file);
  m.intermediate = need_int(j, "intermediate_size", file);
  m.heads = need_int(j, "num_attention_heads", file);
  m.kv_heads =
      j.contains("num_key_value_heads") ? need_int(j, "num_key_value_heads", file) : m.heads;
  m.head_dim = j.contains("head_dim") && !j["head_dim"].is_null() ? need_int(j, "head_dim", file)
                                                                  : m.hidden / m.heads;
  m.vocab = need_int(j, "vocab_size", file);
  m.tied_embeddings = opt_bool(j, "tie_word_embeddings", false, file);
  m.qkv_bias = opt_bool(j, "attention_bias", j.value("model_type", std::string()) == "qwen2", file);
  m.dtype = j.contains("torch_dtype") && j["torch_dtype"].is_string()
                ? j["torch_dtype"].get<std::string>()
                : std::string("bfloat16");
  if (dtype_bytes(m.dtype) == 0) throw config_error(file, "torch_dtype", "unknown: " + m.dtype);
  refuse_unmodelled(j, file);
  return m;
}

std::int64_t dense_param_count(const ModelDims& m) {
  const std::int64_t q = m.heads * m.head_dim, kv = m.kv_heads * m.head_dim;
  const std::int64_t attention =
      m.hidden * q + 2 * m.hidden * kv + q * m.hidden + (m.qkv_bias ? q + 2 * kv : 0);
  const std::int64_t mlp = 3 * m.hidden * m.intermediate;
  const std::int64_t per_layer = attention + mlp + 2 * m.hidden;
  const std::int64_t embeddings = m.vocab * m.hidden * (m.tied_embeddings ? 1 : 2);
  return embeddings + m.layers * per_layer + m.hidden;
}

std::int64_t dtype_bytes(std::string_view dtype) {
  if (dtype == "bfloat16" || dtype == "float16" || dtype == "half" || dtype == "bf16" ||
      dtype == "fp16")
    return 2;
  if (dtype == "float32" || dtype == "float") return 4;
  if (dtype.rfind("fp8", 0) == 0) return 1;
  return 0;
}

}  // namespace kvcheck::importers
