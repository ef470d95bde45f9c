// Worked examples from papers.md, run on the concrete engine: each asserts the behaviour the
// paper states and would fail if the policy definition drifted.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "properties/predicates.h"
#include "properties/property.h"

namespace kvcheck {
namespace {

Workload steps_workload(std::int64_t n, std::int64_t prompt, std::int64_t output,
                        std::int64_t per_step, std::int64_t klass = 0) {
  Workload w;
  for (std::int64_t i = 0; i < n; ++i) {
    Request r;
    r.arrival_step = i / per_step;
    r.prompt = prompt;
    r.output = output;
    r.klass = klass;
    w.requests.push_back(r);
  }
  return w;
}

struct Batch {
  std::int64_t prefills = 0, decodes = 0;
  bool operator==(const Batch&) const = default;
};

Batch batch_of(const ConcreteView& v) {
  Batch b;
  for (const auto& [r, n] : v.last_step().batch) {
    (void)n;
    // after the iteration, a prefill has produced exactly its first token
    if (v.state(r).generated == 1)
      ++b.prefills;
    else
      ++b.decodes;
  }
  return b;
}

// P2 Example 2 (Appendix C.4): l = 1, l' = 1 (o = 2 tokens incl. the prefill's), C = 12, a
// backlog of waiting prompts: FCFS falls into the cycle (12,0) -> evict 6 -> (0,6).
TEST(P2Example2, FcfsTrapCycleCompletesSixPerTwoIterations) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Fcfs;
  p.engine.num_blocks = 12;
  const auto w = steps_workload(120, 1, 2, 120);  // all waiting at step 0
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  std::vector<Batch> batches;
  std::vector<std::int64_t> completions;
  for (int i = 0; i < 8; ++i) {
    engine_step(v);
    batches.push_back(batch_of(v));
    completions.push_back(static_cast<std::int64_t>(v.last_step().completed.size()));
  }
  for (int i = 0; i < 8; i += 2) {
    EXPECT_EQ(batches[static_cast<std::size_t>(i)], (Batch{12, 0})) << "iteration " << i;
    EXPECT_EQ(batches[static_cast<std::size_t>(i + 1)], (Batch{0, 6})) << "iteration " << i + 1;
    EXPECT_EQ(completions[static_cast<std::size_t>(i + 1)], 6);
  }
}

// P1 section 4.1: classes (10,20), (10,40), (10,60), budgets (4,4,4), M = 16492. Under a
// saturating backlog Algorithm 1's KV settles at exactly sum b_k w_k = 16240 and never exceeds
// it, and nothing is evicted.
TEST(P1Alg1, KvStaysAtBudgetBoundWithoutEviction) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 16492;
  p.engine.lookahead = 1;
  p.classes = {{"a", 10, 20, 5.0, 4}, {"b", 10, 40, 5.0, 4}, {"c", 10, 60, 5.0, 4}};
  ASSERT_EQ(alg1_memory_bound(p), 16240);
  Workload w;
  for (int s = 0; s < 300; ++s)
    for (int k = 0; k < 3; ++k)
      for (int i = 0; i < 5; ++i) {
        Request r;
        r.arrival_step = s;
        r.prompt = 10;
        r.output = 20 * (k + 1);
        r.klass = k;
        w.requests.push_back(r);
      }
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  std::int64_t peak = 0;
  for (int i = 0; i < 300; ++i) {
    engine_step(v);
    peak = std::max(peak, v.last_step().used_tokens);
    ASSERT_TRUE(holds(PropertyId::KvNoOverflow, v)) << "step " << i;
    ASSERT_TRUE(holds(PropertyId::NoEviction, v)) << "step " << i;
    ASSERT_TRUE(holds(PropertyId::Alg1MemoryBound, v)) << "step " << i;
    ASSERT_TRUE(holds(PropertyId::Conservation, v)) << "step " << i;
    ASSERT_TRUE(holds(PropertyId::ExactDelivery, v)) << "step " << i;
  }
  EXPECT_EQ(peak, 16240);
  EXPECT_EQ(v.last_step().used_tokens, 16240);
}

// With budgets (5,5,5), sum b_k w_k = 20300 > M: the pool overflows.
TEST(P1Alg1, BudgetsBreakingInequality2Overflow) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 16492;
  p.engine.lookahead = 1;
  p.classes = {{"a", 10, 20, 5.0, 5}, {"b", 10, 40, 5.0, 5}, {"c", 10, 60, 5.0, 5}};
  Workload w;
  for (int s = 0; s < 200; ++s)
    for (int k = 0; k < 3; ++k)
      for (int i = 0; i < 6; ++i) {
        Request r;
        r.arrival_step = s;
        r.prompt = 10;
        r.output = 20 * (k + 1);
        r.klass = k;
        w.requests.push_back(r);
      }
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  bool overflowed = false;
  for (int i = 0; i < 200 && !overflowed; ++i) {
    engine_step(v);
    overflowed = !holds(PropertyId::KvNoOverflow, v);
    ASSERT_TRUE(holds(PropertyId::KvWithinCapacity, v));
    ASSERT_TRUE(holds(PropertyId::Conservation, v));
  }
  EXPECT_TRUE(overflowed);
}

}  // namespace
}  // namespace kvcheck

namespace kvcheck {
namespace {

// P2 WAIT on Example 2's instance with threshold n = 4 (M^pi = 4*2*1.5 = 12 <= C): after the
// backlog drains to the threshold rhythm, every iteration is 4 prefills + 4 decodes, 4
// completions, and nothing is ever preempted or evicted.
TEST(P2Wait, Example2ThresholdKeepsFluidRhythm) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 12;
  p.classes = {{"p1d1", 1, 2, 4.0, 0, 4}};
  Workload w;
  for (int s = 0; s < 60; ++s)
    for (int i = 0; i < 4; ++i) {
      Request r;
      r.arrival_step = s;
      r.prompt = 1;
      r.output = 2;
      w.requests.push_back(r);
    }
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  for (int i = 0; i < 50; ++i) {
    engine_step(v);
    ASSERT_TRUE(holds(PropertyId::NoPreemption, v)) << "step " << i;
    ASSERT_TRUE(holds(PropertyId::KvNoOverflow, v)) << "step " << i;
    ASSERT_TRUE(holds(PropertyId::ExactDelivery, v)) << "step " << i;
    if (i >= 1) {
      EXPECT_EQ(v.last_step().batch.size(), 8U) << "step " << i;
      EXPECT_EQ(v.last_step().completed.size(), 4U) << "step " << i;
    }
  }
  EXPECT_EQ(v.waiting().size(), 0U);
}

// P2 WAIT keeps one counter per (type, decode stage): stages 1..o_j - 1 of every type, so a
// type with o = 2 has one stage and another type's stage 1 is a different counter. A (prompt 1,
// output 2, n = 1) and B (prompt 1, output 3, n = 1); one of each arrives at steps 0 and 1
// (both types stay eligible: a waiting count >= n). By hand:
//   step 0: no residents; admit A0 and B0 (a prefill each).        batch {A0: 1, B0: 1}
//   step 1: residents A0 (type A, stage 1) and B0 (type B, stage 1): each is the first of its
//           own counter (< n = 1), both decode; admit A1 and B1.    batch of 4
// Were the two stage-1 counters one, B0 would find it taken by A0 and wait: a batch of 3.
TEST(P2Wait, EachTypeCountsItsOwnStagesEvenWithOneDecodeStage) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 64;
  p.classes = {{"A", 1, 2, 1.0, 0, 1}, {"B", 1, 3, 1.0, 0, 1}};
  Workload w;
  for (int s = 0; s < 2; ++s)
    for (int k = 0; k < 2; ++k) {
      Request r;
      r.arrival_step = s;
      r.prompt = 1;
      r.output = k == 0 ? 2 : 3;
      r.klass = k;
      w.requests.push_back(r);
    }
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().batch.size(), 2U);
  engine_step(v);
  std::vector<ConcreteView::Ref> ids;
  for (const auto& [r, n] : v.last_step().batch) ids.push_back(r);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<ConcreteView::Ref>{0, 1, 2, 3}));
}

// Li, Dai, Peng: work-conserving Sarathi carries a load that FasterTransformer-style batching
// cannot. b_max = 16 tokens, requests (8 prompt, 8 output), 3 arrivals every 4 steps:
// 12 tokens/step of work < 16. Sarathi's queue stays bounded; FT's grows.
std::size_t queue_after(PolicyKind kind, int steps) {
  ModelParams p;
  p.policy.kind = kind;
  p.engine.num_blocks = 1 << 20;
  p.engine.max_batched_tokens = 16;
  p.engine.chunked_prefill = true;
  Workload w;
  for (int s = 0; s < steps; s += 4)
    for (int i = 0; i < 3; ++i) {
      Request r;
      r.arrival_step = s;
      r.prompt = 8;
      r.output = 8;
      w.requests.push_back(r);
    }
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  for (int i = 0; i < steps; ++i) {
    engine_step(v);
    EXPECT_TRUE(holds(PropertyId::ExactDelivery, v));
    EXPECT_TRUE(holds(PropertyId::Conservation, v));
  }
  return v.waiting().size();
}

TEST(P4Policies, WorkConservingPoliciesCarryLoadThatFasterTransformerCannot) {
  const auto sarathi = queue_after(PolicyKind::Sarathi, 400);
  const auto orca = queue_after(PolicyKind::Orca, 400);
  const auto ft = queue_after(PolicyKind::FasterTransformer, 400);
  EXPECT_LE(sarathi, 6U);
  EXPECT_LE(orca, 6U);
  EXPECT_GE(ft, 100U);  // ~2 admitted per 8-step cycle against 6 arrivals
  EXPECT_GE(queue_after(PolicyKind::FasterTransformer, 800), 2 * ft - 10);  // keeps growing
}

// Li, Dai, Peng section 4.3: k_max (policy.max_batch_seqs) counts the requests in the batch; a
// running request still in prefill gets no decode token, so it takes no seat in the decode
// pass and keeps its seat for its prefill chunk. Sarathi, b_max = 4, k_max = 2; A (prompt 1,
// output 3) and B (prompt 8, output 1) wait at step 0. By hand:
//   step 0: no decoders; prefill FCFS: A's 1 token (budget 4 -> 3, seats 2 -> 1), B's chunk
//           min(8, 3) = 3 (budget 0, seats 0). A has its first token; B has 3 of 8 computed.
//   step 1: decode pass: A decodes (budget 3, seats 1); B is in prefill: no token, no seat.
//           Prefill pass: B's chunk min(5, 3) = 3 (seats 1 -> 0). Batch {A: 1, B: 3}.
TEST(P4Policies, SarathiSeatsOnlyTheRequestsItSchedules) {
  ModelParams p;
  p.policy.kind = PolicyKind::Sarathi;
  p.engine.num_blocks = 1 << 20;
  p.engine.max_batched_tokens = 4;
  p.engine.chunked_prefill = true;
  p.policy.max_batch_seqs = 2;
  Workload w;
  w.requests.resize(2);
  w.requests[0].prompt = 1;
  w.requests[0].output = 3;
  w.requests[1].prompt = 8;
  w.requests[1].output = 1;
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  using Sched = std::vector<std::pair<ConcreteView::Ref, std::int64_t>>;
  const auto batch = [&v] {
    Sched b;
    for (const auto& [r, n] : v.last_step().batch) b.emplace_back(r, n);
    std::sort(b.begin(), b.end());
    return b;
  };
  engine_step(v);
  EXPECT_EQ(batch(), (Sched{{0, 1}, {1, 3}}));
  engine_step(v);
  EXPECT_EQ(batch(), (Sched{{0, 1}, {1, 3}}));
  EXPECT_EQ(v.state(1).computed, 6);
}

}  // namespace
}  // namespace kvcheck
