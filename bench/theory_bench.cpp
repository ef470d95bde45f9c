// Cost of the theory calculators, for checkers that call them per generated workload, and of
// a full `analyze` of a parsed config (without the TOML parse).
#include <benchmark/benchmark.h>

#include <vector>

#include "io/config.h"
#include "theory/analyze.h"
#include "theory/p1_necessary.h"
#include "theory/p2_fluid.h"
#include "theory/p4_capacity.h"

namespace {

std::vector<kvcheck::ClassSpec> classes(std::int64_t n) {
  std::vector<kvcheck::ClassSpec> out;
  for (std::int64_t k = 0; k < n; ++k) {
    kvcheck::ClassSpec c;
    c.name = "c";
    c.prompt = 10 + k;
    c.output = 20 + 3 * k;
    c.rate = 0.5;
    c.budget = 2;
    out.push_back(c);
  }
  return out;
}

void BM_P1Necessary(benchmark::State& state) {
  const auto cs = classes(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(kvcheck::theory::p1_necessary(cs, 16492));
}
BENCHMARK(BM_P1Necessary)->Arg(3)->Arg(64);

void BM_P2Fluid(benchmark::State& state) {
  const auto cs = classes(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(kvcheck::theory::p2_fluid(cs, 0.02, 1e-5));
}
BENCHMARK(BM_P2Fluid)->Arg(3)->Arg(64);

void BM_P4CapacityAndLoad(benchmark::State& state) {
  const auto cs = classes(state.range(0));
  for (auto _ : state) {
    const double cap = kvcheck::theory::p4_capacity(11.28, 35.47, 128, 512);
    benchmark::DoNotOptimize(kvcheck::theory::p4_below_capacity(kvcheck::theory::p4_load(cs), cap));
  }
}
BENCHMARK(BM_P4CapacityAndLoad)->Arg(3)->Arg(64);

void BM_AnalyzeConfig(benchmark::State& state) {
  const auto cfg = kvcheck::load_config(KVCHECK_SOURCE_DIR "/configs/p1_alg1_sec41.toml");
  for (auto _ : state) benchmark::DoNotOptimize(kvcheck::theory::analyze(cfg));
}
BENCHMARK(BM_AnalyzeConfig);

}  // namespace
