#include <fmt/format.h>

#include "cli/command.h"
#include "io/config.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "properties/verdict.h"
#include "sim/simulator.h"

namespace kvcheck::cli {
namespace {

class SimulateCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML)")->required();
    sub.add_option("--seed", seed_, "Seed for nondeterministic policy inputs");
    sub.add_option("--out", out_, "Output directory for reports");
  }
  int run() override {
    const auto cfg = load_config(config_);
    const auto workload = build_workload(cfg);
    SeededChoices choices(seed_);
    SimOptions opts;
    opts.properties = cfg.check.properties;
    opts.max_steps = cfg.check.max_steps;
    opts.max_idle_steps = cfg.check.max_idle_steps;
    const auto outcome = simulate(cfg.model, cfg.time, workload, choices, opts);
    const auto verdict = outcome.verdict();
    fmt::print("{}: {} ({} iterations)\n", cfg.name, to_string(verdict), outcome.steps);
    return to_int(to_exit_code(verdict));
  }

 private:
  std::string config_, out_;
  std::uint64_t seed_ = 1;
};

}  // namespace

std::unique_ptr<Command> make_simulate_command() { return std::make_unique<SimulateCommand>(); }

}  // namespace kvcheck::cli
