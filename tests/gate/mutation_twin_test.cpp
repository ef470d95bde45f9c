// Non-vacuity of PROVED (issue 12): the gate runs each proved config's mutated twin, which is
// concretely unsafe by construction, through the same prove; it must come out VIOLATED or
// UNKNOWN. Expected values are hand-derived from the configs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkers/z3/bmc_spec.h"
#include "gate/gate.h"
#include "gate/mutation_twin.h"
#include "gate/z3_checkers.h"

namespace kvcheck {
namespace {

namespace fs = std::filesystem;

std::string shipped(const std::string& name) {
  std::ifstream in(fs::path(KVCHECK_SOURCE_DIR) / "configs" / name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path write(const std::string& name, std::string text, const std::string& from = {},
               const std::string& to = {}) {
  if (!from.empty()) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  const auto dir = fs::temp_directory_path() / ("kvcheck-twin-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto p = dir / (name + ".toml");
  std::ofstream(p) << text;
  return p;
}

// vllm_fcfs_safe: up to 3 requests of (prompt 8, output 6) on 4-token blocks. Three arriving
// together are admitted together (2 blocks each, 6 of 32 plus the 2-block watermark) and
// decode in lockstep; the step that produces the 6th token reserves ceil((13 + 1) / 4) = 4
// blocks each: a plan demand of 12. The twin's pool is 11, and the policy still sees 32.
/// The shipped config's twin has a pool of `pool` blocks, `slack` below the policy's view.
void expect_twin_pool(const std::string& name, std::int64_t pool, std::int64_t slack) {
  const auto cfg = load_config(write("twin", shipped(name)));
  std::string why;
  const auto t = mutation_twin(cfg, parse_bmc_spec(cfg), why);
  ASSERT_TRUE(t.has_value()) << why;
  EXPECT_EQ(t->params.engine.num_blocks, pool);
  EXPECT_EQ(t->params.policy.pool_view_slack, slack);
  EXPECT_EQ(cfg.model.policy.pool_view_slack, 0);  // the real model is untouched
}

TEST(MutationTwin, PoolIsOneBelowTheSimulatedPeak) {
  expect_twin_pool("vllm_fcfs_safe.toml", 11, 21);
}

// Without a memory property there is nothing for the twin to break.
TEST(MutationTwin, NoneWithoutAMemoryProperty) {
  const auto cfg = load_config(write("cons", shipped("vllm_fcfs_safe.toml") +
                                                 "properties = [\"conservation\"]\n"));
  std::string why;
  EXPECT_FALSE(mutation_twin(cfg, parse_bmc_spec(cfg), why).has_value());
  EXPECT_NE(why.find("no memory property"), std::string::npos) << why;
}

// A swap config has a twin like any other (the Z3 unrolling represents swap): its pool is
// smaller than a simulated workload reserves, with the policy's guard blind to it. Four
// requests of the envelope reserve all 8 blocks (the config's header), so the twin's pool is 7.
TEST(MutationTwin, ASwapConfigHasATwinWithASmallerPool) {
  expect_twin_pool("vllm_v0_swap_unsafe.toml", 7, 1);
}

// The proved safe config's twin is not proved by the same prove: the gate accepts the proof.
TEST(MutationTwin, GateRunsTheTwinAfterAProofAndItFails) {
  GateOptions o;
  o.only = {"prove"};
  const auto r = run_gate({write("safe", shipped("vllm_fcfs_safe.toml"))}, &all_checkers, o);
  ASSERT_EQ(r.entries.size(), 1u);
  const auto& e = r.entries[0];
  ASSERT_EQ(e.rows.size(), 1u);
  EXPECT_EQ(e.rows[0].result.verdict.kind, VerdictKind::Proved);
  ASSERT_TRUE(e.twin.has_value());
  // The twin overflows only at the lockstep decode's last step, after the prefill and the
  // decode steps: deeper than the config's max_k = 4 base cases. k-induction cannot reach it,
  // and must not prove it either: UNKNOWN.
  EXPECT_EQ(e.twin->result.verdict.kind, VerdictKind::Unknown) << e.twin->result.summary;
  EXPECT_TRUE(e.met) << e.why;
  EXPECT_EQ(r.exit_code(), ExitCode::Ok);
}

// The rule: a twin that is still safe fails the entry as vacuous (exit 5); VIOLATED and
// UNKNOWN twins leave it met; an ERROR twin is an internal error.
TEST(MutationTwin, StillSafeTwinFailsTheEntry) {
  const auto entry = [](Verdict v) {
    GateEntry e;
    e.twin = GateRow{"twin", CheckResult{std::move(v), std::nullopt, "pool 8 -> 7", 0.0, {}}, {}};
    judge_twin(e);
    return e;
  };
  const auto proved = entry(Verdict::proved("k = 1"));
  EXPECT_FALSE(proved.met);
  EXPECT_NE(proved.why.find("vacuous"), std::string::npos) << proved.why;
  EXPECT_EQ(proved.code, ExitCode::Inconclusive);
  EXPECT_FALSE(entry(Verdict::bounded_ok(4)).met);
  EXPECT_TRUE(entry(Verdict::violated(3, PropertyKind::Safety, "kv_no_overflow")).met);
  EXPECT_TRUE(entry(Verdict::unknown("not k-inductive")).met);
  const auto err = entry(Verdict::error("unsound counterexample"));
  EXPECT_FALSE(err.met);
  EXPECT_EQ(err.code, ExitCode::InternalError);
}

}  // namespace
}  // namespace kvcheck
