// Replay: every policy's recorded run reproduces (also after an ITF round trip); each kind of
// tampering is caught at the first differing state and field.
#include <gtest/gtest.h>

#include "counterexamples/itf.h"
#include "counterexamples/replay.h"
#include "trace_fixtures.h"

namespace kvcheck {
namespace {

using testing::recorded_run;

// Recorded and replayed by the same simulator, so this checks the recording and the ITF round
// trip, not the engine: a drift in the engine shows in both. replay_hand_test.cpp replays a
// trace written by hand instead.
TEST(Replay, RecordedRunsOfEveryPolicyReproduce) {
  for (auto kind : all_policy_kinds()) {
    SCOPED_TRACE(std::string(to_string(kind)));
    const auto t = recorded_run(kind);
    const auto r = replay(parse_itf(to_itf_json(t), "mem"));
    EXPECT_TRUE(r.reproduced) << r.message();
    EXPECT_EQ(r.states_checked, static_cast<std::int64_t>(t.states.size()));
    EXPECT_EQ(r.state, -1) << "replay.h: state -1 means no differing state";
  }
}

TEST(Replay, FixturesIncludeViolationsThatReplayConfirms) {
  int violated = 0;
  for (auto kind : all_policy_kinds()) {
    const auto t = recorded_run(kind);
    if (t.meta.status != "violated") continue;
    ++violated;
    auto bad = t;
    bad.meta.violation_step += 1;  // a wrong claim about where it fails
    const auto r = replay(bad);
    EXPECT_FALSE(r.reproduced) << to_string(kind);
    EXPECT_EQ(r.field, "#meta.violated_property");
  }
  EXPECT_GT(violated, 0) << "no fixture violates anything: the check below is vacuous";
}

TEST(Replay, ClaimedViolationThatDoesNotHappenDiverges) {
  auto t = recorded_run(PolicyKind::VllmFcfs);
  t.meta.status = "violated";
  t.meta.violated_property = "kv_within_capacity";  // the engine's repair always keeps this
  t.meta.violation_step = 1;
  const auto r = replay(t);
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.field, "#meta.violated_property");
  EXPECT_EQ(r.actual, "not violated");
  EXPECT_EQ(r.state, -1) << "replay.h: a whole-trace check names no state (-1)";
}

TEST(Replay, LassoPropertiesAreReportedUncheckedUnknownNamesDiverge) {
  auto t = recorded_run(PolicyKind::P2Fcfs);
  t.meta.status = "violated";
  t.meta.violated_property = "starvation";  // the explorer's lasso witnesses
  t.meta.violation_step = static_cast<std::int64_t>(t.states.size()) - 1;
  auto r = replay(t);
  EXPECT_FALSE(r.reproduced) << "a non-lasso trace naming no known property must not pass";
  EXPECT_EQ(r.actual, "unknown property");
  t.loop = 1;
  r = replay(t);
  EXPECT_TRUE(r.reproduced) << r.message();
  EXPECT_NE(r.unchecked.find("starvation"), std::string::npos);
  t.states[2].waiting.push_back(7);  // the states are still checked
  EXPECT_FALSE(replay(t).reproduced);
}

TEST(Replay, TamperedStateDivergesAtFirstDifferingField) {
  auto t = recorded_run(PolicyKind::P2Fcfs);
  ASSERT_GT(t.states.size(), 4U);
  t.states[3].running.push_back(99);
  auto r = replay(t);
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.state, 3);
  EXPECT_EQ(r.field, "states[4].running");
  EXPECT_EQ(r.states_checked, 3);

  t = recorded_run(PolicyKind::P2Fcfs);
  ASSERT_FALSE(t.states[2].requests.empty());
  const auto id = t.states[2].requests.front().id;
  t.states[2].requests.front().generated += 1;
  r = replay(t);
  EXPECT_EQ(r.field, "states[3].requests[id=" + std::to_string(id) + "].generated");
  EXPECT_EQ(std::stoll(r.expected), std::stoll(r.actual) + 1);
}

TEST(Replay, TamperedWorkloadOrPicksDiverge) {
  auto t = recorded_run(PolicyKind::VllmFcfs);
  t.workload.requests[0].output += 3;
  EXPECT_FALSE(replay(t).reproduced);

  t = recorded_run(PolicyKind::P1FlowControl);
  std::size_t i = 0;
  while (i < t.states.size() && t.states[i].picks.empty()) ++i;
  ASSERT_LT(i, t.states.size());
  t.states[i].picks[0] = t.params.policy.flow_budget_min == t.states[i].picks[0]
                             ? t.params.policy.flow_budget_max
                             : t.params.policy.flow_budget_min;
  const auto r = replay(t);
  EXPECT_FALSE(r.reproduced);
  EXPECT_GE(r.state, static_cast<std::int64_t>(i));
}

TEST(Replay, TruncatedOrExtendedTraceDiverges) {
  auto t = recorded_run(PolicyKind::P2Fcfs);
  t.states.push_back(t.states.back());
  t.states.back().step += 1;
  const auto r = replay(t);
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.field, "states[" + std::to_string(t.states.size()) + "]");
}

}  // namespace
}  // namespace kvcheck
