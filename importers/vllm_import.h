#pragma once
/// \file vllm_import.h
/// `kvcheck import vllm`: a `vllm serve` command line (and optionally a `vllm bench serve` one)
/// as a kvcheck config for the `vllm_fcfs` policy, every key commented with the flag or
/// formula it came from. The mapping follows vLLM's V1 engine (docs/import-vllm.md). Anything
/// the importer cannot map is a config_error naming the flag (exit 151).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kvcheck::importers {

struct ImportOptions {
  std::vector<std::string> serve_args;  ///< after `--`; a leading `vllm serve` is skipped
  std::optional<std::string> bench;     ///< `vllm bench serve` arguments, one string
  std::optional<std::filesystem::path> hf_config;  ///< the model's config.json
  std::optional<double> gpu_memory_gib;            ///< total memory of one GPU
  std::string gpu_name;                            ///< for vLLM's A100 exception to its defaults
  double reserve_gib = 2.0;                        ///< non-KV, non-weight memory (assumed)
  std::optional<double> weights_gib;               ///< whole-model weights, instead of the count
  std::optional<double> step_seconds;              ///< seconds per iteration, for --request-rate
  std::string command_line;                        ///< the import command, for the header
};

/// The config text. Throws InputError (exit 151) naming the flag it cannot map.
std::string import_vllm(const ImportOptions& opt);

}  // namespace kvcheck::importers
