// Explorer throughput: building the reachable graph (engine step per transition, dedup) and
// running every analysis, on small bounded and saturated configurations.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "checkers/explicit/explorer.h"
#include "checkers/explicit/safety_search.h"
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
[envelope]
prompt = [3, 6]
output = [2, 4]
max_requests = 6
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

/// bench/spin/vllm_fcfs_n4.toml (the config SPIN's model encodes) with max_requests = n.
std::string spin_config(int n) {
  const auto path = std::filesystem::path(KVCHECK_SOURCE_DIR) / "bench/spin/vllm_fcfs_n4.toml";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  const auto at = text.find("max_requests = 4");
  if (at == std::string::npos) throw std::runtime_error("bench/spin/vllm_fcfs_n4.toml changed");
  text.replace(at, 16, "max_requests = " + std::to_string(n));
  return text;
}

/// The explorer's safety pass (what `kvcheck explore` runs on the SPIN benchmark config, whose
/// analyses are ["safety"]): states/s and stored bytes per state, against bench/spin/run_spin.sh.
void safety_pass(benchmark::State& state, StateStorage storage) {
  const auto cfg = parse_config(spin_config(static_cast<int>(state.range(0))), "spin.toml");
  auto opts = read_explore_options(cfg);
  opts.storage = storage;
  SuccessorGenerator gen(cfg.model, cfg.time, opts);
  SafetySearch r;
  for (auto _ : state) {
    r = safety_search(gen, opts);
    benchmark::DoNotOptimize(r.exhausted);
  }
  state.counters["states"] = static_cast<double>(r.states);
  state.counters["states/s"] =
      benchmark::Counter(static_cast<double>(r.states), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/state"] =
      static_cast<double>(r.memory_bytes) / static_cast<double>(std::max<std::int64_t>(r.states, 1));
}

void BM_SafetyPass(benchmark::State& state) { safety_pass(state, StateStorage::Exact); }
BENCHMARK(BM_SafetyPass)->DenseRange(4, 8)->Unit(benchmark::kMillisecond);

void BM_SafetyPassHashCompaction(benchmark::State& state) {
  safety_pass(state, StateStorage::HashCompaction);
}
BENCHMARK(BM_SafetyPassHashCompaction)->Arg(8)->Unit(benchmark::kMillisecond);

}  // namespace
