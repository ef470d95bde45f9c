// Every property predicate of properties/predicates.h shown FALSE on a hand-built bad state and
// TRUE on its nearest good neighbour (issue 19): on a hand-written view whose every field the
// test sets, and on the ConcreteView (restored residents, or a real step of a hand-computed
// schedule). The expected truth values are the definitions in properties/property.h
// (kProperties' descriptions), not the code's output.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "properties/predicates.h"
#include "properties/property.h"

namespace kvcheck {
namespace {

/// A view that is nothing but the fields the predicates read, each set by the test.
struct HandView {
  using Domain = Concrete;
  using Int = Concrete::Int;
  using Bool = Concrete::Bool;
  using Ref = int;

  ModelParams p;
  bool overflow = false, batch_empty = false;
  Int evictions = 0, preemptions = 0, used_blocks = 0, used_tokens = 0;
  Int arrived = 0, waiting = 0, running = 0, done = 0, rejected = 0;
  struct Req {
    Int generated, output, prompt = 1;
  };
  std::vector<Req> completed_reqs, running_reqs, waiting_reqs;

  const ModelParams& params() const { return p; }
  Bool step_overflow() const { return overflow; }
  Int step_evictions() const { return evictions; }
  Int step_preemptions() const { return preemptions; }
  Int step_used_blocks() const { return used_blocks; }
  Int step_used_tokens() const { return used_tokens; }
  Bool step_batch_empty() const { return batch_empty; }
  Int count_arrived() const { return arrived; }
  Int count_waiting() const { return waiting; }
  Int count_running() const { return running; }
  Int count_done() const { return done; }
  Int count_rejected() const { return rejected; }
  // Refs 0.. are completed requests, 1000.. running ones.
  int completed_bound() const { return static_cast<int>(completed_reqs.size()); }
  Ref completed_at(int k) const { return k; }
  Bool completed_valid(int) const { return true; }
  int running_bound() const { return static_cast<int>(running_reqs.size()); }
  Ref running_at(int k) const { return 1000 + k; }
  Bool running_valid(int) const { return true; }
  // Refs 2000.. are waiting ones.
  int waiting_bound() const { return static_cast<int>(waiting_reqs.size()); }
  Ref waiting_at(int k) const { return 2000 + k; }
  Bool waiting_valid(int) const { return true; }
  const Req& get(Ref r) const {
    if (r >= 2000) return waiting_reqs[static_cast<std::size_t>(r - 2000)];
    return r >= 1000 ? running_reqs[static_cast<std::size_t>(r - 1000)]
                     : completed_reqs[static_cast<std::size_t>(r)];
  }
  Int prompt(Ref r) const { return get(r).prompt; }
  Int computed(Ref) const { return 0; }
  Int generated(Ref r) const { return get(r).generated; }
  Int output(Ref r) const { return get(r).output; }
};

/// A good state: 10 blocks, everything consistent, a non-empty batch.
HandView good() {
  HandView v;
  v.p.engine.num_blocks = 10;
  v.p.classes = {{"a", 10, 20, 1.0, 4}};  // Alg. 1 bound 4 * (10*20 + (20 + 400)/2) = 1640
  v.used_blocks = 10;
  v.used_tokens = 1640;
  v.arrived = 7;
  v.waiting = 2;
  v.running = 2;
  v.done = 2;
  v.rejected = 1;
  v.completed_reqs = {{3, 3}, {1, 1}};
  v.running_reqs = {{0, 4}, {4, 5}};
  return v;
}

TEST(Predicates, GoodStateSatisfiesEveryProperty) {
  const auto v = good();
  for (const auto& p : kProperties) EXPECT_TRUE(holds(p.id, v)) << p.name;
}

/// `bad` breaks exactly property `id`: it is false there and every other property still holds.
void expect_only(PropertyId id, const HandView& bad) {
  for (const auto& p : kProperties)
    EXPECT_EQ(holds(p.id, bad), p.id != id) << "breaking " << info(id).name << ": " << p.name;
}

TEST(Predicates, KvNoOverflow) {
  auto v = good();
  v.overflow = true;
  expect_only(PropertyId::KvNoOverflow, v);
}

TEST(Predicates, KvWithinCapacity) {
  auto v = good();
  v.used_blocks = 11;  // one over the pool
  expect_only(PropertyId::KvWithinCapacity, v);
  v.used_blocks = 10;  // exactly full is fine
  EXPECT_TRUE(holds(PropertyId::KvWithinCapacity, v));
}

TEST(Predicates, NoEviction) {
  auto v = good();
  v.evictions = 1;
  expect_only(PropertyId::NoEviction, v);
}

TEST(Predicates, NoPreemption) {
  auto v = good();
  v.preemptions = 1;
  expect_only(PropertyId::NoPreemption, v);
}

TEST(Predicates, Conservation) {
  for (auto field : {&HandView::arrived, &HandView::waiting, &HandView::running, &HandView::done,
                     &HandView::rejected}) {
    auto v = good();
    v.*field += 1;  // any one count off by one breaks the balance
    expect_only(PropertyId::Conservation, v);
  }
}

TEST(Predicates, ExactDeliveryCompleted) {
  auto v = good();
  v.completed_reqs[1] = {2, 1};  // delivered one token too many
  expect_only(PropertyId::ExactDelivery, v);
  v.completed_reqs[1] = {0, 1};  // one too few
  expect_only(PropertyId::ExactDelivery, v);
}

TEST(Predicates, ExactDeliveryRunning) {
  auto v = good();
  v.running_reqs[1] = {5, 5};  // a running request that already has all its tokens
  expect_only(PropertyId::ExactDelivery, v);
  v.running_reqs[1] = {6, 5};  // or more
  expect_only(PropertyId::ExactDelivery, v);
  v.running_reqs[1] = {4, 5};  // one short is the neighbour that holds
  EXPECT_TRUE(holds(PropertyId::ExactDelivery, v));
}

TEST(Predicates, Alg1MemoryBound) {
  // Dong & Cao section 4.1: classes (10,20), (10,40), (10,60), budgets 4: sum b_k w_k = 16240.
  ModelParams p;
  p.classes = {{"a", 10, 20, 5.0, 4}, {"b", 10, 40, 5.0, 4}, {"c", 10, 60, 5.0, 4}};
  EXPECT_EQ(alg1_memory_bound(p), 16240);
  auto v = good();
  v.used_tokens = 1641;
  expect_only(PropertyId::Alg1MemoryBound, v);
}

TEST(Predicates, Progress) {
  auto v = good();
  v.batch_empty = true;  // requests waiting and running, nothing ran
  expect_only(PropertyId::Progress, v);
  v.waiting = 0;
  v.running = 0;
  v.done = 6;  // an empty system may idle
  v.running_reqs.clear();
  EXPECT_TRUE(holds(PropertyId::Progress, v));
  v.waiting = 1;  // one waiting request is enough to require a batch
  v.done = 5;
  EXPECT_FALSE(holds(PropertyId::Progress, v));
}

// --- the same on the ConcreteView -----------------------------------------------------------

Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = arrival;
  r.prompt = prompt;
  r.output = output;
  return r;
}

// Restored residents: a running request (prompt 2, output 3) that has generated 3 tokens breaks
// exact_delivery; with 2 it holds.
TEST(PredicatesConcrete, ExactDeliveryOnRestoredState) {
  ModelParams p;
  p.engine.num_blocks = 10;
  Workload w;
  w.requests = {req(0, 2, 3), req(0, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  for (std::int64_t gen : {1, 2, 3, 4}) {
    ConcreteView v(p, w, t, ch);
    RequestState a, b;
    a.status = Status::Running;
    a.computed = 2 + gen - 1;
    a.generated = gen;
    a.blocks = a.tokens = a.computed;
    a.admit_seq = 1;
    b.status = Status::Waiting;
    const RequestState res[] = {a, b};
    const ConcreteView::Ref waiting[] = {1}, running[] = {0};
    v.restore(res, waiting, running);
    EXPECT_EQ(exact_delivery(v), gen < 3) << "generated " << gen << " of 3";
    EXPECT_EQ(holds(PropertyId::ExactDelivery, v), gen < 3) << "generated " << gen << " of 3";
    EXPECT_TRUE(holds(PropertyId::Conservation, v));
  }
}

// A real overflow step (tests/models/engine_step_test.cpp's schedule): Alg. 1, 5 blocks,
// A (prompt 3, output 3) at step 0, B (prompt 2, output 3) at step 1. Step 0 fits (3 blocks);
// step 1's plan reserves 6 > 5 blocks: kv_no_overflow and no_eviction fail there, while
// kv_within_capacity (after the repair, 4 blocks), conservation and exact_delivery hold.
TEST(PredicatesConcrete, OverflowStep) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 5;
  p.classes = {{"c", 1, 1, 1.0, 10}};
  Workload w;
  w.requests = {req(0, 3, 3), req(1, 2, 3)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  for (auto id : {PropertyId::KvNoOverflow, PropertyId::NoEviction, PropertyId::KvWithinCapacity,
                  PropertyId::Conservation, PropertyId::ExactDelivery, PropertyId::NoPreemption,
                  PropertyId::Progress})
    EXPECT_TRUE(holds(id, v)) << info(id).name << " at step 0";
  engine_step(v);
  EXPECT_FALSE(holds(PropertyId::KvNoOverflow, v));
  EXPECT_FALSE(holds(PropertyId::NoEviction, v));
  for (auto id : {PropertyId::KvWithinCapacity, PropertyId::Conservation,
                  PropertyId::ExactDelivery, PropertyId::NoPreemption, PropertyId::Progress})
    EXPECT_TRUE(holds(id, v)) << info(id).name << " at step 1";
}

// vLLM FCFS preempts (LIFO recompute) when a running request cannot grow: 3 blocks, A and B
// (prompt 1, output 3) at step 0.
//   step 0: A prefill (1 block), B prefill (1 block): 2 blocks. Both gen 1.
//   step 1: A decode 2 blocks, B decode 2 blocks: 4 > 3, so the newest (B) is preempted by the
//           policy before it reserves: no_preemption fails, kv_no_overflow holds.
TEST(PredicatesConcrete, PreemptionStep) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 3;
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_TRUE(holds(PropertyId::NoPreemption, v));
  engine_step(v);
  EXPECT_FALSE(holds(PropertyId::NoPreemption, v));
  EXPECT_EQ(v.last_step().preempted, std::vector<std::int32_t>{1});
  EXPECT_TRUE(holds(PropertyId::KvNoOverflow, v));
  EXPECT_TRUE(holds(PropertyId::Conservation, v));
  EXPECT_TRUE(holds(PropertyId::ExactDelivery, v));
}

}  // namespace
}  // namespace kvcheck
