// The watermark against preemption at the deployment's size and over the [bmc] slots
// (docs/z3-backend.md "Every N for no_preemption"); minutes-long in Debug, so not `fast`.
//
// Azure (configs/vllm_fcfs_azure_watermark.toml: 8,576 blocks of 16, lookahead 0, 256 seqs,
// 8,192-token chunked batches, prompts [2, 14050], outputs [7, 1000]), by hand:
//   a prompt of 10..16 tokens is admitted with ceil(P / 16) = 1 block and ends holding
//   ceil((P + 1000 - 1) / 16) = 64 blocks (P >= 10: 1,009 > 63 x 16); no prompt of the envelope
//   does better than 64 final blocks per admission block. 134 x 64 = 8,576 fit, so 135 are
//   needed; the 135th admission in one step leaves 8,576 - 135 = 8,441 free (135 x 16 = 2,160
//   tokens <= 8,192, 135 <= 256): every W <= 8,441 preempts. W >= 8,442: at most 134 blocks in
//   use after a busy admission, hence prompts of <= 2,144 tokens admitted whole, 64 final
//   blocks per held block at most, demand <= 134 x 64 = 8,576: no preemption. W* = 8,442.
//
// Tiny (configs/buffer_vllm_watermark_every_n.toml, worked out in watermark_burst_test.cpp):
// W* = 4; the [bmc] slots' proof (k-induction over 3 slots) and BMC agree.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "checkers/z3/buffer_search.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/seed_search.h"
#include "io/config.h"

namespace kvcheck {
namespace {

Config shipped(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / (name + ".toml"));
}

TEST(WatermarkDeployment, AzureBurstByHand) {
  const auto cfg = shipped("vllm_fcfs_azure_watermark");
  const auto spec = parse_bmc_spec(cfg);
  const auto s = burst_shape(cfg.model, spec);
  EXPECT_GE(s.prompt, 10);
  EXPECT_LE(s.prompt, 16);
  EXPECT_EQ(s.output, 1000);
  EXPECT_EQ(s.admit_blocks, 1);
  EXPECT_EQ(s.final_blocks, 64);
  EXPECT_EQ(s.needed, 135);
  ASSERT_TRUE(s.threshold.has_value());
  EXPECT_EQ(*s.threshold, 8441);
}

/// The burst at 8,441 preempts and replays; at 8,442 it completes without a preemption.
TEST(WatermarkDeployment, AzureBurstPreemptsAt8441Not8442) {
  const auto cfg = shipped("vllm_fcfs_azure_watermark");
  const auto spec = parse_bmc_spec(cfg);
  const auto below = with_param(cfg, "policy.watermark_blocks", 8441, "--param");
  const auto hint = envelope_burst_witness(below, spec, {PropertyId::NoPreemption});
  ASSERT_TRUE(hint.has_value());
  EXPECT_EQ(hint->workload.requests.size(), 135u);
  const Counterexample cex{hint->workload, hint->picks, hint->property, hint->step};
  EXPECT_TRUE(confirm_counterexample(below, cfg.time, cex, TraceMeta{}).reproduced);
  const auto at = with_param(cfg, "policy.watermark_blocks", 8442, "--param");
  EXPECT_FALSE(envelope_burst_witness(at, spec, {PropertyId::NoPreemption}).has_value());
}

/// The slots' answer equals the hand-derived W* = 4: PROVED at 4 for <= 3 requests, and a
/// replayed counterexample at 3 (BMC).
TEST(WatermarkDeployment, TinySlotsAgreeWithTheHandValue) {
  const auto cfg = shipped("buffer_vllm_watermark_every_n");
  const auto r = search_buffer(cfg, parse_bmc_spec(cfg), "policy.watermark_blocks", 3, 4,
                               SolverOptions{});
  ASSERT_TRUE(r.value.has_value()) << to_string(r.proof.verdict) << ": " << r.proof.verdict.reason;
  EXPECT_EQ(*r.value, 4);
  ASSERT_TRUE(r.below.has_value());
  EXPECT_EQ(r.below->verdict.kind, VerdictKind::Violated);
}

}  // namespace
}  // namespace kvcheck
