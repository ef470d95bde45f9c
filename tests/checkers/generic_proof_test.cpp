// The every-N allocation proof (checkers/z3/generic_proof.h) and its generalisation
// (checkers/z3/generalize.h). Expected verdicts come from the policies' sources, not from the
// code under test: vLLM's scheduler checks free blocks before every reservation (docs/vllm.md
// rules 11-15), so its pool properties hold for every N; Orca and Dong & Cao's Algorithm 1 plan
// without a memory check, so nothing local shows them; a watermark below 0 or a policy that sees
// more blocks than the pool has (the `pool_view_slack` mutation twin) admits past the pool, and
// then BMC finds the overflow and the concrete replay reproduces it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/generalize.h"
#include "checkers/z3/generic_proof.h"
#include "checkers/z3/prove_pipeline.h"
#include "checkers/z3/prove_ranges.h"
#include "io/config.h"

namespace kvcheck {
namespace {

Config shipped(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / (name + ".toml"));
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(EveryN, VllmFcfsPoolPropertiesHoldForEveryN) {
  const auto g = prove_every_n(shipped("bmc_vllm_fcfs_n8").model, {}, SolverOptions{});
  ASSERT_TRUE(g.holds) << g.reason;
  EXPECT_TRUE(has(g.claim, "for every number of requests")) << g.claim;
  EXPECT_TRUE(has(g.claim, "num_blocks = 8")) << g.claim;
  EXPECT_GE(g.positions, 3);
}

TEST(EveryN, AzureDeploymentOverItsDeclaredRanges) {
  const auto cfg = shipped("vllm_fcfs_azure_conv");
  const auto ranges = parse_prove_ranges(cfg).knobs;
  ASSERT_EQ(ranges.size(), 6u);
  const auto g = prove_every_n(cfg.model, ranges, SolverOptions{});
  ASSERT_TRUE(g.holds) << g.reason;
  EXPECT_TRUE(has(g.claim, "num_blocks in [1, 1000000]")) << g.claim;
  EXPECT_TRUE(has(g.claim, "watermark_blocks in [0, 100000]")) << g.claim;
  EXPECT_TRUE(has(g.claim, "block_size in [1, 128], lookahead in [0, 8]")) << g.claim;
}

// A watermark of -1 lets an admission take one block more than is free: the range matters.
TEST(EveryN, NegativeWatermarkIsNotShown) {
  const auto cfg = shipped("vllm_fcfs_azure_conv");
  const auto g = prove_every_n(cfg.model, {{Knob::WatermarkBlocks, -1, 5}}, SolverOptions{});
  EXPECT_FALSE(g.holds);
  EXPECT_TRUE(has(g.reason, "schedule (waiting")) << g.reason;
}

// Block size and lookahead as ranges (issue 14 item 1): every reservation still checks free
// blocks for the very term it reserves (docs/vllm.md rules 11-15), whatever the block size
// divides by, so vLLM FCFS holds for every block size of 1..256 tokens and lookahead 0..8, with
// the Azure config's other ranges. Its twin whose policy sees one block more than the pool
// does not; nor does a block-size range reaching 0 (a division by zero reserves anything).
TEST(EveryN, BlockSizeAndLookaheadRanges) {
  const auto cfg = shipped("vllm_fcfs_azure_conv");
  auto ranges = parse_prove_ranges(cfg).knobs;
  std::erase_if(ranges, [](const KnobRange& r) {
    return r.knob == Knob::BlockSize || r.knob == Knob::Lookahead;
  });
  ranges.push_back({Knob::BlockSize, 1, 256});
  ranges.push_back({Knob::Lookahead, 0, 8});
  const auto g = prove_every_n(cfg.model, ranges, SolverOptions{});
  ASSERT_TRUE(g.holds) << g.reason;
  EXPECT_TRUE(has(g.claim, "block_size in [1, 256]")) << g.claim;
  EXPECT_TRUE(has(g.claim, "lookahead in [0, 8]")) << g.claim;
  auto twin = cfg.model;
  twin.policy.pool_view_slack = 1;
  EXPECT_FALSE(prove_every_n(twin, ranges, SolverOptions{}).holds);
  for (auto& r : ranges)
    if (r.knob == Knob::BlockSize) r = {Knob::BlockSize, 0, 16};
  const auto zero = prove_every_n(cfg.model, ranges, SolverOptions{});
  EXPECT_FALSE(zero.holds) << zero.claim;
}

// vLLM V0 (its own decode guard and whole-prompt admission) over ranged block sizes too.
TEST(EveryN, VllmV0OverBlockSizes) {
  const auto g = prove_every_n(shipped("vllm_v0_safe").model,
                               {{Knob::BlockSize, 1, 64}, {Knob::Lookahead, 0, 4}},
                               SolverOptions{});
  ASSERT_TRUE(g.holds) << g.reason;
  EXPECT_TRUE(has(g.claim, "block_size in [1, 64]")) << g.claim;
}

// The base case is checked too: a pool range reaching below 0 is not shown (the empty engine's
// counter 0 would already exceed it), whatever the steps do.
TEST(EveryN, PoolRangeBelowTheEmptyEngineIsNotShown) {
  const auto g = prove_every_n(shipped("bmc_vllm_fcfs_n8").model, {{Knob::NumBlocks, -1, 8}},
                               SolverOptions{});
  EXPECT_FALSE(g.holds);
  EXPECT_TRUE(has(g.reason, "initial state")) << g.reason;
}

TEST(EveryN, UnguardedPoliciesAreNotShown) {
  for (const auto* name : {"orca_unsafe", "p1_alg1_unsafe", "faster_transformer_unsafe"}) {
    const auto g = prove_every_n(shipped(name).model, {}, SolverOptions{});
    EXPECT_FALSE(g.holds) << name;
    EXPECT_TRUE(has(g.reason, "not valid for a generic request")) << name << ": " << g.reason;
  }
}

// The mutation twin whose policy sees one block more than the pool (a reservation checked
// against the wrong pool): not shown for every N, and BMC over 3 slots finds the overflow,
// which the concrete engine reproduces.
TEST(EveryN, PoolViewSlackTwinIsNotShownAndBmcFindsTheOverflow) {
  const auto cfg = shipped("bmc_vllm_fcfs_n8");
  auto params = cfg.model;
  params.policy.pool_view_slack = 1;
  const auto g = prove_every_n(params, {}, SolverOptions{});
  EXPECT_FALSE(g.holds);
  auto spec = parse_bmc_spec(cfg);
  spec.slots = 3;
  spec.properties = {PropertyId::KvNoOverflow};
  SolverOptions o;
  o.seed_runs = 0;
  const auto r = run_bmc(params, spec, 8, o);
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  ASSERT_TRUE(r.cex.has_value());
  EXPECT_EQ(r.cex->property, PropertyId::KvNoOverflow);
  const auto c = confirm_counterexample(params, cfg.time, *r.cex, TraceMeta{});
  EXPECT_TRUE(c.reproduced) << c.detail;
}

// The pipeline's verdict over declared ranges: PROVED (naming them) where the every-N proof
// covers them, UNKNOWN where it does not (Orca plans without a memory check), never PROVED on
// the strength of the configured values.
TEST(EveryN, PipelineClaimsDeclaredRangesOnlyWhereCovered) {
  const auto cfg = shipped("vllm_fcfs_azure_conv");
  auto spec = parse_bmc_spec(cfg);
  spec.properties = {PropertyId::KvNoOverflow, PropertyId::KvWithinCapacity};
  const auto r = prove_pipeline(cfg.model, spec, parse_prove_ranges(cfg), SolverOptions{});
  ASSERT_EQ(r.result.verdict.kind, VerdictKind::Proved) << r.result.verdict.reason;
  EXPECT_TRUE(has(r.result.claim, "block_size in [1, 128], lookahead in [0, 8]")) << r.result.claim;
  const auto orca = shipped("orca_safe");
  auto ospec = parse_bmc_spec(orca);
  ospec.properties = {PropertyId::KvNoOverflow};
  ProveRanges ranges;
  ranges.knobs = {{Knob::NumBlocks, 8, 64}};
  const auto u = prove_pipeline(orca.model, ospec, ranges, SolverOptions{});
  EXPECT_EQ(u.result.verdict.kind, VerdictKind::Unknown) << u.result.claim;
  EXPECT_TRUE(has(u.result.verdict.reason, "the [prove] ranges (num_blocks in [8, 64]")) << u.result.verdict.reason;
}

// The pipeline never proves nothing: with no property, a config that every part would prove
// is UNKNOWN, not PROVED.
TEST(EveryN, EmptyPropertyListIsNeverProved) {
  const auto cfg = shipped("bmc_vllm_fcfs_n8");
  auto spec = parse_bmc_spec(cfg);
  spec.properties.clear();
  const auto r = prove_pipeline(cfg.model, spec, {}, SolverOptions{});
  EXPECT_EQ(r.result.verdict.kind, VerdictKind::Unknown) << r.result.claim;
}

TEST(EveryN, ClaimAndKnobsNameTheConfiguredValues) {
  auto p = shipped("vllm_fcfs_azure_conv").model;
  EXPECT_EQ(describe_knobs(p, {}),
            "num_blocks = 8576, watermark_blocks = 0, max_num_seqs = 256, "
            "max_batched_tokens = 8192, block_size = 16, lookahead = 0");
  p.engine.max_num_seqs = kUnlimited;
  EXPECT_TRUE(has(describe_knobs(p, {{Knob::NumBlocks, 8, 16}}), "num_blocks in [8, 16]"));
  EXPECT_TRUE(has(describe_knobs(p, {}), "max_num_seqs = unlimited"));
}

// --- generalisation ----------------------------------------------------------------------

struct Ctx {
  z3::context ctx;
  z3::expr i(const char* n) { return ctx.int_const(n); }
  z3::expr b(const char* n) { return ctx.bool_const(n); }
  bool valid(const z3::expr& f) {
    z3::solver s(ctx);
    s.add(!f);
    return s.check() == z3::unsat;
  }
};

// budget > 0 and the chunk min(rest, budget) name the same kept-free integer: it becomes one
// constant, and `budget > 0` stays (the chunk is then >= 1), so the obligation stays valid.
TEST(Generalize, KeepsAConditionWhoseIntegerIsUsedWithAKeptConstant) {
  Ctx c;
  const auto c0 = c.i("c"), rest = c.i("rest"), b1 = c.i("b1"), n0 = c.i("n0");
  const auto budget = b1 - n0;  // kept-free: another iteration's values
  const auto chunk = z3::ite(rest < budget, rest, budget);
  const auto f = z3::implies(rest >= 1 && c0 >= 0 && budget > 0, c0 + chunk >= 1);
  ASSERT_TRUE(c.valid(f));
  const auto g = generalize(f, {c0, rest}, {});
  EXPECT_TRUE(c.valid(g.formula)) << g.formula;
}

// Another iteration's condition that only relates kept-free values becomes one Boolean, so
// obligations from different positions share a shape.
TEST(Generalize, CollapsesAnotherIterationsConditionAndSharesShapes) {
  Ctx c;
  const auto h = c.i("h"), u = c.i("u"), x1 = c.i("x1"), x2 = c.i("x2"), y1 = c.i("y1");
  const auto cond1 = x1 < x2 && c.b("v1");
  const auto cond2 = (x1 < x2 && c.b("v1")) || (y1 > 3 && c.b("v2"));
  const auto f1 = z3::implies(h >= 0 && u <= 8, u - z3::ite(cond1, c.ctx.int_val(0), h) <= 8);
  const auto f2 = z3::implies(h >= 0 && u <= 8, u - z3::ite(cond2, c.ctx.int_val(0), h) <= 8);
  const auto g1 = generalize(f1, {h, u}, {});
  const auto g2 = generalize(f2, {h, u}, {});
  EXPECT_EQ(g1.shape, g2.shape);
  EXPECT_TRUE(c.valid(g1.formula));
}

// `running > 0 ? W : 0` with W in [0, 10] becomes x >= 0: the watermark's sign survives.
TEST(Generalize, KeepsTheSignOfARangedTerm) {
  Ctx c;
  const auto w = c.i("W"), r = c.i("running"), free = c.i("free"), need = c.i("need");
  const auto wm = z3::ite(r > 0, w, c.ctx.int_val(0));
  const auto f = z3::implies(free - need >= wm, need <= free);
  const auto no_range = generalize(f, {free, need}, {});
  EXPECT_FALSE(c.valid(no_range.formula));  // without W's range the watermark could be < 0
  const auto ranged = generalize(f, {free, need}, {{w, Interval{0, 10}}});
  EXPECT_TRUE(c.valid(ranged.formula)) << ranged.formula;
}

TEST(Generalize, IntervalArithmetic) {
  Ctx c;
  const auto w = c.i("W");
  const std::vector<std::pair<z3::expr, Interval>> ranges{{w, Interval{2, 10}}};
  const auto iv = interval_of(z3::ite(c.b("p"), w * 3 - 1, c.ctx.int_val(-4)), ranges);
  EXPECT_EQ(iv.lo, -4);
  EXPECT_EQ(iv.hi, 29);
  const auto d = interval_of((w + 15) / 16, ranges);  // ceil(W / 16) for W in [2, 10]
  EXPECT_EQ(d.lo, 1);
  EXPECT_EQ(d.hi, 1);
  EXPECT_FALSE(interval_of(c.i("free") + w, ranges).hi.has_value());
  const auto left = interval_of(c.ctx.int_val(-2) * w, ranges);  // the numeral first
  EXPECT_EQ(left.lo, -20);
  EXPECT_EQ(left.hi, -4);
  // A division by a ranged block size B in [4, 8]: (W + B - 1) div B for W in [2, 10] lies in
  // [floor(5 / 8), floor(17 / 4)] = [0, 4]; by hand, W = 2, B = 8 gives 1 and W = 10, B = 4
  // gives 3, inside it (interval arithmetic is an over-approximation, never an under one).
  const auto b = c.i("B");
  const std::vector<std::pair<z3::expr, Interval>> both{{w, Interval{2, 10}}, {b, Interval{4, 8}}};
  const auto q = interval_of((w + b - 1) / b, both);
  EXPECT_EQ(q.lo, 0);
  EXPECT_EQ(q.hi, 4);
  // A block size range starting at 1 (the usual one): [2, 13] div [1, 4] lies in [0, 13].
  const std::vector<std::pair<z3::expr, Interval>> from_one{{w, Interval{2, 10}}, {b, Interval{1, 4}}};
  const auto q1 = interval_of((w + b - 1) / b, from_one);
  EXPECT_EQ(q1.lo, 0);
  EXPECT_EQ(q1.hi, 13);
  // A divisor that may be 0 gives no interval.
  const std::vector<std::pair<z3::expr, Interval>> zero{{w, Interval{2, 10}}, {b, Interval{0, 8}}};
  const auto z = interval_of(w / b, zero);
  EXPECT_FALSE(z.lo.has_value());
  EXPECT_FALSE(z.hi.has_value());
}

}  // namespace
}  // namespace kvcheck
