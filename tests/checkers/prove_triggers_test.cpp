// prove's resource-triggered first step, forced on and off (issue 19: "time-triggered paths
// forced on and off explicitly"). vLLM FCFS checks free blocks before every reservation, so its
// pool counter never exceeds the pool: the allocation invariant (pool counter <= pool, sizes
// >= 0, checked action by action) is inductive and implies kv_no_overflow, which makes it the
// whole proof at k = 1 (docs/z3-backend.md, "The allocation invariant"). With the trigger at 0
// work units prove must take that path and say so; with it off (-1) the same model is proved by
// plain k-induction, and the claim must not name the allocation invariant.
#include <gtest/gtest.h>

#include <string>

#include "checkers/k_induction.h"

namespace kvcheck {
namespace {

ModelParams vllm_fcfs_pool(std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = blocks;
  return p;
}

BmcSpec two_slots() {
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_hi = 2;
  spec.arrival_hi = 2;
  spec.max_k = 4;
  spec.properties = {PropertyId::KvNoOverflow};
  return spec;
}

SolverOptions solver_alone() {
  SolverOptions o;
  o.seed_runs = 0;
  o.lemma_after_work = -1;
  return o;
}

TEST(ProveTriggers, AllocationInvariantIsTheProofWhenForcedOn) {
  auto o = solver_alone();
  o.alloc_after_work = 0;
  const auto r = prove_k_induction(vllm_fcfs_pool(6), two_slots(), o);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved);
  EXPECT_EQ(r.verdict.reason, "inductive invariant, k = 1");
  EXPECT_NE(r.claim.find("inductive invariant"), std::string::npos) << r.claim;
}

TEST(ProveTriggers, PlainKInductionWhenTheTriggerIsOff) {
  auto o = solver_alone();
  o.alloc_after_work = -1;
  const auto r = prove_k_induction(vllm_fcfs_pool(6), two_slots(), o);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  EXPECT_NE(r.verdict.reason, "inductive invariant, k = 1");
  EXPECT_EQ(r.claim.find("pool counter"), std::string::npos) << r.claim;
}

}  // namespace
}  // namespace kvcheck
