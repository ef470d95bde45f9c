// vLLM V0's swap mode under the Z3 backends (issue 16): SymbolicView's swapped queue and CPU
// pool counter. Expected values are worked by hand from vLLM V0's rules
// (models/policies/vllm_v0.h rules 8-12, configs/vllm_v0_swap_*.toml headers), never read
// off the code's own output. The step-by-step comparison with the simulator is
// differential_test.cpp's DifferentialSwap.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/generic_proof.h"
#include "checkers/z3/generic_view.h"
#include "checkers/z3/k_induction.h"
#include "io/config.h"
#include "shipped_configs.h"
#include "models/engine_step.h"

namespace kvcheck {
namespace {

Config load(const std::string& name) { return test::shipped_config(name); }

SolverOptions solver_only() {
  SolverOptions o;
  o.seed_runs = 0;  // the symbolic model alone, not the seed search's simulation
  // Plain unrolling: no lemma or allocation-invariant detour (they cost minutes at 4 slots and
  // change no verdict here; the lemmas' soundness is tested in bmc_test / soundness_test).
  o.lemma_after_work = -1;
  o.alloc_after_work = -1;
  o.lemma_total_work = 2'000'000;
  return o;
}

/// The swap twins' spec with every request at step 0 (the header's shortest counterexample).
BmcSpec all_at_step_zero(const Config& cfg) {
  auto spec = parse_bmc_spec(cfg);
  spec.arrival_lo = spec.arrival_hi = 0;
  return spec;
}

// configs/vllm_v0_swap_unsafe.toml, by hand: A, B, C, D (prompt 8, output 6) at step 0 are
// admitted whole (8 of 8 blocks of 4 tokens). Step 1 decodes: A finds no free block, so D (the
// newest) is swapped out: can_swap_out asks ceil((8 + 1) / 4) = 3 CPU blocks, 4 free: OK, and
// D's 2 blocks move (CPU 2 of 4). C then finds no free block and swaps itself out: 3 asked, 2
// free: V0 aborts. So swap_space fails after step 1, and BMC to depth 1 (step 0 only) is clean.
TEST(SwapZ3, UnsafeTwinFailsSwapSpaceAtStepOneAndReplays) {
  const auto cfg = load("vllm_v0_swap_unsafe.toml");
  const auto spec = parse_bmc_spec(cfg);
  const auto r = run_bmc(cfg.model, spec, 3, solver_only());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.reason, "swap_space");
  EXPECT_EQ(r.verdict.depth, 1);
  ASSERT_TRUE(r.cex.has_value());
  EXPECT_EQ(r.cex->workload.requests.size(), 4U);
  const auto c = confirm_counterexample(cfg.model, cfg.time, *r.cex, {});
  EXPECT_TRUE(c.reproduced) << c.detail;
  const auto shorter = run_bmc(cfg.model, spec, 1, solver_only());
  EXPECT_EQ(shorter.verdict.kind, VerdictKind::BoundedOk) << to_string(shorter.verdict);
}

// The boundary of can_swap_out (free CPU >= asked, no watermark): with 5 CPU blocks the same
// schedule asks 3 of 5 for D (CPU 2 of 5), then 3 of 3 for C: exactly enough, no abort. With
// every request at step 0 nothing else is swapped out before both complete (the safe twin's
// header from step 3 on), so depth 6 is clean; 4 CPU blocks fail at step 1.
TEST(SwapZ3, CpuPoolExactlyLargeEnoughIsCleanAndOneLessIsNot) {
  auto cfg = load("vllm_v0_swap_unsafe.toml");
  const auto spec = all_at_step_zero(cfg);
  cfg.model.engine.cpu_blocks = 5;
  const auto ok = run_bmc(cfg.model, spec, 6, solver_only());
  EXPECT_EQ(ok.verdict.kind, VerdictKind::BoundedOk) << to_string(ok.verdict);
  cfg.model.engine.cpu_blocks = 4;
  const auto bad = run_bmc(cfg.model, spec, 6, solver_only());
  ASSERT_EQ(bad.verdict.kind, VerdictKind::Violated) << to_string(bad.verdict);
  EXPECT_EQ(bad.verdict.reason, "swap_space");
  EXPECT_EQ(bad.verdict.depth, 1);
}

// The CPU pool a step starts with holds the requests swapped out in earlier steps. By hand, on
// 6 GPU blocks of 1 token (watermark 0), A, B, C (prompt 2, output 4) at step 0 are all admitted
// (6 blocks). Step 1: A finds no free block, C (the newest) is swapped out: 3 CPU blocks asked
// (ceil(3 / 1)), C's 2 blocks move; A and B each take one. Step 2: A again finds none, B is
// swapped out: 4 asked, and the CPU pool has C's 2 blocks in it since step 1: with 5 CPU blocks
// 3 are free, V0 aborts; with 6, 4 are free: OK, and the run completes (A at step 3, then C and
// B swapped back in). A CPU counter that forgot the earlier step's swap outs passes both.
TEST(SwapZ3, TheCpuPoolCarriesEarlierStepsSwapOuts) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmV0;
  p.policy.preemption_mode = PreemptionMode::Swap;
  p.policy.watermark_blocks = 0;
  p.engine.block_size = 1;
  p.engine.num_blocks = 6;
  p.engine.max_batched_tokens = 64;
  p.engine.lookahead = 0;
  BmcSpec spec;
  spec.slots = 3;
  spec.prompt_lo = spec.prompt_hi = 2;
  spec.output_lo = spec.output_hi = 4;
  spec.arrival_lo = spec.arrival_hi = 0;
  spec.allow_absent = false;
  spec.properties = {PropertyId::SwapSpace};
  p.engine.cpu_blocks = 5;
  const auto bad = run_bmc(p, spec, 4, solver_only());
  ASSERT_EQ(bad.verdict.kind, VerdictKind::Violated) << to_string(bad.verdict);
  EXPECT_EQ(bad.verdict.depth, 2);
  p.engine.cpu_blocks = 6;
  const auto ok = run_bmc(p, spec, 8, solver_only());
  EXPECT_EQ(ok.verdict.kind, VerdictKind::BoundedOk) << to_string(ok.verdict);
}

// The safe twin's schedule (its header) swaps D and C out at step 3 and both back in at step 8
// (no recompute, no overflow), so BMC over the four requests' arrival patterns (the unsafe
// twin's [bmc] bounds; the safe twin has none, its proof is the explorer's) to depth 4 is clean
// for every property the config checks.
TEST(SwapZ3, SafeTwinIsCleanToDepthFour) {
  const auto cfg = load("vllm_v0_swap_safe.toml");
  auto spec = parse_bmc_spec(load("vllm_v0_swap_unsafe.toml"));
  spec.properties = parse_bmc_spec(cfg).properties;
  const auto r = run_bmc(cfg.model, spec, 4, solver_only());
  EXPECT_EQ(r.verdict.kind, VerdictKind::BoundedOk) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.depth, 4);
}

// k-induction proves swap_space when the CPU pool holds every request's KV at once: two
// requests (prompt 8, output 6) hold at most ceil(13 / 4) = 4 blocks each, and one swap out
// asks at most ceil(14 / 4) = 4, so 64 blocks can never run short. PROVED, for the two slots.
TEST(SwapZ3, KInductionProvesALargeCpuPool) {
  auto cfg = load("vllm_v0_swap_safe.toml");
  cfg.model.engine.cpu_blocks = 64;
  auto spec = parse_bmc_spec(load("vllm_v0_swap_unsafe.toml"));
  spec.properties = parse_bmc_spec(cfg).properties;
  spec.slots = 2;
  const auto r = prove_k_induction(cfg.model, spec, solver_only());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << to_string(r.verdict) << " "
                                                 << r.verdict.reason;
}

// ... and never proves the unsafe twin (its violation is at step 1, within the base cases).
TEST(SwapZ3, KInductionRefutesTheUnsafeTwin) {
  const auto cfg = load("vllm_v0_swap_unsafe.toml");
  const auto r = prove_k_induction(cfg.model, all_at_step_zero(cfg), solver_only());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.reason, "swap_space");
}

// The every-N argument's generic view has no swapped queue: for a swap config it is not shown
// (with the reason), so prove falls back to the [bmc] slots, and never runs swap as recompute.
TEST(SwapZ3, EveryNArgumentIsNotShownForSwap) {
  const auto cfg = load("vllm_v0_swap_safe.toml");
  const auto g = prove_every_n(cfg.model, {}, solver_only());
  EXPECT_FALSE(g.holds);
  EXPECT_NE(g.reason.find("swap"), std::string::npos) << g.reason;
}

// Defence in depth: a view that cannot swap (the generic view) never runs a swap config as
// recompute, which would be a verdict about another engine (the agreement harness once got
// "PROVED" on both swap twins that way): the policy throws.
TEST(SwapZ3, AViewWithoutSwapRefusesToRunTheSwapRules) {
  const auto cfg = load("vllm_v0_swap_safe.toml");
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto knobs = configured_knobs(cfg.model);
  GenericView v(cfg.model, knobs, 2, "t");
  EXPECT_THROW(engine_step(v), std::logic_error);
}

}  // namespace
}  // namespace kvcheck
