// The gate's judgement (expectation vs verdicts, exit codes) and its reports, with real
// backends on tiny configs and with test doubles for the verdicts that are hard to provoke.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gate/gate.h"
#include "gate/search_checkers.h"
#include "gate/simulate_checker.h"
#include "gate/z3_checkers.h"

namespace kvcheck {
namespace {

namespace fs = std::filesystem;

/// A tiny vLLM FCFS config: 8 one-token blocks, two requests of prompt 2 / output `out`.
/// out = 2 fits (peak 2 x 4 = 8 tokens); out = 4 preempts.
std::string tiny(const std::string& name, const std::string& expect, int out,
                 const std::string& extra = "") {
  return "[meta]\nname = \"" + name + "\"\nexpect = \"" + expect + "\"\n" +
         (expect == "violated" ? "expect_property = \"no_preemption\"\n" : "") +
         "[engine]\nblock_size = 1\nnum_blocks = 8\n[policy]\nname = \"vllm_fcfs\"\n"
         "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 2, output = " +
         std::to_string(out) + " }, { prompt = 2, output = " + std::to_string(out) + " }]\n"
         "[check]\nproperties = [\"no_preemption\", \"conservation\"]\n" + extra;
}

class GateTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("kvcheck-gate-test-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& text) {
    const auto p = dir / (name + ".toml");
    std::ofstream(p) << text;
    return p;
  }
  GateReport gate(const std::vector<fs::path>& configs, std::vector<std::string> only = {}) {
    auto checkers = all_checkers();
    return run_gate(configs, checkers, only, CheckBudget{}, dir / "traces");
  }
};

TEST_F(GateTest, SafeConfigExpectedOkPasses) {
  const auto r = gate({write("safe", tiny("safe", "ok", 2))});
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_TRUE(r.entries[0].met) << r.entries[0].why;
  EXPECT_EQ(r.exit_code(), ExitCode::Ok);
}

TEST_F(GateTest, UnexpectedViolationFailsWithSafetyExitAndWritesTrace) {
  const auto r = gate({write("broken", tiny("broken", "ok", 4))});
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_FALSE(r.entries[0].met);
  EXPECT_EQ(r.exit_code(), ExitCode::SafetyViolation);
  ASSERT_FALSE(r.entries[0].rows.empty());
  EXPECT_TRUE(fs::exists(r.entries[0].rows[0].trace));
}

TEST_F(GateTest, ExpectedViolationFoundPassesAndMissingOneIsInconclusive) {
  const auto found = gate({write("u", tiny("u", "violated", 4))});
  EXPECT_TRUE(found.entries[0].met) << found.entries[0].why;
  EXPECT_EQ(found.exit_code(), ExitCode::Ok);
  // The vacuity check: a config declared unsafe that no checker breaks fails the gate.
  const auto missing = gate({write("s", tiny("s", "violated", 2))});
  EXPECT_FALSE(missing.entries[0].met);
  EXPECT_EQ(missing.exit_code(), ExitCode::Inconclusive);
}

TEST_F(GateTest, BmcAndProveApplyOnlyWithABmcSection) {
  const auto plain = write("plain", tiny("plain", "ok", 2));
  EXPECT_EQ(gate({plain}).entries[0].rows.size(), 1u);  // simulate only
  const auto with_bmc = write("bmc", tiny("bmc", "violated", 4,
                                          "[bmc]\nslots = 2\nprompt = [2, 2]\noutput = [4, 4]\n"
                                          "arrival = [0, 0]\ndepth = 8\n"));
  const auto r = gate({with_bmc}, {"bmc"});
  ASSERT_EQ(r.entries[0].rows.size(), 1u);
  EXPECT_EQ(r.entries[0].rows[0].checker, "bmc");
  EXPECT_EQ(r.entries[0].rows[0].result.verdict.kind, VerdictKind::Violated);
  EXPECT_TRUE(r.entries[0].met) << r.entries[0].why;
  ASSERT_TRUE(r.entries[0].rows[0].result.counterexample.has_value());
  // With every checker: simulate already refutes it, so the Z3 checkers are skipped.
  const auto all = gate({with_bmc});
  ASSERT_EQ(all.entries[0].rows.size(), 1u);
  EXPECT_EQ(all.entries[0].skipped, (std::vector<std::string>{"bmc", "prove"}));
}

/// A checker that returns a fixed verdict: the gate's judgement of verdicts that real backends
/// give only under rare conditions (solver timeouts, internal errors).
class FixedChecker final : public Checker {
 public:
  explicit FixedChecker(Verdict v) : v_(std::move(v)) {}
  std::string name() const override { return "fixed"; }
  bool applicable(const Config&) const override { return true; }
  CheckResult run(const Config&, const CheckBudget&) override { return {v_, {}, "fixed", 0.0}; }

 private:
  Verdict v_;
};

ExitCode gate_with(const fs::path& config, Verdict v) {
  std::vector<std::unique_ptr<Checker>> checkers;
  checkers.push_back(std::make_unique<FixedChecker>(std::move(v)));
  return run_gate({config}, checkers, {}, CheckBudget{}, {}).exit_code();
}

TEST_F(GateTest, UnknownIsNeverAPassAndErrorIsInternal) {
  const auto safe = write("safe", tiny("safe", "ok", 2));
  EXPECT_EQ(gate_with(safe, Verdict::unknown("timeout")), ExitCode::Inconclusive);
  EXPECT_EQ(gate_with(safe, Verdict::error("unsound")), ExitCode::InternalError);
  EXPECT_EQ(gate_with(safe, Verdict::proved()), ExitCode::Ok);
  EXPECT_EQ(gate_with(safe, Verdict::violated(3, PropertyKind::Liveness, "progress")),
            ExitCode::LivenessViolation);
}

TEST_F(GateTest, ReportsNameEveryVerdict) {
  const auto r = gate({write("safe", tiny("safe", "ok", 2)), write("broken", tiny("broken", "ok", 4))});
  std::ostringstream md, junit, sarif;
  write_markdown(r, md);
  write_junit(r, junit);
  write_sarif(r, sarif);
  EXPECT_NE(md.str().find("NOT MET"), std::string::npos);
  EXPECT_NE(junit.str().find("<failure"), std::string::npos);
  const auto doc = nlohmann::json::parse(sarif.str());
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_EQ(doc["runs"][0]["results"].size(), 1u);
  EXPECT_EQ(doc["runs"][0]["results"][0]["ruleId"], "no_preemption");
  EXPECT_EQ(doc["runs"][0]["results"][0]["level"], "error");
}

}  // namespace
}  // namespace kvcheck
