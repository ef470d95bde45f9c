// Z3 backend timings: BMC to depth K for N request slots (vLLM FCFS, no violation reachable:
// kv_no_overflow holds, so every depth is a full unsat query), and the shipped proofs.
// Reproduce: build/<dir>/bench/bmc_bench --benchmark_filter=... (numbers in docs/perf.md).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "checkers/bmc.h"
#include "checkers/k_induction.h"
#include "io/config.h"

namespace kvcheck {
namespace {

void BM_BmcDepth(benchmark::State& state) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 8;
  p.engine.block_size = 2;
  BmcSpec spec;
  spec.slots = static_cast<int>(state.range(0));
  spec.prompt_hi = 4;
  spec.output_hi = 4;
  spec.arrival_hi = 8;
  spec.properties = {PropertyId::KvNoOverflow};
  for (auto _ : state) {
    const auto r = run_bmc(p, spec, state.range(1), {});
    if (r.verdict.kind != VerdictKind::BoundedOk) state.SkipWithError("unexpected verdict");
  }
}
BENCHMARK(BM_BmcDepth)
    ->ArgsProduct({{4}, {1, 2, 3, 4, 6, 8}})  // K >= 4: lemmas (docs/z3-backend.md)
    ->ArgsProduct({{8}, {1, 2}})         // K = 3: > 4.5 min
    ->ArgsProduct({{16}, {1}})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

void BM_ShippedProof(benchmark::State& state, const char* name) {
  const auto cfg = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / name);
  const auto spec = parse_bmc_spec(cfg);
  for (auto _ : state) benchmark::DoNotOptimize(prove_k_induction(cfg.model, spec, {}));
}
BENCHMARK_CAPTURE(BM_ShippedProof, p1_alg1_safe, "z3_p1_alg1_safe.toml")
    ->Unit(benchmark::kSecond)->Iterations(1);

void BM_ShippedCheck(benchmark::State& state, const char* name) {
  const auto cfg = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / name);
  const auto spec = parse_bmc_spec(cfg);
  for (auto _ : state) benchmark::DoNotOptimize(run_bmc(cfg.model, spec, spec.depth, {}));
}
BENCHMARK_CAPTURE(BM_ShippedCheck, p2_example2, "bmc_p2_example2.toml")
    ->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace kvcheck
