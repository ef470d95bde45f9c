// The property predicates on the SYMBOLIC view (issue 19): the Z3 unrolling with its inputs
// pinned to a hand-computed workload must make each property false exactly at the steps the
// hand schedule says and true elsewhere (the concrete side is tests/properties/predicates_test).
// Driven like tests/checkers/differential_test.cpp.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/unroller.h"
#include "properties/property.h"

namespace kvcheck {
namespace {

Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = arrival;
  r.prompt = prompt;
  r.output = output;
  return r;
}

/// Every property's value after each of `steps` steps of the symbolic model pinned to `w` and
/// to `picks` (per step, in call order).
std::vector<std::map<PropertyId, bool>> symbolic_props(
    const ModelParams& p, const Workload& w, int steps,
    const std::vector<std::vector<std::int64_t>>& picks = {}) {
  z3::context ctx;
  BmcSpec spec;
  spec.slots = static_cast<int>(w.requests.size());
  spec.arrival_hi = 100;
  Unroller u(ctx, p, spec);
  z3::solver solver(ctx);
  SymbolicScope scope(ctx);
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    const auto& r = w.requests[i];
    const auto& in = u.inputs()[i];
    solver.add(in.arrival.e == ctx.int_val(r.arrival_step));
    solver.add(in.prompt.e == ctx.int_val(r.prompt));
    solver.add(in.output.e == ctx.int_val(r.output));
    solver.add(in.klass.e == ctx.int_val(r.klass));
  }
  std::vector<PropertyId> ids;
  for (const auto& pi : kProperties)  // Alg. 1's bound is 0 without classes: not applicable
    if (pi.id != PropertyId::Alg1MemoryBound || !p.classes.empty()) ids.push_back(pi.id);
  std::vector<Unroller::Step> done;
  auto state = u.initial();
  for (int t = 0; t < steps; ++t) {
    std::string tag = "t";
    tag += std::to_string(t);
    done.push_back(u.step(state, tag, ids));
    for (const auto& c : done.back().side) solver.add(c.e);
    const auto& ps = done.back().obs.picks;
    for (std::size_t j = 0; j < ps.size(); ++j) {
      const auto& step_picks = picks.at(static_cast<std::size_t>(t));
      solver.add(ps[j].e == ctx.int_val(step_picks.at(j)));
    }
    std::vector<SymBool> eqs;
    state = u.cut(done.back().post, std::to_string(t + 1), eqs);
    for (const auto& e : eqs) solver.add(e.e);
  }
  EXPECT_EQ(solver.check(), z3::sat);
  const auto m = solver.get_model();
  std::vector<std::map<PropertyId, bool>> out;
  for (const auto& s : done) {
    out.emplace_back();
    for (std::size_t k = 0; k < ids.size(); ++k) out.back()[ids[k]] = Unroller::value(m, s.props[k]);
  }
  return out;
}

void expect_false_exactly(const std::vector<std::map<PropertyId, bool>>& got,
                          const std::map<PropertyId, std::vector<int>>& false_at) {
  for (std::size_t t = 0; t < got.size(); ++t)
    for (const auto& [id, value] : got[t]) {
      bool expect = true;
      if (const auto it = false_at.find(id); it != false_at.end())
        for (int s : it->second) expect = expect && s != static_cast<int>(t);
      EXPECT_EQ(value, expect) << info(id).name << " after step " << t;
    }
}

// tests/models/engine_step_test.cpp's schedule: Alg. 1, 5 blocks; A (3, 3) at 0, B (2, 3) at 1.
// Steps 1 and 2 overflow (plans of 6 and 7 blocks) and evict B; the repair keeps 4 and 5 <= 5;
// nothing is preempted; every request is delivered exactly. Alg. 1's bound: one class (1, 1)
// of budget 10, 10 * (1 + 1) = 20 tokens >= the 5 in use; progress holds (batches never empty).
TEST(SymbolicPredicates, Alg1OverflowStepsAreExactlyTheHandOnes) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 5;
  p.classes = {{"c", 1, 1, 1.0, 10}};
  Workload w;
  w.requests = {req(0, 3, 3), req(1, 2, 3)};
  expect_false_exactly(symbolic_props(p, w, 6), {{PropertyId::KvNoOverflow, {1, 2}},
                                                 {PropertyId::NoEviction, {1, 2}}});
}

// Alg. 1's memory bound made tight: budget 1 of a class (1, 1): 1 * (1 + 1) = 2 tokens, while A
// alone reserves 3 at step 0 (prompt 3), then 4 and 5.
TEST(SymbolicPredicates, Alg1MemoryBoundFailsWhenTheBudgetIsTooSmall) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 5;
  p.classes = {{"c", 1, 1, 1.0, 1}};
  Workload w;
  w.requests = {req(0, 3, 3)};
  expect_false_exactly(symbolic_props(p, w, 3), {{PropertyId::Alg1MemoryBound, {0, 1, 2}}});
}

// tests/checkers/confirm_test.cpp's Alg. 2 schedule: B_0 = 2 admits both; at step 1 U = 4 > 3
// preempts B. With B_0 = 1 nothing is preempted in the first two steps.
TEST(SymbolicPredicates, FlowControlPreemptionFollowsThePicks) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1FlowControl;
  p.policy.flow_budget_min = 1;
  p.policy.flow_budget_max = 2;
  p.engine.num_blocks = 3;
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3)};
  expect_false_exactly(symbolic_props(p, w, 2, {{2}, {1}}), {{PropertyId::NoPreemption, {1}}});
  expect_false_exactly(symbolic_props(p, w, 2, {{1}, {1}}), {});
}

// Progress: a request that arrives at step 2 leaves steps 0 and 1 empty with nothing waiting
// (progress holds), then it is served (holds). Every property holds throughout.
TEST(SymbolicPredicates, IdleStepsBeforeAnArrivalKeepProgress) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 4;
  Workload w;
  w.requests = {req(2, 2, 2)};
  expect_false_exactly(symbolic_props(p, w, 4), {});
}

// Blocks of 2 tokens (ceil, not the block_size-1 shortcut). Alg. 1, class (1, 1) budget 10:
// A (prompt 5, output 2) and B (prompt 1, output 2) at step 0.
//   pool 4: step 0: A ceil(5/2) = 3 + B ceil(1/2) = 1 = 4 <= 4; step 1: A ceil(6/2) = 3 +
//           B ceil(2/2) = 1 = 4: both done, no overflow.
//   pool 3: step 0: 4 > 3, B evicted; step 1: A 3 + B 1 = 4 > 3 again, B evicted, A done;
//           step 2: B 1 block; step 3: B 1 block, done.
TEST(SymbolicPredicates, BlocksRoundUpAtBlockSizeTwo) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.block_size = 2;
  p.engine.num_blocks = 4;
  p.classes = {{"c", 1, 1, 1.0, 10}};
  Workload w;
  w.requests = {req(0, 5, 2), req(0, 1, 2)};
  expect_false_exactly(symbolic_props(p, w, 2), {});
  p.engine.num_blocks = 3;
  expect_false_exactly(symbolic_props(p, w, 4), {{PropertyId::KvNoOverflow, {0, 1}},
                                                 {PropertyId::NoEviction, {0, 1}}});
}

/// Each slot's (status, queue position) after each of `steps` steps, and whether the post-state
/// is well-formed (Unroller::well_formed: true of every reachable state), inputs and picks
/// pinned as in symbolic_props.
struct QueueStep {
  std::vector<std::pair<Status, std::int64_t>> slots;
  bool well_formed = false;
};
std::vector<QueueStep> symbolic_queues(const ModelParams& p, const Workload& w, int steps,
                                       const std::vector<std::vector<std::int64_t>>& picks) {
  z3::context ctx;
  BmcSpec spec;
  spec.slots = static_cast<int>(w.requests.size());
  spec.arrival_hi = 100;
  Unroller u(ctx, p, spec);
  z3::solver solver(ctx);
  SymbolicScope scope(ctx);
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    const auto& r = w.requests[i];
    const auto& in = u.inputs()[i];
    solver.add(in.arrival.e == ctx.int_val(r.arrival_step));
    solver.add(in.prompt.e == ctx.int_val(r.prompt));
    solver.add(in.output.e == ctx.int_val(r.output));
    solver.add(in.klass.e == ctx.int_val(r.klass));
  }
  std::vector<Unroller::Step> done;
  auto state = u.initial();
  for (int t = 0; t < steps; ++t) {
    std::string tag = "t";
    tag += std::to_string(t);
    done.push_back(u.step(state, tag, {}));
    for (const auto& c : done.back().side) solver.add(c.e);
    const auto& ps = done.back().obs.picks;
    for (std::size_t j = 0; j < ps.size(); ++j)
      solver.add(ps[j].e == ctx.int_val(picks.at(static_cast<std::size_t>(t)).at(j)));
    std::vector<SymBool> eqs;
    state = u.cut(done.back().post, std::to_string(t + 1), eqs);
    for (const auto& e : eqs) solver.add(e.e);
  }
  EXPECT_EQ(solver.check(), z3::sat);
  const auto m = solver.get_model();
  std::vector<QueueStep> out;
  for (const auto& s : done) {
    out.emplace_back();
    for (const auto& x : s.post.slots)
      out.back().slots.emplace_back(static_cast<Status>(Unroller::value(m, x.status)),
                                    Unroller::value(m, x.pos));
    out.back().well_formed = Unroller::value(m, u.well_formed(s.post));
  }
  return out;
}

// Requeue on preemption, front and back (symbolic_view.h: "front requeue puts the removed ones
// at the head in position order, back requeue at the tail in call order"). The Alg. 2 schedule
// above with B_0 = 2, then 1: A and B both run after step 0 (positions 0, 1); step 1 preempts B
// and nothing else waits, so either way B is the whole queue (waiting, position 0) and A runs
// alone at position 0. Every post-state is well-formed.
TEST(SymbolicQueues, PreemptedRequestJoinsTheQueueFrontOrBack) {
  for (const auto requeue : {Requeue::Front, Requeue::Back}) {
    SCOPED_TRACE(requeue == Requeue::Front ? "front" : "back");
    ModelParams p;
    p.policy.kind = PolicyKind::P1FlowControl;
    p.policy.flow_budget_min = 1;
    p.policy.flow_budget_max = 2;
    p.engine.num_blocks = 3;
    p.engine.requeue = requeue;
    Workload w;
    w.requests = {req(0, 1, 3), req(0, 1, 3)};
    const auto q = symbolic_queues(p, w, 2, {{2}, {1}});
    ASSERT_EQ(q.size(), 2U);
    using S = std::pair<Status, std::int64_t>;
    EXPECT_EQ(q[0].slots, (std::vector<S>{{Status::Running, 0}, {Status::Running, 1}}));
    EXPECT_EQ(q[1].slots, (std::vector<S>{{Status::Running, 0}, {Status::Waiting, 0}}));
    EXPECT_TRUE(q[0].well_formed);
    EXPECT_TRUE(q[1].well_formed);
  }
}

// Requeue after an overflow eviction (the engine's repair, end of step), front and back: the
// Alg. 1 schedule above (5 blocks; A (3, 3) at 0, B (2, 3) at 1). Step 1: A decodes (4 blocks),
// B is admitted (2): 6 > 5, B (the newest) is evicted; nobody else waits, so either way B is
// the whole queue: waiting at position 0 (at the tail: the 0 requests waiting before the
// evictions, plus its eviction order 0). Step 2: the same again (A 5 + B 2 = 7 > 5), and A
// completes (its third output token): A done (position 0), B waiting at 0. Well-formed after
// every step.
TEST(SymbolicQueues, EvictedRequestJoinsTheQueueFrontOrBack) {
  for (const auto requeue : {Requeue::Front, Requeue::Back}) {
    SCOPED_TRACE(requeue == Requeue::Front ? "front" : "back");
    ModelParams p;
    p.policy.kind = PolicyKind::P1ClassBudgets;
    p.engine.num_blocks = 5;
    p.engine.requeue = requeue;
    p.classes = {{"c", 1, 1, 1.0, 10}};
    Workload w;
    w.requests = {req(0, 3, 3), req(1, 2, 3)};
    const auto q = symbolic_queues(p, w, 3, {});
    ASSERT_EQ(q.size(), 3U);
    using S = std::pair<Status, std::int64_t>;
    EXPECT_EQ(q[0].slots[0], (S{Status::Running, 0}));
    EXPECT_EQ(q[1].slots, (std::vector<S>{{Status::Running, 0}, {Status::Waiting, 0}}));
    EXPECT_EQ(q[2].slots, (std::vector<S>{{Status::Done, 0}, {Status::Waiting, 0}}));
    for (const auto& s : q) EXPECT_TRUE(s.well_formed);
  }
}

}  // namespace
}  // namespace kvcheck
