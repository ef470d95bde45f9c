// Replay against a trace written BY HAND (issue 19): the recorded states below are derived from
// the engine rules (docs/architecture.md), not recorded by the simulator that replays them, so
// a simulator and a replayer that drifted together cannot agree with it. Then every field of
// every recorded state is changed, one at a time, and replay must reject each at that state;
// and a wrong violation step, a wrong property, a missing pick are rejected too.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "counterexamples/itf.h"
#include "counterexamples/replay.h"

namespace kvcheck {
namespace {

Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = arrival;
  r.arrival_time = static_cast<double>(arrival);
  r.prompt = prompt;
  r.output = output;
  return r;
}

StepState state(std::int64_t step) {
  StepState s;
  s.step = step;
  s.action = "step";
  return s;
}

// Dong & Cao Alg. 1 (no memory check), one class of budget 10, 5 blocks of 1 token, lookahead 0.
// A = 0 (prompt 3, output 3) at step 0, B = 1 (prompt 2, output 3) at step 1.
//   step 0: A arrives, admitted, prefill 3 -> 3 blocks. A: computed 3, gen 1.
//   step 1: B arrives, admitted. Plan: A decode (4 blocks) + B prefill (2) = 6 > 5: overflow;
//           B (newest) evicted back to the waiting queue; 4 blocks. A: 4, gen 2.
//   step 2: B admitted again. Plan: A (5) + B (2) = 7 > 5: overflow, B evicted again; 5 blocks.
//           A: computed 5, gen 3 = output: done, blocks freed.
//   step 3: B admitted, prefill 2 -> 2 blocks, gen 1.  step 4: 3 blocks, gen 2.
//   step 5: 4 blocks, gen 3: done.
// kv_no_overflow first fails at step 1.
Trace hand_trace() {
  Trace t;
  t.params.policy.kind = PolicyKind::P1ClassBudgets;
  t.params.engine.num_blocks = 5;
  t.params.classes = {{"c", 1, 1, 1.0, 10}};
  t.workload.requests = {req(0, 3, 3), req(1, 2, 3)};
  t.meta.kvcheck_version = "test";
  t.meta.source = "hand";
  t.meta.status = "violated";
  t.meta.violated_property = "kv_no_overflow";
  t.meta.violation_step = 1;
  t.meta.depth = 6;

  auto s0 = state(0);
  s0.arrived = {0};
  s0.admitted = {0};
  s0.batch = {{0, 3}};
  s0.demand_blocks = s0.used_blocks = s0.used_tokens = 3;
  s0.running = {0};
  s0.requests = {{0, "running", 3, 1, 3}};

  auto s1 = state(1);
  s1.arrived = {1};
  s1.admitted = {1};
  s1.evicted = {1};
  s1.batch = {{0, 1}};
  s1.demand_blocks = 6;
  s1.used_blocks = s1.used_tokens = 4;
  s1.overflow = true;
  s1.waiting = {1};
  s1.running = {0};
  s1.requests = {{0, "running", 4, 2, 4}, {1, "waiting", 0, 0, 0}};

  auto s2 = state(2);
  s2.admitted = {1};
  s2.evicted = {1};
  s2.completed = {0};
  s2.batch = {{0, 1}};
  s2.demand_blocks = 7;
  s2.used_blocks = s2.used_tokens = 5;
  s2.overflow = true;
  s2.waiting = {1};
  s2.requests = {{0, "done", 5, 3, 0}, {1, "waiting", 0, 0, 0}};

  auto s3 = state(3);
  s3.admitted = {1};
  s3.batch = {{1, 2}};
  s3.demand_blocks = s3.used_blocks = s3.used_tokens = 2;
  s3.running = {1};
  s3.requests = {{1, "running", 2, 1, 2}};

  auto s4 = state(4);
  s4.batch = {{1, 1}};
  s4.demand_blocks = s4.used_blocks = s4.used_tokens = 3;
  s4.running = {1};
  s4.requests = {{1, "running", 3, 2, 3}};

  auto s5 = state(5);
  s5.batch = {{1, 1}};
  s5.completed = {1};
  s5.demand_blocks = s5.used_blocks = s5.used_tokens = 4;
  s5.requests = {{1, "done", 4, 3, 0}};

  t.states = {s0, s1, s2, s3, s4, s5};
  return t;
}

TEST(ReplayHand, HandWrittenTraceReproduces) {
  const auto t = hand_trace();
  auto r = replay(t);
  EXPECT_TRUE(r.reproduced) << r.message();
  EXPECT_EQ(r.states_checked, 6);
  r = replay(parse_itf(to_itf_json(t), "mem"));  // and after the ITF round trip
  EXPECT_TRUE(r.reproduced) << r.message();
}

using Edit = std::function<void(StepState&)>;

std::vector<std::pair<std::string, Edit>> edits() {
  const auto bump = [](std::vector<std::int32_t>& v) {
    if (v.empty()) v.push_back(1);
    else v.front() = 1 - v.front();  // the other request
  };
  return {
      {"step", [](StepState& s) { s.step += 1; }},
      {"arrived", [&](StepState& s) { bump(s.arrived); }},
      {"rejected", [](StepState& s) { s.rejected.push_back(0); }},
      {"admitted", [&](StepState& s) { bump(s.admitted); }},
      {"preempted", [](StepState& s) { s.preempted.push_back(1); }},
      {"evicted", [&](StepState& s) { bump(s.evicted); }},
      {"completed", [&](StepState& s) { bump(s.completed); }},
      {"batch.tokens", [](StepState& s) {
         if (s.batch.empty()) s.batch.push_back({0, 1});
         else s.batch.front().second += 1;
       }},
      {"batch.id", [](StepState& s) {
         if (s.batch.empty()) s.batch.push_back({1, 1});
         else s.batch.front().first = 1 - s.batch.front().first;
       }},
      {"picks", [](StepState& s) { s.picks.push_back(1); }},
      {"demand_blocks", [](StepState& s) { s.demand_blocks += 1; }},
      {"used_blocks", [](StepState& s) { s.used_blocks -= 1; }},
      {"used_tokens", [](StepState& s) { s.used_tokens += 1; }},
      {"overflow", [](StepState& s) { s.overflow = !s.overflow; }},
      {"waiting", [](StepState& s) { s.waiting.push_back(0); }},
      {"running", [](StepState& s) {
         if (s.running.empty()) s.running.push_back(1);
         else s.running.pop_back();
       }},
      {"requests.status", [](StepState& s) {
         s.requests.front().status = s.requests.front().status == "done" ? "running" : "done";
       }},
      {"requests.computed", [](StepState& s) { s.requests.front().computed += 1; }},
      {"requests.generated", [](StepState& s) { s.requests.back().generated -= 1; }},
      {"requests.blocks", [](StepState& s) { s.requests.back().blocks += 1; }},
      {"requests.missing", [](StepState& s) { s.requests.pop_back(); }},
  };
}

TEST(ReplayHand, EveryFieldOfEveryStateIsChecked) {
  const auto t = hand_trace();
  for (std::size_t k = 0; k < t.states.size(); ++k)
    for (const auto& [name, edit] : edits()) {
      auto bad = t;
      edit(bad.states[k]);
      ASSERT_NE(bad.states[k], t.states[k]) << name << ": the edit changed nothing";
      const auto r = replay(bad);
      EXPECT_FALSE(r.reproduced) << "states[" << k << "] " << name;
      EXPECT_EQ(r.state, static_cast<std::int64_t>(k)) << "states[" << k << "] " << name << ": "
                                                       << r.message();
    }
}

TEST(ReplayHand, WrongViolationStepOrPropertyIsRejected) {
  for (std::int64_t step : {0, 2, 5}) {
    auto t = hand_trace();
    t.meta.violation_step = step;
    EXPECT_FALSE(replay(t).reproduced) << "step " << step;
  }
  for (const char* prop : {"no_preemption", "kv_within_capacity", "conservation", "progress"}) {
    auto t = hand_trace();
    t.meta.violated_property = prop;
    EXPECT_FALSE(replay(t).reproduced) << prop;
  }
  // no_eviction also fails first at step 1 (B's eviction): an equally true claim
  auto t = hand_trace();
  t.meta.violated_property = "no_eviction";
  EXPECT_TRUE(replay(t).reproduced) << replay(t).message();
}

// A claimed stall needs an idle last iteration with requests resident (docs/itf.md, Replay:
// "the re-executed run ends in an idle iteration with requests resident, after exactly
// violation_step iterations"). The hand trace cut after step 3 (4 states) ends with B resident
// (running) and no arrival, but step 3 prefills B (batch {B: 2}): not idle, so "stalled at
// step 4" must not reproduce.
TEST(ReplayHand, AClaimedStallNeedsAnIdleLastIteration) {
  auto t = hand_trace();
  t.states.resize(4);
  t.meta.violated_property = "stalled";
  t.meta.violation_step = 4;
  t.meta.depth = 4;
  const auto r = replay(t);
  EXPECT_FALSE(r.reproduced) << r.message();
  EXPECT_EQ(r.field, "#meta.violated_property");
}

TEST(ReplayHand, WorkloadOrParamsChangesAreRejected) {
  auto t = hand_trace();
  t.workload.requests[1].prompt = 1;  // B would fit at step 1 (4 + 1 = 5)
  EXPECT_FALSE(replay(t).reproduced);
  t = hand_trace();
  t.params.engine.num_blocks = 6;  // step 1 fits
  EXPECT_FALSE(replay(t).reproduced);
  t = hand_trace();
  t.params.engine.lookahead = 1;  // every reservation one token larger
  EXPECT_FALSE(replay(t).reproduced);
  t = hand_trace();
  t.states.pop_back();  // a truncated trace still reproduces what it claims: fine
  t.meta.depth = 5;
  EXPECT_TRUE(replay(t).reproduced) << replay(t).message();
}

// Alg. 2 (random budget B_t in [1, 2]), 3 blocks: A = 0, B = 1 (prompt 1, output 3) at step 0.
//   step 0, B_0 = 2: both admitted, 1 block each.
//   step 1, B_1 = 1: U = 2 + 2 = 4 > 3: B preempted (LIFO), A decodes (2 blocks).
// The trace records B_0 = 2 and B_1 = 1; without step 1's pick the replay cannot match.
TEST(ReplayHand, MissingOrWrongPicksAreRejected) {
  Trace t;
  t.params.policy.kind = PolicyKind::P1FlowControl;
  t.params.policy.flow_budget_min = 1;
  t.params.policy.flow_budget_max = 2;
  t.params.engine.num_blocks = 3;
  t.workload.requests = {req(0, 1, 3), req(0, 1, 3)};
  t.meta.status = "violated";
  t.meta.violated_property = "no_preemption";
  t.meta.violation_step = 1;
  t.meta.depth = 2;
  auto s0 = state(0);
  s0.arrived = {0, 1};
  s0.admitted = {0, 1};
  s0.batch = {{0, 1}, {1, 1}};
  s0.picks = {2};
  s0.demand_blocks = s0.used_blocks = s0.used_tokens = 2;
  s0.running = {0, 1};
  s0.requests = {{0, "running", 1, 1, 1}, {1, "running", 1, 1, 1}};
  auto s1 = state(1);
  s1.preempted = {1};
  s1.batch = {{0, 1}};
  s1.picks = {1};
  s1.demand_blocks = s1.used_blocks = s1.used_tokens = 2;
  s1.waiting = {1};
  s1.running = {0};
  s1.requests = {{0, "running", 2, 2, 2}, {1, "waiting", 0, 0, 0}};
  t.states = {s0, s1};
  auto r = replay(t);
  EXPECT_TRUE(r.reproduced) << r.message();

  auto bad = t;
  bad.states[1].picks.clear();
  EXPECT_FALSE(replay(bad).reproduced);
  bad = t;
  bad.states[0].picks = {1};  // B_0 = 1: B is not admitted at step 0
  r = replay(bad);
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.state, 0);
  bad = t;
  bad.states[0].picks = {3};  // outside [1, 2]
  EXPECT_FALSE(replay(bad).reproduced);
}

}  // namespace
}  // namespace kvcheck
