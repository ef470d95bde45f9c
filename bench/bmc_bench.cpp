// Z3 backend timings: BMC to depth K for N request slots (vLLM FCFS, no violation reachable:
// kv_no_overflow holds, so every depth is a full unsat query), and the shipped proofs.
// Reproduce: build/<dir>/bench/bmc_bench --benchmark_filter=... (numbers in docs/perf.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <vector>

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
    // N = 4: from K = 4 on, depth 3 (>= 5 s) triggers the lemma proof and the closure query
    // ends the run (docs/z3-backend.md), so K = 4 .. 64 cost the same.
    ->ArgsProduct({{4}, {1, 2, 3, 4, 8, 40, 64}})
    ->ArgsProduct({{8}, {1, 2}})  // K = 3: minutes; the N = 8 lemma proof times out
    ->ArgsProduct({{16}, {1}})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

/// Every shipped config with a [bmc] section: `prove` on the expected-safe ones, `check` on the
/// expected-violated ones, seeded (the default) and with the solver alone (--seed-runs 0).
void shipped_proof(benchmark::State& state, const std::filesystem::path& path) {
  const auto cfg = load_config(path);
  const auto spec = parse_bmc_spec(cfg);
  for (auto _ : state) {
    const auto r = prove_k_induction(cfg.model, spec, {});
    if (r.verdict.kind != VerdictKind::Proved) state.SkipWithError("not PROVED");
  }
}

void shipped_check(benchmark::State& state, const std::filesystem::path& path,
                   std::int64_t seed_runs) {
  const auto cfg = load_config(path);
  const auto spec = parse_bmc_spec(cfg);
  SolverOptions opts;
  opts.seed_runs = seed_runs;
  for (auto _ : state) {
    const auto r = run_bmc(cfg.model, spec, spec.depth, opts);
    if (r.verdict.kind != VerdictKind::Violated) state.SkipWithError("not VIOLATED");
  }
}

/// Registered from main: the config parser's tables are statics of another translation unit.
void register_shipped() {
  std::vector<std::filesystem::path> paths;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs"))
    if (e.path().extension() == ".toml") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    const auto cfg = load_config(path);
    if (cfg.text.find("\n[bmc]") == std::string::npos) continue;
    const auto stem = path.stem().string();
    if (cfg.expect == "ok") {
      benchmark::RegisterBenchmark(("BM_ShippedProof/" + stem).c_str(), shipped_proof, path)
          ->Unit(benchmark::kSecond)->Iterations(1);
    } else if (cfg.expect == "violated") {
      for (const std::int64_t runs : {std::int64_t{2000}, std::int64_t{0}})
        benchmark::RegisterBenchmark(
            ("BM_ShippedCheck/" + stem + (runs > 0 ? "/seeded" : "/solver_only")).c_str(),
            shipped_check, path, runs)
            ->Unit(benchmark::kSecond)->Iterations(1);
    }
  }
}

}  // namespace
}  // namespace kvcheck

int main(int argc, char** argv) {
  kvcheck::register_shipped();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
