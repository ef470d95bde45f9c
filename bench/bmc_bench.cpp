// Z3 backend timings: BMC to depth K for N request slots (vLLM FCFS, no violation reachable:
// kv_no_overflow holds, so every depth is a full unsat query), and the shipped proofs.
// Reproduce: build/<dir>/bench/bmc_bench --benchmark_filter=... (numbers in docs/perf.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "checkers/z3/bmc.h"
#include "checkers/z3/bmc_session.h"
#include "checkers/z3/generic_proof.h"
#include "checkers/z3/prove_ranges.h"
#include "checkers/z3/k_induction.h"
#include "checkers/z3/prefix_bmc.h"
#include "io/config.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

/// The BM_BmcDepth model: vLLM FCFS on 8 blocks of 2 tokens, prompts and outputs <= 4 tokens,
/// arrivals in steps [0, 8], N = `slots` request slots, kv_no_overflow.
ModelParams depth_model() {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 8;
  p.engine.block_size = 2;
  return p;
}

BmcSpec depth_spec(int slots) {
  BmcSpec spec;
  spec.slots = slots;
  spec.prompt_hi = 4;
  spec.output_hi = 4;
  spec.arrival_hi = 8;
  spec.properties = {PropertyId::KvNoOverflow};
  return spec;
}

/// The two queries behind `check`'s closure (docs/z3-backend.md), on the BM_BmcDepth model,
/// with every lemma candidate (well-formedness parts and queue-order facts) ASSUMED of an
/// arbitrary pre-state rather than proved: range(1) = 0, "one step can overflow the pool"
/// (the closure query; unsat expected); range(1) = 1, "one step can break some candidate"
/// (all candidates inductive together in ONE query, Houdini's best case; unsat expected).
/// Their cost at N = 8 is what separates the 60 s target from the measured minutes.
void BM_LemmaStep(benchmark::State& state) {
  const auto p = depth_model();
  const auto spec = depth_spec(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    z3::context ctx;
    Unroller u(ctx, p, spec);
    SymbolicScope scope(ctx);
    z3::solver s(ctx);
    s.set("timeout", 300000u);
    for (const auto& c : u.input_constraints()) s.add(c.e);
    const auto candidates = [&](const SymState& st) {
      std::vector<SymBool> out;
      for (const auto& q : u.lemma_candidates(st)) out.push_back(q.holds);
      return out;
    };
    const auto pre = u.fresh_state("pre");
    for (const auto& c : candidates(pre)) s.add(c.e);
    const auto step = u.step(pre, "step", spec.properties);
    for (const auto& c : step.side) s.add(c.e);
    s.add(any_false(state.range(1) == 0 ? step.props : candidates(step.post)).e);
    const auto r = s.check();
    if (r != z3::unsat)
      state.SkipWithError(r == z3::sat ? "sat (a candidate is not inductive)" : "unknown (300 s)");
  }
}
BENCHMARK(BM_LemmaStep)
    ->ArgsProduct({{4, 8}, {0, 1}})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

void BM_BmcDepth(benchmark::State& state) {
  const auto p = depth_model();
  const auto spec = depth_spec(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const auto r = run_bmc(p, spec, state.range(1), {});
    if (r.verdict.kind != VerdictKind::BoundedOk) state.SkipWithError("unexpected verdict");
  }
}
BENCHMARK(BM_BmcDepth)
    // Once a depth's query takes >= 1 s, the allocation invariant is tried; it is inductive
    // on this model and ends the run for every deeper K (docs/z3-backend.md), so large K cost
    // what the first slow depth plus that proof cost.
    ->ArgsProduct({{4}, {1, 2, 3, 4, 8, 40, 64}})
    ->ArgsProduct({{8}, {1, 2, 3, 40, 64}})
    ->ArgsProduct({{16}, {1, 2, 40, 64}})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

/// Issue 14's target: the every-N proof of the pool properties for the Azure deployment's
/// engine (8,576 blocks, 256 sequences, 8,192-token batches) over its [prove] ranges, <= 60 s on
/// one core. `obligations` and `queries` are per run.
void BM_EveryNAzure(benchmark::State& state) {
  const auto cfg = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" /
                               "vllm_fcfs_azure_conv.toml");
  const auto ranges = parse_prove_ranges(cfg);
  GenericProof g;
  for (auto _ : state) {
    g = prove_every_n(cfg.model, ranges.knobs, {});
    if (!g.holds) state.SkipWithError("not shown");
  }
  state.counters["obligations"] = g.obligations;
  state.counters["queries"] = g.queries;
}
BENCHMARK(BM_EveryNAzure)->Unit(benchmark::kMillisecond)->Iterations(3);

/// Issue 14 item 5: BMC from a simulated prefix at the deployment's pool size
/// (configs/vllm_fcfs_azure_cascade.toml, `check --from-step auto`): the prefix simulated to the
/// fullest state (8 residents, 8,499 of 8,576 blocks), 2 symbolic arrivals, the preemption found
/// at depth 1. Prefix simulation + BMC; the concrete confirmation is not included.
void BM_PrefixBmcAzureCascade(benchmark::State& state) {
  const auto cfg = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" /
                               "vllm_fcfs_azure_cascade.toml");
  const auto spec = parse_bmc_spec(cfg);
  const auto w = build_workload(cfg);
  const auto step = fullest_step(cfg.model, cfg.time, w, cfg.check.max_steps);
  SolverOptions opts;
  for (auto _ : state) {
    const auto r = run_prefix_bmc(cfg.model, cfg.time, w, spec, step, spec.depth, opts);
    if (r.verdict.kind != VerdictKind::Violated) state.SkipWithError("no violation found");
  }
  state.counters["step"] = static_cast<double>(step);
}
BENCHMARK(BM_PrefixBmcAzureCascade)->Unit(benchmark::kMillisecond)->Iterations(3);

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
