// Simulated requests per second on the Azure LLM inference trace 2023 (conversation, 19,366
// requests) under configs/vllm_fcfs_azure_conv.toml: the plain stepper against the
// event-skipping loop, each bare and with the metrics observer. The trace is loaded once.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/config.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/simulator.h"

extern char** environ;

namespace kvcheck {
namespace {

struct AzureSetup {
  Config cfg;
  Workload workload;
};

const AzureSetup& azure() {
  static const AzureSetup s = [] {
    AzureSetup out{load_config(std::string(KVCHECK_SOURCE_DIR) +
                               "/configs/vllm_fcfs_azure_conv.toml"), {}};
    out.workload = build_workload(out.cfg);
    return out;
  }();
  return s;
}

/// state.range(0): 1 = event-skipping loop; state.range(1): 1 = with MetricsCollector.
void BM_SimulateAzureConv(benchmark::State& state) {
  const auto& a = azure();
  SimOptions opts;
  opts.properties = a.cfg.check.properties;
  opts.max_steps = a.cfg.check.max_steps;
  opts.max_idle_steps = a.cfg.check.max_idle_steps;
  opts.skip_steady = state.range(0) == 1;
  std::int64_t steps = 0;
  for (auto _ : state) {
    SeededChoices choices(1);
    MetricsCollector metrics(a.cfg.model);
    StepObserver* obs[] = {&metrics};
    const auto out = state.range(1) == 1
                         ? simulate(a.cfg.model, a.cfg.time, a.workload, choices, opts, obs)
                         : simulate(a.cfg.model, a.cfg.time, a.workload, choices, opts);
    steps = out.steps;
    benchmark::DoNotOptimize(steps);
  }
  const auto n = static_cast<double>(a.workload.requests.size());
  state.counters["requests/s"] =
      benchmark::Counter(n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["iterations"] = static_cast<double>(steps);
}

BENCHMARK(BM_SimulateAzureConv)
    ->ArgNames({"fast", "metrics"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

/// The whole command, as a user runs it: `kvcheck simulate configs/vllm_fcfs_azure_conv.toml`
/// in a fresh process (start-up, dynamic loading, config and CSV parsing, the loop, metrics and
/// reports). Wall time per run; requests/s counts the trace's requests per wall second.
void BM_SimulateCommand(benchmark::State& state) {
  const std::string kvcheck = KVCHECK_BINARY;
  const std::string config = std::string(KVCHECK_SOURCE_DIR) + "/configs/vllm_fcfs_azure_conv.toml";
  const auto out = std::filesystem::temp_directory_path() / "kvcheck-sim-bench";
  std::vector<std::string> args = {kvcheck, "simulate", config, "--out", out.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  for (auto _ : state) {
    pid_t pid = 0;
    if (posix_spawn(&pid, kvcheck.c_str(), &fa, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot run " + kvcheck);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      state.SkipWithError("kvcheck simulate did not exit 0");
  }
  posix_spawn_file_actions_destroy(&fa);
  state.counters["requests/s"] =
      benchmark::Counter(19366.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateCommand)->UseRealTime()->Unit(benchmark::kMillisecond);

/// The command's work in this process, without process start-up: config, CSV, loop, metrics.
void BM_SimulateInProcess(benchmark::State& state) {
  const auto path = std::string(KVCHECK_SOURCE_DIR) + "/configs/vllm_fcfs_azure_conv.toml";
  std::int64_t n = 0;
  for (auto _ : state) {
    const auto cfg = load_config(path);
    const auto w = build_workload(cfg);
    SimOptions opts;
    opts.properties = cfg.check.properties;
    opts.max_steps = cfg.check.max_steps;
    opts.max_idle_steps = cfg.check.max_idle_steps;
    opts.skip_steady = true;
    SeededChoices choices(1);
    MetricsCollector metrics(cfg.model);
    StepObserver* obs[] = {&metrics};
    const auto r = simulate(cfg.model, cfg.time, w, choices, opts, obs);
    benchmark::DoNotOptimize(r.steps);
    n = static_cast<std::int64_t>(w.requests.size());
  }
  state.counters["requests/s"] = benchmark::Counter(
      static_cast<double>(n) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateInProcess)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kvcheck
