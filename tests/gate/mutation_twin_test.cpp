// Non-vacuity of PROVED (issue 12): the gate runs each proved config's mutated twin, which
// must come out VIOLATED or UNKNOWN. Expected values are hand-derived from the configs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkers/bmc_spec.h"
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

// vllm_fcfs_safe: 3 slots of (prompt 8, output 6) on 4-token blocks, each request at most
// ceil(14 / 4) = 4 blocks, 12 in the worst case; the twin's pool is 11 blocks and its policy
// sees 32 extra.
TEST(MutationTwin, BuiltFromTheEnvelope) {
  const auto cfg = load_config(write("safe", shipped("vllm_fcfs_safe.toml")));
  const auto spec = parse_bmc_spec(cfg);
  EXPECT_EQ(largest_request_blocks(cfg.model, spec), 4);
  const auto t = mutation_twin(cfg, spec);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->params.engine.num_blocks, 11);
  EXPECT_EQ(t->params.policy.pool_view_slack, 32);
  EXPECT_EQ(cfg.model.policy.pool_view_slack, 0);  // the real model is untouched
}

// Alg. 1 budgets doubled (classes' b_k) in the P1 twin.
TEST(MutationTwin, BudgetsDoubled) {
  const auto cfg = load_config(fs::path(KVCHECK_SOURCE_DIR) / "configs" / "z3_p1_alg1_safe.toml");
  const auto t = mutation_twin(cfg, parse_bmc_spec(cfg));
  ASSERT_TRUE(t.has_value());
  for (std::size_t i = 0; i < cfg.model.classes.size(); ++i)
    EXPECT_EQ(t->params.classes[i].budget, 2 * cfg.model.classes[i].budget);
}

// The proved safe twin's mutant overflows: the gate accepts the proof.
TEST(MutationTwin, GateRunsTheTwinAfterAProofAndItFails) {
  auto checkers = all_checkers();
  const auto r = run_gate({write("safe", shipped("vllm_fcfs_safe.toml"))}, checkers, {"prove"},
                          CheckBudget{}, {});
  ASSERT_EQ(r.entries.size(), 1u);
  const auto& e = r.entries[0];
  ASSERT_TRUE(e.twin.has_value());
  EXPECT_EQ(e.twin->result.verdict.kind, VerdictKind::Violated) << e.twin->result.summary;
  EXPECT_TRUE(e.met) << e.why;
  EXPECT_EQ(r.exit_code(), ExitCode::Ok);
}

// One slot: a lone request always fits, so even the mutant is safe. The proof said nothing
// about the guard, and the gate fails it as vacuous (exit 5).
TEST(MutationTwin, OneSlotProofIsVacuous) {
  auto checkers = all_checkers();
  const auto p = write("one_slot", shipped("vllm_fcfs_safe.toml"), "slots = 3", "slots = 1");
  const auto r = run_gate({p}, checkers, {"prove"}, CheckBudget{}, {});
  ASSERT_EQ(r.entries.size(), 1u);
  const auto& e = r.entries[0];
  ASSERT_EQ(e.rows.size(), 1u);
  EXPECT_EQ(e.rows[0].result.verdict.kind, VerdictKind::Proved);
  ASSERT_TRUE(e.twin.has_value());
  EXPECT_EQ(e.twin->result.verdict.kind, VerdictKind::BoundedOk);
  EXPECT_FALSE(e.met);
  EXPECT_NE(e.why.find("vacuous"), std::string::npos) << e.why;
  EXPECT_EQ(r.exit_code(), ExitCode::Inconclusive);
}

}  // namespace
}  // namespace kvcheck
