// The seed search (random simulation inside the [bmc] bounds before BMC): its witnesses lie
// within the bounds and violate at the step they claim; it finds nothing on a safe model; and
// BMC seeded with it reports the paper-scale Example 2 trap at the minimal depth.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/seed_search.h"
#include "io/config.h"

namespace kvcheck {
namespace {

Config load(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / name);
}

TEST(SeedSearch, WitnessIsWithinBoundsAndReplays) {
  const auto cfg = load("bmc_vllm_cascade.toml");
  const auto spec = parse_bmc_spec(cfg);
  const auto hint = seed_search(cfg.model, spec, spec.depth, 2000, 1);
  ASSERT_TRUE(hint.has_value());
  EXPECT_TRUE(within_spec(cfg.model, spec, hint->workload));
  const Counterexample cex{hint->workload, hint->picks, hint->property, hint->step};
  const auto c = confirm_counterexample(cfg.model, cfg.time, cex, {});
  EXPECT_TRUE(c.reproduced) << c.detail;
}

// The symbolic unrolling with the witness's inputs fixed agrees with the simulator: the
// property holds before the witness's step and fails at it.
TEST(SeedSearch, SymbolicUnrollingAgreesWithTheWitness) {
  for (const auto* name : {"bmc_vllm_cascade.toml", "z3_p1_alg1_unsafe.toml"}) {
    const auto cfg = load(name);
    const auto spec = parse_bmc_spec(cfg);
    const auto hint = seed_search(cfg.model, spec, spec.depth, 2000, 7);
    ASSERT_TRUE(hint.has_value()) << name;
    const auto idx = static_cast<std::size_t>(
        std::find(spec.properties.begin(), spec.properties.end(), hint->property) -
        spec.properties.begin());
    ASSERT_LT(idx, spec.properties.size());
    BmcSession s(cfg.model, spec, {}, false);
    SymbolicScope scope(s.ctx());
    const auto fixed = s.unroller().fixes(hint->workload);
    for (std::int64_t t = 0; t <= hint->step; ++t) {
      const auto props = s.extend(false);
      const auto r = s.query(fixed && !props[idx], "witness_" + std::to_string(t));
      EXPECT_EQ(r.result, t == hint->step ? z3::sat : z3::unsat) << name << " step " << t;
    }
  }
}

TEST(SeedSearch, NothingOnASafeModel) {
  const auto cfg = load("vllm_fcfs_safe.toml");
  const auto spec = parse_bmc_spec(cfg);
  EXPECT_FALSE(seed_search(cfg.model, spec, spec.depth, 500, 1).has_value());
}

TEST(SeedSearch, WithinSpecRejectsWorkloadsOutsideTheBounds) {
  const auto cfg = load("bmc_vllm_cascade.toml");  // 4 slots, prompt/output 1..4, arrival 0..2
  const auto spec = parse_bmc_spec(cfg);
  Workload w;
  w.requests = {{0, 0.0, 2, 2, 0}, {1, 1.0, 4, 1, 0}};
  EXPECT_TRUE(within_spec(cfg.model, spec, w));
  auto late = w;
  late.requests[1].arrival_step = 3;
  EXPECT_FALSE(within_spec(cfg.model, spec, late));
  auto unsorted = w;
  unsorted.requests[0].arrival_step = 2;
  EXPECT_FALSE(within_spec(cfg.model, spec, unsorted));
  auto long_prompt = w;
  long_prompt.requests[0].prompt = 5;
  EXPECT_FALSE(within_spec(cfg.model, spec, long_prompt));
  auto many = w;
  many.requests.resize(5, w.requests[1]);
  EXPECT_FALSE(within_spec(cfg.model, spec, many));
  EXPECT_FALSE(within_spec(cfg.model, spec, Workload{}));
}

TEST(SeedSearch, PaperScaleExample2AtMinimalDepth) {
  const auto cfg = load("bmc_p2_example2_paper.toml");
  const auto spec = parse_bmc_spec(cfg);
  const auto r = run_bmc(cfg.model, spec, spec.depth, {});
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.reason, "no_preemption");
  EXPECT_EQ(r.verdict.depth, 1);
  ASSERT_TRUE(r.cex.has_value());
  EXPECT_TRUE(confirm_counterexample(cfg.model, cfg.time, *r.cex, {}).reproduced);
  // Depth 0 is unsat for every workload (the solver, not the seed, says so).
  EXPECT_EQ(run_bmc(cfg.model, spec, 1, {}).verdict.kind, VerdictKind::BoundedOk);
}

}  // namespace
}  // namespace kvcheck
