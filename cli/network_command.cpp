// `kvcheck network CONFIG [--steps N] [--seed S] [--json FILE]`: a network of servers, each the
// config's engine and policy, with routed request types (sim/network.h; P4 section 5.4). Prints
// the work in the network over time, its peak and final value. Exit 0 after the run (the
// growth is for the reader and docs/reproductions.md to judge), 151 for bad input.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "cli/command.h"
#include "io/config.h"
#include "io/input_error.h"
#include "sim/network.h"

namespace kvcheck::cli {
namespace {

class NetworkCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML) with a [network] section")->required();
    sub.add_option("--steps", steps_, "Steps to simulate (default: network.steps)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}));
    sub.add_option("--seed", seed_, "Arrival seed (default: network.seed)");
    sub.add_option("--json", json_, "Also write the series as JSON to this file");
  }

  int run() override {
    const auto cfg = load_config(config_);
    auto spec = read_network(cfg);
    if (steps_ > 0) spec.steps = steps_;
    if (seed_) spec.seed = *seed_;
    const auto r = run_network(cfg, spec);
    fmt::print("kvcheck network: {} ({} servers, {} types, {} steps, seed {})\n", cfg.name,
               spec.servers, spec.types.size(), spec.steps, spec.seed);
    fmt::print("  requests      {} arrived, {} completed their route\n", r.arrived, r.completed);
    fmt::print("  work (tokens) peak {}, final {}\n", r.peak_tokens, r.final_tokens);
    for (std::size_t i = 0; i < r.series.size(); i += std::max<std::size_t>(1, r.series.size() / 10))
      fmt::print("  step {:>9}  {:>12} tokens\n", r.series[i].step, r.series[i].tokens);
    if (!json_.empty()) {
      std::ofstream out(json_, std::ios::binary);
      if (!(out << network_json(r)))
        throw config_error(json_, "--json", "cannot write the JSON report");
    }
    return 0;
  }

 private:
  std::string config_, json_;
  std::int64_t steps_ = 0;
  std::optional<std::uint64_t> seed_;
};

}  // namespace

std::unique_ptr<Command> make_network_command() { return std::make_unique<NetworkCommand>(); }

}  // namespace kvcheck::cli
