// The watermark against preemption (docs/z3-backend.md "Every N for no_preemption"): the
// envelope's burst witness (checkers/z3/seed_search.h burst_shape, envelope_burst_witness) and
// what `buffer --every-n` answers for no_preemption. Expected numbers are worked out by hand in
// the comments (from the engine's rules, models/engine_rules.h), never taken from the code.
//
// Tiny config (configs/buffer_vllm_watermark_every_n.toml): vLLM V1 FCFS, 6 blocks of 1 token,
// lookahead 0, whole prompts, prompts [1, 2], outputs [1, 3], at most 3 requests.
//   final blocks B(P, O) = P + O - 1 (the last decode step reserves P + O - 1 tokens);
//   admission blocks b(P) = P. B / b: (1, 3) -> 3 / 1, (2, 3) -> 4 / 2: the burst request is
//   prompt 1, output 3. floor(6 / 3) + 1 = 3 of them exceed the pool (9 > 6); the third
//   admission in one step leaves 6 - 3 = 3 free, so they all get in iff W <= 3: every W <= 3
//   preempts (at step 2: each grows 1 -> 2 -> 3 blocks). W >= 4: a busy admission leaves >= 4
//   free, so <= 2 blocks in use after it, demand <= 2 x 3 = 6 = pool: no preemption. W* = 4.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "checkers/z3/buffer_search.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/prove_pipeline.h"
#include "checkers/z3/seed_search.h"
#include "io/config.h"

namespace kvcheck {
namespace {

Config shipped(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / (name + ".toml"));
}

BmcSpec spec_of(const Config& cfg) { return parse_bmc_spec(cfg); }

TEST(WatermarkBurst, TinyBurstShapeByHand) {
  const auto cfg = shipped("buffer_vllm_watermark_every_n");
  const auto s = burst_shape(cfg.model, spec_of(cfg));
  EXPECT_EQ(s.prompt, 1);
  EXPECT_EQ(s.output, 3);
  EXPECT_EQ(s.admit_blocks, 1);
  EXPECT_EQ(s.final_blocks, 3);
  EXPECT_EQ(s.needed, 3);
  ASSERT_TRUE(s.threshold.has_value());
  EXPECT_EQ(*s.threshold, 3);
}

/// The burst needs its 3 requests running together: max_num_seqs = 3 lets them (threshold 3, as
/// above), 2 does not (no threshold: the third waits for a completion). Mutation run 9's
/// survivor: `m < max_num_seqs` dropped the equality case.
TEST(WatermarkBurst, MaxNumSeqsBoundsTheBurst) {
  const auto cfg = shipped("buffer_vllm_watermark_every_n");
  auto p = cfg.model;
  p.engine.max_num_seqs = 3;
  const auto at3 = burst_shape(p, spec_of(cfg));
  ASSERT_TRUE(at3.threshold.has_value());
  EXPECT_EQ(*at3.threshold, 3);
  p.engine.max_num_seqs = 2;
  EXPECT_FALSE(burst_shape(p, spec_of(cfg)).threshold.has_value());
}

/// No burst when one request of the shape cannot fit the pool at all (its final blocks, 3,
/// exceed a 2-block pool): the burst argument needs several requests sharing the pool, and that
/// request is the `schedulable` property's case, not a watermark's.
TEST(WatermarkBurst, NoBurstWhenOneRequestExceedsThePool) {
  const auto cfg = shipped("buffer_vllm_watermark_every_n");
  auto p = cfg.model;
  p.engine.num_blocks = 2;
  EXPECT_EQ(burst_shape(p, spec_of(cfg)).needed, 0);
  EXPECT_FALSE(envelope_burst_witness(p, spec_of(cfg), {PropertyId::NoPreemption}).has_value());
}

/// The burst's counterexample at W = 3 is concrete, inside the envelope, and replays; at W = 4
/// (the hand-derived W*) the burst runs to completion without a preemption.
TEST(WatermarkBurst, TinyBurstPreemptsAtThreeNotAtFour) {
  const auto cfg = shipped("buffer_vllm_watermark_every_n");
  const auto spec = spec_of(cfg);
  const auto at3 = with_param(cfg, "policy.watermark_blocks", 3, "--param");
  const auto hint = envelope_burst_witness(at3, spec, {PropertyId::NoPreemption});
  ASSERT_TRUE(hint.has_value());
  EXPECT_EQ(hint->property, PropertyId::NoPreemption);
  EXPECT_EQ(hint->step, 2);
  EXPECT_EQ(hint->workload.requests.size(), 3u);
  for (const auto& r : hint->workload.requests) {
    EXPECT_TRUE(spec.envelope.classes[0].prompt.contains(r.prompt));
    EXPECT_TRUE(spec.envelope.classes[0].output.contains(r.output));
  }
  const Counterexample cex{hint->workload, hint->picks, hint->property, hint->step};
  const auto c = confirm_counterexample(at3, cfg.time, cex, TraceMeta{});
  EXPECT_TRUE(c.reproduced) << c.detail;
  const auto at4 = with_param(cfg, "policy.watermark_blocks", 4, "--param");
  EXPECT_FALSE(envelope_burst_witness(at4, spec, {PropertyId::NoPreemption}).has_value());
}

/// `buffer --every-n` for no_preemption: no every-N argument covers it yet, so no value is
/// PROVED (UNKNOWN, after the first value: the reason does not depend on it), and the burst
/// gives the largest value with a counterexample, 3 = W* - 1.
TEST(WatermarkBurst, EveryNBufferIsNeverProvedAndFindsTheBurst) {
  const auto cfg = shipped("buffer_vllm_watermark_every_n");
  const auto r = search_buffer(cfg, spec_of(cfg), "policy.watermark_blocks", 0, 5,
                               SolverOptions{}, true);
  EXPECT_FALSE(r.value.has_value());
  ASSERT_EQ(r.tried.size(), 1u);
  EXPECT_EQ(r.tried.front().second.kind, VerdictKind::Unknown);
  ASSERT_EQ(r.no_argument.size(), 1u);
  EXPECT_EQ(r.no_argument.front(), PropertyId::NoPreemption);
  ASSERT_TRUE(r.burst_value.has_value());
  EXPECT_EQ(*r.burst_value, 3);
  ASSERT_TRUE(r.below.has_value());
  EXPECT_TRUE(r.below_burst);
  EXPECT_EQ(r.below->verdict.kind, VerdictKind::Violated);
}

/// Orca plans without a free-block check: no argument for no_preemption, never PROVED.
TEST(WatermarkBurst, OrcaIsUnknownNotProved) {
  auto cfg = shipped("orca_safe");
  auto spec = spec_of(cfg);
  spec.properties = {PropertyId::NoPreemption};
  const auto r = prove_pipeline(cfg.model, spec, {}, SolverOptions{}, true);
  EXPECT_EQ(r.result.verdict.kind, VerdictKind::Unknown);
  ASSERT_EQ(r.no_argument.size(), 1u);
}

/// vLLM V0 (the watermark at every admission, prefill first): the same burst threshold by hand
/// (the third admission leaves 3 free, W <= 3), and the burst preempts at 3; never PROVED.
TEST(WatermarkBurst, V0RuleSameThresholdNeverProved) {
  auto cfg = shipped("buffer_vllm_watermark_every_n");
  auto spec = spec_of(cfg);
  auto p = with_param(cfg, "policy.watermark_blocks", 3, "--param");
  p.policy.watermark_only_when_busy = false;
  const auto s = burst_shape(p, spec);
  ASSERT_TRUE(s.threshold.has_value());
  EXPECT_EQ(*s.threshold, 3);
  EXPECT_TRUE(envelope_burst_witness(p, spec, {PropertyId::NoPreemption}).has_value());
  const auto r = prove_pipeline(p, spec, {}, SolverOptions{}, true);
  EXPECT_NE(r.result.verdict.kind, VerdictKind::Proved);
}

}  // namespace
}  // namespace kvcheck
