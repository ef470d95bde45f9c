// The allocation invariant (checkers/z3/allocation_invariant.h): shown on a guarded policy (vLLM
// FCFS), where it ends deep BMC and proves; not shown where the pool can overflow (Orca plans
// without a memory check) or where another property fails (vLLM preempts on a tiny pool), and
// then BMC still finds the violation. The shape check on hand-built terms.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "checkers/z3/allocation_invariant.h"
#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/k_induction.h"
#include "io/config.h"

namespace kvcheck {
namespace {

using D = Symbolic;

/// configs/bmc_vllm_fcfs_n8.toml (vLLM FCFS, 8 blocks of 2 tokens, prompts and outputs 1..4,
/// arrivals 0..8) with 3 slots, under policy `kind`, checking `props`.
struct Model {
  ModelParams params;
  BmcSpec spec;
};
Model n8_config(PolicyKind kind, std::vector<PropertyId> props) {
  const auto cfg = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" /
                               "bmc_vllm_fcfs_n8.toml");
  Model m{cfg.model, parse_bmc_spec(cfg)};
  m.params.policy.kind = kind;
  m.params.policy.max_batch_seqs = 4;
  m.spec.slots = 3;
  m.spec.properties = std::move(props);
  return m;
}

SolverOptions alloc_first() {
  SolverOptions o;
  o.alloc_after_work = 0;
  o.lemma_after_work = -1;
  o.seed_runs = 0;
  return o;
}

TEST(AllocationInvariant, ShownForVllmFcfsAndEndsDeepBmc) {
  const auto [p, spec] = n8_config(PolicyKind::VllmFcfs, {PropertyId::KvNoOverflow});
  BmcSession s(p, spec, alloc_first(), false);
  EXPECT_TRUE(s.implied_by_allocation_invariant(0));
  const auto r = run_bmc(p, spec, 40, alloc_first());
  EXPECT_EQ(r.verdict.kind, VerdictKind::BoundedOk) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.depth, 40);
  EXPECT_NE(r.verdict.reason.find("allocation invariant"), std::string::npos) << r.verdict.reason;
  const auto proof = prove_k_induction(p, spec, alloc_first());
  EXPECT_EQ(proof.verdict.kind, VerdictKind::Proved) << proof.verdict.reason;
  EXPECT_NE(proof.claim.find("pool counter <= 8 blocks"), std::string::npos) << proof.claim;
}

// Known-unsafe: Orca plans without a memory check, so the counter can pass the pool; the
// attempt fails and BMC reports the (replayed) overflow.
TEST(AllocationInvariant, NotShownWhereThePoolCanOverflow) {
  const auto [p, spec] = n8_config(PolicyKind::Orca, {PropertyId::KvNoOverflow});
  BmcSession s(p, spec, alloc_first(), false);
  EXPECT_FALSE(s.implied_by_allocation_invariant(0));
  const auto r = run_bmc(p, spec, 8, alloc_first());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.reason, "kv_no_overflow");
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, *r.cex, {}).reproduced);
  auto shallow = spec;
  shallow.max_k = 1;
  EXPECT_NE(prove_k_induction(p, shallow, alloc_first()).verdict.kind, VerdictKind::Proved);
}

// The invariant keeps the pool, not every property: vLLM preempts on this pool, so with
// no_preemption requested the attempt fails at the property check and BMC finds it.
TEST(AllocationInvariant, NotShownWhenAnotherPropertyFails) {
  const auto [p, spec] =
      n8_config(PolicyKind::VllmFcfs, {PropertyId::KvNoOverflow, PropertyId::NoPreemption});
  BmcSession s(p, spec, alloc_first(), false);
  EXPECT_FALSE(s.implied_by_allocation_invariant(0));
  const auto r = run_bmc(p, spec, 8, alloc_first());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.reason, "no_preemption");
}

TEST(AllocationInvariant, ShapeCheck) {
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto x = D::var("x"), y = D::var("y"), v = D::var("v");
  const auto c = D::var("c") > D::lit(0), d = D::var("d") > D::lit(0);
  const std::vector<SymInt> base{x, y};
  const std::vector<GuardedValue> stores{{c, v}};
  EXPECT_TRUE(nonneg_by_shape(D::lit(3), base, stores));
  EXPECT_FALSE(nonneg_by_shape(D::lit(-1), base, stores));
  EXPECT_TRUE(nonneg_by_shape(x + y + D::lit(2), base, stores));
  EXPECT_FALSE(nonneg_by_shape(x - y, base, stores));
  EXPECT_TRUE(nonneg_by_shape(D::select(c, x, D::lit(0)), base, stores));
  EXPECT_FALSE(nonneg_by_shape(D::select(c, x - D::lit(1), D::lit(0)), base, stores));
  // v is known >= 0 only where c holds: in c's then-branch, not under d, not in an else.
  EXPECT_TRUE(nonneg_by_shape(D::select(c, v, y), base, stores));
  EXPECT_FALSE(nonneg_by_shape(D::select(d, v, y), base, stores));
  EXPECT_FALSE(nonneg_by_shape(D::select(c, y, v), base, stores));
  EXPECT_FALSE(nonneg_by_shape(v, base, stores));
}

}  // namespace
}  // namespace kvcheck
