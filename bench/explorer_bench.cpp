// Explorer throughput: building the reachable graph (engine step per transition, dedup) and
// running every analysis, on small bounded and saturated configurations.
#include <benchmark/benchmark.h>

#include <string>

#include "checkers/explicit/explorer.h"
#include "checkers/explicit/state_graph.h"

namespace {

using namespace kvcheck;
using namespace kvcheck::explicit_state;

/// vLLM FCFS, 16-block pool, two request shapes, up to `n` requests, 2 arrivals per step.
std::string vllm_config(int n) {
  return R"([engine]
block_size = 2
num_blocks = 16
max_num_seqs = 4
[policy]
name = "vllm_fcfs"
[workload]
kind = "deterministic"
count = 4
[check]
properties = ["kv_no_overflow", "conservation", "exact_delivery"]
[explore]
prompts = [3, 6]
outputs = [2, 4]
max_arrivals_per_step = 2
max_requests = )" + std::to_string(n) + "\nmax_states = 10000000\n";
}

void BM_ExploreGraph(benchmark::State& state) {
  const auto cfg = parse_config(vllm_config(static_cast<int>(state.range(0))), "bench.toml");
  const auto opts = read_explore_options(cfg);
  SuccessorGenerator gen(cfg.model, cfg.time, opts);
  std::int64_t states = 0, edges = 0;
  for (auto _ : state) {
    const auto g = build_graph(gen, opts.max_states);
    states = static_cast<std::int64_t>(g.states.size());
    edges = static_cast<std::int64_t>(g.edges.size());
    benchmark::DoNotOptimize(g.complete);
  }
  state.counters["states"] = static_cast<double>(states);
  state.counters["transitions"] = static_cast<double>(edges);
  state.counters["states/s"] =
      benchmark::Counter(static_cast<double>(states), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ExploreGraph)->Arg(4)->Arg(6)->Unit(benchmark::kMillisecond);

void BM_ExploreFull(benchmark::State& state) {
  const auto cfg = parse_config(vllm_config(static_cast<int>(state.range(0))), "bench.toml");
  const auto opts = read_explore_options(cfg);
  std::int64_t states = 0;
  for (auto _ : state) {
    const auto r = explore(cfg, opts);
    states = r.states;
    benchmark::DoNotOptimize(r.verdict.kind);
  }
  state.counters["states/s"] =
      benchmark::Counter(static_cast<double>(states), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ExploreFull)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace
