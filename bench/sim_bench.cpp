// Simulated requests per second on the Azure LLM inference trace 2023 (conversation, 19,366
// requests) under configs/vllm_fcfs_azure_conv.toml: the plain stepper against the
// event-skipping loop, each bare and with the metrics observer. The trace is loaded once.
#include <benchmark/benchmark.h>

#include "io/config.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/simulator.h"

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

}  // namespace
}  // namespace kvcheck
