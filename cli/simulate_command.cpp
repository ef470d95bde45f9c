// `kvcheck simulate CONFIG [workload flags] [--itf FILE] [--out DIR]`: run a policy over a
// workload with the event-skipping loop, print the report table and write report.json,
// report.txt and kv_queue.svg (and, with --itf, the plain-stepper ITF trace). The exit code is
// the run's verdict. Workload flags override the config's [workload]: flag > config.
#include <fmt/format.h>

#include <chrono>

#include "cli/command.h"
#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "io/config.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "properties/verdict.h"
#include "sim/metrics.h"
#include "sim/report.h"
#include "sim/simulator.h"
#include "sim/workload_overrides.h"

namespace kvcheck::cli {
namespace {

/// Adds an optional flag whose value lands in `target` only when given.
template <class T>
void optional_flag(CLI::App& sub, const char* name, std::optional<T>& target, const char* help) {
  sub.add_option_function<T>(name, [&target](const T& v) { target = v; }, help);
}

class SimulateCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML)")->required();
    optional_flag(sub, "--workload", ov_.kind,
                  "Workload kind: explicit, deterministic, poisson, class_mix or trace");
    optional_flag(sub, "--trace", ov_.trace, "Azure-format CSV trace (implies --workload trace)");
    optional_flag(sub, "--time-scale", ov_.time_scale, "Trace arrival times are multiplied by X");
    optional_flag(sub, "--rate", ov_.rate, "Poisson arrivals per step");
    optional_flag(sub, "--count", ov_.count, "Generated requests, or a trace's first N rows");
    optional_flag(sub, "--seed", ov_.seed,
                  "Seed of the workload generator and of the policy's random choices (default: "
                  "config's [workload] seed, choices 1)");
    optional_flag(sub, "--max-steps", ov_.max_steps, "Stop after N iterations ([check] max_steps)");
    sub.add_option("--itf", itf_, "Also record the run (plain stepper) as an ITF trace file");
    sub.add_option("--out", out_, "Directory for report.json, report.txt and kv_queue.svg");
    sub.add_flag("--plain", plain_, "Use the plain per-iteration stepper (no event skipping)");
    sub.footer("Precedence: a flag wins over the config's [workload]/[check] value.");
  }

  int run() override {
    auto cfg = load_config(config_);
    apply_overrides(cfg, ov_);
    const auto workload = build_workload(cfg);
    const std::uint64_t seed = ov_.seed.value_or(1);
    SimOptions opts;
    opts.properties = cfg.check.properties;
    opts.max_steps = cfg.check.max_steps;
    opts.max_idle_steps = cfg.check.max_idle_steps;
    opts.skip_steady = !plain_;
    RunReport report;
    report.info = {KVCHECK_VERSION, cfg.name, cfg.path.string(), cfg.hash,
                   std::string(to_string(cfg.model.policy.kind)),
                   describe_workload(cfg.workload, workload), seed, opts.skip_steady, 0.0};
    MetricsCollector metrics(cfg.model);
    StepObserver* obs[] = {&metrics};
    SeededChoices choices(seed);
    const auto t0 = std::chrono::steady_clock::now();
    report.outcome = simulate(cfg.model, cfg.time, workload, choices, opts, obs);
    report.info.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.verdict = report.outcome.verdict(!cfg.check.max_steps_declared);
    report.metrics = metrics.metrics();
    const auto text = report_text(report);
    fmt::print("{}", text);
    if (!out_.empty()) {
      write_reports(report, out_);
      fmt::print("reports written to {}/ (report.json, report.txt, kv_queue.svg)\n", out_);
    }
    if (!itf_.empty()) write_trace(cfg, workload, opts, seed);
    return to_int(to_exit_code(report.verdict));
  }

 private:
  /// Records the run with the plain stepper (record_run) and writes it as ITF.
  void write_trace(const Config& cfg, const Workload& workload, SimOptions opts,
                   std::uint64_t seed) const {
    TraceMeta meta;
    meta.kvcheck_version = KVCHECK_VERSION;
    meta.source = "simulate";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    meta.seed = seed;
    opts.skip_steady = false;
    SeededChoices choices(seed);
    const auto trace = record_run(cfg.model, cfg.time, workload, choices, opts, meta);
    write_itf(trace, itf_);
    fmt::print("ITF trace written to {} ({} states)\n", itf_, trace.states.size());
  }

  std::string config_, out_, itf_;
  WorkloadOverrides ov_;
  bool plain_ = false;
};

}  // namespace

std::unique_ptr<Command> make_simulate_command() { return std::make_unique<SimulateCommand>(); }

}  // namespace kvcheck::cli
