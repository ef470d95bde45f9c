// The explicit-state explorer on known-safe and known-unsafe models: safety (shortest
// counterexample, checked against a brute-force depth search), starvation lassos and
// positive-drift cycles (Ao et al. Example 2's FCFS trap), and replay of every witness.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "checkers/explicit/explorer.h"
#include "checkers/explicit/successors.h"
#include "checkers/explicit/witness_trace.h"
#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "explore_test_configs.h"
#include "io/input_error.h"

namespace kvcheck::explicit_state {
namespace {

using testing::config_from;

ExploreReport run(const std::string& text) {
  const auto cfg = config_from(text);
  return explore(cfg, read_explore_options(cfg));
}

/// Re-running a witness trace's workload and picks through record_run reproduces it exactly.
void expect_replays(const Trace& t) {
  ScriptedChoices choices(t.picks());
  SimOptions so;
  so.max_steps = static_cast<std::int64_t>(t.states.size());
  so.max_idle_steps = so.max_steps + 1;
  const auto again = record_run(t.params, t.time, t.workload, choices, so, t.meta);
  EXPECT_FALSE(choices.exhausted());
  EXPECT_EQ(again.states, t.states);
  // The ITF file `kvcheck explore --out` writes carries the same run and lasso.
  const auto back = parse_itf(to_itf_json(t), "witness");
  EXPECT_EQ(back.states, t.states);
  EXPECT_EQ(back.loop, t.loop);
  EXPECT_EQ(back.workload.requests.size(), t.workload.requests.size());
}

TEST(ExplorerSafety, UnsafeBudgetsOverflowWithReplayableTrace) {
  const auto r = run(testing::p1_budgets(2, 3));
  ASSERT_TRUE(r.safety.has_value());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::SafetyViolation);
  EXPECT_EQ(r.safety->witness.property, "kv_no_overflow");
  const auto& t = r.safety->trace;
  EXPECT_EQ(t.meta.violated_property, "kv_no_overflow");
  EXPECT_EQ(t.meta.violation_step, static_cast<std::int64_t>(t.states.size()) - 1);
  EXPECT_TRUE(t.states.back().overflow);
  EXPECT_FALSE(t.loop.has_value());
  expect_replays(t);
}

TEST(ExplorerSafety, SafeBudgetsProved) {
  const auto r = run(testing::p1_budgets(1, 3));
  EXPECT_FALSE(r.safety.has_value());
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  EXPECT_GT(r.states, 10);
}

/// Minimum number of steps to a violating transition, by exhaustive depth-limited search over
/// the same transition relation (no graph, no dedup): iterative deepening up to `limit`.
int brute_force_depth(const SuccessorGenerator& gen, int limit) {
  std::function<bool(const ExplicitState&, int)> reach = [&](const ExplicitState& s, int left) {
    std::vector<Transition> succ;
    gen.expand(s, succ);
    for (const auto& t : succ) {
      if (t.violated != 0) return true;
      if (left > 1 && reach(t.next, left - 1)) return true;
    }
    return false;
  };
  for (int d = 1; d <= limit; ++d)
    if (reach(gen.initial(), d)) return d;
  return -1;
}

TEST(ExplorerSafety, BfsCounterexampleIsShortest) {
  for (int budget : {2, 3}) {
    const auto cfg = config_from(testing::p1_budgets(budget, 3));
    const auto opts = read_explore_options(cfg);
    const auto r = explore(cfg, opts);
    ASSERT_TRUE(r.safety.has_value());
    SuccessorGenerator gen(cfg.model, cfg.time, opts);
    EXPECT_EQ(static_cast<int>(r.safety->witness.edges.size()), brute_force_depth(gen, 5))
        << "budget " << budget;
  }
}

TEST(ExplorerStarvation, WaitThresholdAboveOneStarvesALoneRequest) {
  const auto r = run(testing::p2_wait(2));
  ASSERT_TRUE(r.starvation.has_value());
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::LivenessViolation);
  const auto& t = r.starvation->trace;
  ASSERT_TRUE(t.loop.has_value());
  EXPECT_LT(*t.loop, static_cast<std::int64_t>(t.states.size()));
  EXPECT_FALSE(t.states.back().waiting.empty());
  expect_replays(t);
}

TEST(ExplorerStarvation, WaitThresholdOneServesEveryone) {
  const auto r = run(testing::p2_wait(1));
  EXPECT_FALSE(r.starvation.has_value());
  EXPECT_GT(r.nontrivial_sccs, 0);  // there are cycles (idle ones), none starving
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
}

TEST(ExplorerInstability, Example2FcfsTrapGrowsOnePerIteration) {
  const auto r = run(testing::p2_example2_saturated(4));
  ASSERT_TRUE(r.max_cycle_ratio.has_value());
  EXPECT_NEAR(*r.max_cycle_ratio, 1.0, 1e-9);
  ASSERT_TRUE(r.instability.has_value());
  const auto& w = r.instability->witness;
  ASSERT_TRUE(w.loop.has_value());
  EXPECT_EQ(w.edges.size() - *w.loop, 2U);  // (12 prefills) -> (6 decodes)
  const auto& t = r.instability->trace;
  const auto loop = static_cast<std::size_t>(*t.loop);
  std::int64_t prefills = 0, completions = 0;
  for (std::size_t i = loop; i < t.states.size(); ++i) {
    prefills += t.states[i].batch.size() == 12 ? 1 : 0;
    completions += static_cast<std::int64_t>(t.states[i].completed.size());
  }
  EXPECT_EQ(prefills, 1);
  EXPECT_EQ(completions, 6);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::LivenessViolation);
  expect_replays(t);
}

TEST(ExplorerInstability, ThreeArrivalsPerIterationIsNotUnstable) {
  const auto r = run(testing::p2_example2_saturated(3));
  ASSERT_TRUE(r.max_cycle_ratio.has_value());
  EXPECT_LE(*r.max_cycle_ratio, 1e-9);
  EXPECT_FALSE(r.instability.has_value());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
}

TEST(ExplorerLimits, StateLimitIsUnknown) {
  const auto cfg = config_from(testing::p1_budgets(1, 3));
  auto opts = read_explore_options(cfg);
  opts.max_states = 5;
  const auto r = explore(cfg, opts);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::Inconclusive);
}

TEST(ExplorerConfig, BadExploreFieldsAreConfigErrors) {
  for (const char* bad : {"bogus = 1\n", "mode = \"sideways\"\n", "min_arrivals_per_step = -1\n",
                          "analyses = [\"safety\", \"nope\"]\n"}) {
    try {
      // An unknown key fails at load (the one config schema, issue 13); the rest here.
      (void)read_explore_options(config_from(testing::p2_wait(1) + bad));
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::ConfigError);
      EXPECT_NE(std::string(e.what()).find("explore."), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace kvcheck::explicit_state
