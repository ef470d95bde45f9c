// Fuzzing throughput: RapidCheck cases per second on the shipped small configs, generation,
// simulation, judging and shrinking included (docs/perf.md, section Fuzzing).
#include <benchmark/benchmark.h>

#include <string>

#include "checkers/fuzz/search.h"
#include "io/config.h"

namespace {

using namespace kvcheck;

/// One search of `runs` cases per iteration; reports cases/s (shrinking of a found failure
/// included) and the shrink steps per search.
void run_search(benchmark::State& state, const std::string& config, int runs) {
  const auto m = fuzz::make_fuzz_model(load_config(std::string(KVCHECK_SOURCE_DIR) + "/" + config));
  fuzz::SearchParams p;
  p.runs = runs;
  std::int64_t cases = 0, shrinks = 0;
  for (auto _ : state) {
    p.seed = static_cast<std::uint64_t>(state.iterations()) + 1;
    const auto r = fuzz::search(m, p);
    cases += r.stats.cases + r.stats.shrinks_tried;
    shrinks += r.stats.shrinks_tried;
    benchmark::DoNotOptimize(r.failure.has_value());
  }
  state.counters["cases/s"] = benchmark::Counter(static_cast<double>(cases), benchmark::Counter::kIsRate);
  state.counters["shrinks/search"] =
      benchmark::Counter(static_cast<double>(shrinks), benchmark::Counter::kAvgIterations);
}

void BM_FuzzP2Example2(benchmark::State& s) { run_search(s, "configs/p2_example2.toml", 1000); }
void BM_FuzzStarvation(benchmark::State& s) {
  run_search(s, "tests/fuzz/configs/vllm_fcfs_starvation.toml", 1000);
}
void BM_FuzzP4Sarathi(benchmark::State& s) { run_search(s, "tests/fuzz/configs/p4_sarathi.toml", 1000); }
void BM_FuzzP1Unsafe(benchmark::State& s) { run_search(s, "configs/p1_alg1_unsafe.toml", 200); }
// the shipped fuzz configs (issue 15's target: >= 50k cases/s on each)
void BM_FuzzShippedP1Alg1Safe(benchmark::State& s) {
  run_search(s, "configs/fuzz_p1_alg1_safe.toml", 1000);
}
void BM_FuzzShippedVllmStarvation(benchmark::State& s) {
  run_search(s, "configs/fuzz_vllm_fcfs_starvation.toml", 1000);
}

BENCHMARK(BM_FuzzP2Example2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FuzzStarvation)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FuzzP4Sarathi)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FuzzP1Unsafe)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FuzzShippedP1Alg1Safe)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FuzzShippedVllmStarvation)->Unit(benchmark::kMillisecond);

}  // namespace
