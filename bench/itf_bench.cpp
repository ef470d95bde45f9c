// ITF JSON write / read and replay throughput on a recorded run of configs/p2_example2.toml
// (412 requests, 138 iterations, preemptions every other iteration). Numbers: docs/perf.md.
#include <benchmark/benchmark.h>

#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "counterexamples/replay.h"
#include "io/config.h"
#include "io/workload.h"
#include "models/choice_source.h"

namespace {

const kvcheck::Trace& example_trace() {
  static const kvcheck::Trace t = [] {
    const auto cfg = kvcheck::load_config(std::string(KVCHECK_SOURCE_DIR) + "/configs/p2_example2.toml");
    kvcheck::SeededChoices choices(1);
    kvcheck::SimOptions opts;
    opts.properties = cfg.check.properties;
    return kvcheck::record_run(cfg.model, cfg.time, kvcheck::build_workload(cfg), choices, opts,
                               {});
  }();
  return t;
}

void BM_ToItfJson(benchmark::State& st) {
  const auto& t = example_trace();
  std::size_t bytes = 0;
  for (auto _ : st) {
    const auto text = kvcheck::to_itf_json(t);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(bytes) * st.iterations());
  st.counters["states"] = static_cast<double>(t.states.size());
}
BENCHMARK(BM_ToItfJson)->Unit(benchmark::kMillisecond);

void BM_ParseItf(benchmark::State& st) {
  const auto text = kvcheck::to_itf_json(example_trace());
  for (auto _ : st) {
    auto t = kvcheck::parse_itf(text, "bench");
    benchmark::DoNotOptimize(t.states.data());
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(text.size()) * st.iterations());
}
BENCHMARK(BM_ParseItf)->Unit(benchmark::kMillisecond);

void BM_Replay(benchmark::State& st) {
  const auto& t = example_trace();
  for (auto _ : st) {
    const auto r = kvcheck::replay(t);
    if (!r.reproduced) st.SkipWithError("replay diverged");
  }
  st.counters["states"] = static_cast<double>(t.states.size());
}
BENCHMARK(BM_Replay)->Unit(benchmark::kMillisecond);

}  // namespace
