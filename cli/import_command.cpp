// `kvcheck import vllm [--bench "ARGS"] [-o FILE] [--hf-config FILE] ... -- SERVE ARGS`: a vLLM
// deployment's `vllm serve` command line (and optionally its `vllm bench serve` one) as a
// commented kvcheck config (importers/vllm_import.h, docs/import-vllm.md).
#include <fmt/format.h>

#include <fstream>

#include "cli/command.h"
#include "importers/vllm_import.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

class ImportCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.require_subcommand(1);
    vllm_ = sub.add_subcommand("vllm",
                               "A `vllm serve` command line (after --) as a vllm_fcfs "
                               "config, every key commented with its source");
    vllm_->add_option("--bench", bench_,
                      "`vllm bench serve` arguments (one quoted string): the [workload]");
    vllm_->add_option("-o,--output", output_, "Write the config here (default: stdout)");
    vllm_->add_option("--hf-config", hf_config_,
                      "The model's config.json (instead of the built-in table)");
    vllm_
        ->add_option("--gpu-memory-gib", gpu_gib_,
                     "Total memory of one GPU in GiB (sizes the pool "
                     "without --num-gpu-blocks-override)")
        ->check(CLI::Range(1.0, 1e6));
    vllm_->add_option("--gpu-name", gpu_name_,
                      "The GPU's name (vLLM's batch defaults exclude A100s)");
    vllm_
        ->add_option(
            "--reserve-gib", opt_.reserve_gib,
            "Assumed non-KV, non-weight GPU memory: activations, CUDA context, graphs (default 2)")
        ->check(CLI::Range(0.0, 1e6));
    vllm_
        ->add_option("--weights-gib", weights_gib_,
                     "Whole-model weight size, instead of the dense count")
        ->check(CLI::Range(0.0, 1e6));
    vllm_
        ->add_option(
            "--step-seconds", step_seconds_,
            "Assumed seconds per engine iteration (maps --bench --request-rate to per step)")
        ->check(CLI::Range(1e-9, 1e6));
    vllm_->add_option("serve", serve_, "vllm serve MODEL [flags] (after --)")->required();
  }

  int run() override {
    opt_.serve_args = serve_;
    if (!bench_.empty()) opt_.bench = bench_;
    if (!hf_config_.empty()) opt_.hf_config = hf_config_;
    if (gpu_gib_ > 0) opt_.gpu_memory_gib = gpu_gib_;
    if (weights_gib_ > 0) opt_.weights_gib = weights_gib_;
    if (step_seconds_ > 0) opt_.step_seconds = step_seconds_;
    opt_.gpu_name = gpu_name_;
    opt_.command_line = "vllm serve";
    std::size_t first = 0;  // a leading `vllm serve` is part of the form, not an argument
    if (first < serve_.size() && serve_[first] == "vllm") ++first;
    if (first < serve_.size() && serve_[first] == "serve") ++first;
    for (std::size_t i = first; i < serve_.size(); ++i) opt_.command_line += " " + serve_[i];
    if (!bench_.empty()) opt_.command_line += "\n#   vllm bench serve " + bench_;
    const auto text = importers::import_vllm(opt_);
    if (output_.empty()) {
      fmt::print("{}", text);
      return 0;
    }
    std::ofstream out(output_, std::ios::binary);
    if (!(out << text)) throw config_error(output_, "--output", "cannot write file");
    return 0;
  }

 private:
  CLI::App* vllm_ = nullptr;
  importers::ImportOptions opt_;
  std::string bench_, output_, hf_config_, gpu_name_;
  double gpu_gib_ = 0, weights_gib_ = 0, step_seconds_ = 0;
  std::vector<std::string> serve_;
};

}  // namespace

std::unique_ptr<Command> make_import_command() { return std::make_unique<ImportCommand>(); }

}  // namespace kvcheck::cli
