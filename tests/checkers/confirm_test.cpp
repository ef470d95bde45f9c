// The concrete confirmation of solver counterexamples (checkers/z3/confirm.h) must ACCEPT only a
// counterexample whose concrete run violates the same property at the same step with the
// choices it carries, and REJECT every other claim (issue 19). The violations are hand-computed
// schedules (comments), not the code's output.
#include <gtest/gtest.h>

#include "checkers/z3/confirm.h"

namespace kvcheck {
namespace {

Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = arrival;
  r.prompt = prompt;
  r.output = output;
  return r;
}

// Dong & Cao Alg. 1 (no memory check), one class of budget 10, 5 blocks, block_size 1:
// A (prompt 3, output 3) at step 0, B (prompt 2, output 3) at step 1.
//   step 0: A prefill 3 -> 3 blocks, fits.
//   step 1: A decode (4 blocks) + B prefill (2 blocks) = 6 > 5: kv_no_overflow and no_eviction
//           fail, first at step 1. (step 2 overflows again: 5 + 2 = 7.)
//   no_preemption never fails (Alg. 1 never preempts; the engine evicts).
struct Alg1Overflow {
  ModelParams params;
  TimeModel time;
  Counterexample cex;
  Alg1Overflow() {
    params.policy.kind = PolicyKind::P1ClassBudgets;
    params.engine.num_blocks = 5;
    params.classes = {{"c", 1, 1, 1.0, 10}};
    cex.workload.requests = {req(0, 3, 3), req(1, 2, 3)};
    cex.property = PropertyId::KvNoOverflow;
    cex.step = 1;
  }
  Confirmation confirm() const { return confirm_counterexample(params, time, cex, {}); }
};

TEST(Confirm, AcceptsTheHandComputedViolation) {
  Alg1Overflow f;
  auto c = f.confirm();
  EXPECT_TRUE(c.reproduced) << c.detail;
  EXPECT_EQ(c.trace.meta.violated_property, "kv_no_overflow");
  EXPECT_EQ(c.trace.meta.violation_step, 1);
  f.cex.property = PropertyId::NoEviction;
  c = f.confirm();
  EXPECT_TRUE(c.reproduced) << c.detail;
}

// The property does fail, but first at step 1: a claim of step 2 (or any later step) is not the
// counterexample the solver reported, and a claim of step 0 is false.
TEST(Confirm, RejectsWrongStep) {
  for (std::int64_t step : {0, 2, 3}) {
    Alg1Overflow f;
    f.cex.step = step;
    const auto c = f.confirm();
    EXPECT_FALSE(c.reproduced) << "claimed step " << step;
    EXPECT_FALSE(c.detail.empty());
  }
}

TEST(Confirm, RejectsWrongProperty) {
  for (auto id : {PropertyId::NoPreemption, PropertyId::KvWithinCapacity,
                  PropertyId::Conservation, PropertyId::ExactDelivery}) {
    Alg1Overflow f;
    f.cex.property = id;
    const auto c = f.confirm();
    EXPECT_FALSE(c.reproduced) << info(id).name;
  }
}

// A workload that does not overflow: B arrives with a 1-token prompt and A's output is 2, so
//   step 0: A prefill 3 (3 blocks); step 1: A decode (4) + B prefill (1) = 5 <= 5, A done;
//   step 2: B decode (2). No overflow anywhere.
TEST(Confirm, RejectsWhenTheWorkloadDoesNotViolate) {
  Alg1Overflow f;
  f.cex.workload.requests = {req(0, 3, 2), req(1, 1, 3)};
  for (std::int64_t step : {0, 1, 2}) {
    f.cex.step = step;
    EXPECT_FALSE(f.confirm().reproduced) << step;
  }
}

// Dong & Cao Alg. 2 with a random budget B_t in [1, 2], 3 blocks, block_size 1, lookahead 0:
// A and B (prompt 1, output 3) at step 0.
//   step 0, B_0 = 2: both admitted (1 block each, 2 <= 3).
//   step 1: U = A 2 + B 2 = 4 > 3: B (the most recently activated) is preempted: no_preemption
//           fails at step 1. Algorithm 2 draws B_t every step, so the counterexample needs two
//           picks, {{2}, {b}}.
//   With B_0 = 1 only A is admitted at step 0 and nothing is preempted at step 1.
struct FlowControl {
  ModelParams params;
  TimeModel time;
  Counterexample cex;
  FlowControl() {
    params.policy.kind = PolicyKind::P1FlowControl;
    params.policy.flow_budget_min = 1;
    params.policy.flow_budget_max = 2;
    params.engine.num_blocks = 3;
    cex.workload.requests = {req(0, 1, 3), req(0, 1, 3)};
    cex.property = PropertyId::NoPreemption;
    cex.step = 1;
    cex.picks = {{2}, {1}};
  }
  Confirmation confirm() const { return confirm_counterexample(params, time, cex, {}); }
};

TEST(Confirm, AcceptsWithAllItsChoices) {
  const auto c = FlowControl().confirm();
  EXPECT_TRUE(c.reproduced) << c.detail;
  EXPECT_EQ(c.trace.meta.violation_step, 1);
}

TEST(Confirm, RejectsTooFewChoices) {
  FlowControl f;
  f.cex.picks = {{2}};  // step 1's draw is missing (the violation would still happen)
  auto c = f.confirm();
  EXPECT_FALSE(c.reproduced);
  EXPECT_NE(c.detail.find("choices exhausted"), std::string::npos) << c.detail;
  f.cex.picks = {};
  EXPECT_FALSE(f.confirm().reproduced);
}

TEST(Confirm, RejectsChoicesThatLeadElsewhere) {
  FlowControl f;
  f.cex.picks = {{1}, {1}};  // B_0 = 1: nothing is preempted at step 1
  EXPECT_FALSE(f.confirm().reproduced);
  f.cex.picks = {{3}, {1}};  // out of [1, 2]: not a valid draw
  EXPECT_FALSE(f.confirm().reproduced);
}

}  // namespace
}  // namespace kvcheck
