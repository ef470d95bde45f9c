// The gate's judgement (expectation vs verdicts, exit codes) and its reports, with real
// backends on tiny configs and with test doubles for the verdicts that are hard to provoke.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <tuple>
#include <fstream>
#include <sstream>

#include "gate/baseline.h"
#include "gate/config_lines.h"
#include "gate/gate.h"
#include "gate/junit.h"
#include "gate/report_json.h"
#include "gate/sarif.h"
#include "gate/search_checkers.h"
#include "gate/shard.h"
#include "gate/simulate_checker.h"
#include "gate/z3_checkers.h"
#include "io/input_error.h"

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
    GateOptions o;
    o.only = std::move(only);
    o.out_dir = dir / "traces";
    return run_gate(configs, &all_checkers, o);
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
  CheckResult run(const Config&, const CheckBudget&) override { return {v_, {}, "fixed", 0.0, {}}; }

 private:
  Verdict v_;
};

/// A factory of one FixedChecker.
CheckerFactory fixed(Verdict v) {
  return [v] {
    CheckerSet set;
    set.push_back(std::make_unique<FixedChecker>(v));
    return set;
  };
}

ExitCode gate_with(const fs::path& config, Verdict v) {
  return run_gate({config}, fixed(std::move(v)), GateOptions{}).exit_code();
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
  write_sarif(r, {dir}, sarif);
  EXPECT_NE(md.str().find("NOT MET"), std::string::npos);
  EXPECT_NE(junit.str().find("<failure"), std::string::npos);
  const auto doc = nlohmann::json::parse(sarif.str());
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_EQ(doc["runs"][0]["results"].size(), 1u);
  EXPECT_EQ(doc["runs"][0]["results"][0]["ruleId"], "no_preemption");
  EXPECT_EQ(doc["runs"][0]["results"][0]["level"], "error");
}

/// A checker that throws what `make` makes, as a backend with a bug or a bad input would.
class ThrowingChecker final : public Checker {
 public:
  explicit ThrowingChecker(std::function<void()> t) : throw_(std::move(t)) {}
  std::string name() const override { return "thrower"; }
  bool applicable(const Config&) const override { return true; }
  CheckResult run(const Config&, const CheckBudget&) override {
    throw_();
    return {};
  }

 private:
  std::function<void()> throw_;
};

CheckerFactory throwing(std::function<void()> t) {
  return [t] {
    CheckerSet set;
    set.push_back(std::make_unique<ThrowingChecker>(t));
    return set;
  };
}

/// How often `needle` occurs in `hay`.
std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

/// The value of the first `attr="..."` in `xml`.
std::string attribute(const std::string& xml, const std::string& attr) {
  const auto p = xml.find(" " + attr + "=\"");
  if (p == std::string::npos) return {};
  const auto b = p + attr.size() + 3;
  return xml.substr(b, xml.find('"', b) - b);
}

TEST_F(GateTest, BadConfigIsAnErrorRowAndTheOthersStillRun) {
  const auto bad = write("bad", "[meta]\nname = \"bad\"\nexpect = \"ok\"\n[engine\n");
  const auto safe = write("safe", tiny("safe", "ok", 2));
  const auto r = gate({bad, safe});
  ASSERT_EQ(r.entries.size(), 2u);
  const auto& e = r.entries[0];
  EXPECT_EQ(e.name, "bad");  // the file's stem: its [meta] name could not be read
  ASSERT_EQ(e.rows.size(), 1u);
  EXPECT_EQ(e.rows[0].checker, "config");
  EXPECT_EQ(e.rows[0].result.verdict.kind, VerdictKind::Error);
  EXPECT_NE(e.rows[0].result.verdict.reason.find("bad.toml"), std::string::npos);
  EXPECT_FALSE(e.met);
  EXPECT_EQ(e.code, ExitCode::ConfigError);
  EXPECT_TRUE(r.entries[1].met) << r.entries[1].why;
  EXPECT_EQ(r.exit_code(), ExitCode::ConfigError);

  std::ostringstream junit, sarif;
  write_junit(r, junit);
  write_sarif(r, {dir}, sarif);
  // bad: config (error) + expect (error); safe: simulate + expect.
  EXPECT_EQ(attribute(junit.str(), "tests"), "4");
  EXPECT_EQ(attribute(junit.str(), "errors"), "2");
  EXPECT_EQ(attribute(junit.str(), "failures"), "0");
  const auto doc = nlohmann::json::parse(sarif.str());
  const auto& inv = doc["runs"][0]["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], false);
  ASSERT_EQ(inv["toolExecutionNotifications"].size(), 1u);
  EXPECT_EQ(inv["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
               ["artifactLocation"]["uri"],
            "bad.toml");
}

TEST_F(GateTest, ACheckerThatThrowsIsAnErrorRowWithItsInputErrorsCode) {
  const auto safe = write("safe", tiny("safe", "ok", 2));
  const auto bug = run_gate({safe}, throwing([] { throw std::logic_error("boom"); }), {});
  ASSERT_EQ(bug.entries[0].rows.size(), 1u);
  EXPECT_EQ(bug.entries[0].rows[0].result.verdict.kind, VerdictKind::Error);
  EXPECT_EQ(bug.exit_code(), ExitCode::InternalError);
  const auto csv = run_gate(
      {safe}, throwing([] { throw trace_error("w.csv", "line 3", "not a number"); }), {});
  EXPECT_EQ(csv.exit_code(), ExitCode::TraceParseError);
  EXPECT_NE(csv.entries[0].why.find("w.csv: line 3: not a number"), std::string::npos)
      << csv.entries[0].why;
}

TEST_F(GateTest, JUnitTotalsCountItsTestCases) {
  const auto r = gate({write("safe", tiny("safe", "ok", 2)), write("broken", tiny("broken", "ok", 4))});
  std::ostringstream os;
  write_junit(r, os);
  const auto xml = os.str();
  // safe: simulate + "expect ok" pass; broken: simulate (VIOLATED under expect ok) and
  // "expect ok" fail. Four cases, two failures, each failure a <failure> element.
  EXPECT_EQ(count(xml, "<testcase "), 4u);
  EXPECT_EQ(attribute(xml, "tests"), "4");
  EXPECT_EQ(attribute(xml, "failures"), "2");
  EXPECT_EQ(count(xml, "<failure "), 2u);
  EXPECT_EQ(count(xml, "<error "), 0u);
  EXPECT_NE(xml.find("name=\"expect ok\""), std::string::npos);
}

TEST_F(GateTest, JUnitMarksCheckersSkippedAfterACounterexample) {
  const auto cfg = write("bmc", tiny("bmc", "violated", 4,
                                     "[bmc]\nslots = 2\nprompt = [2, 2]\noutput = [4, 4]\n"
                                     "arrival = [0, 0]\ndepth = 8\n"));
  std::ostringstream os;
  write_junit(gate({cfg}), os);
  // simulate (pass: the expected violation), bmc and prove skipped, "expect violated" pass.
  EXPECT_EQ(attribute(os.str(), "tests"), "4");
  EXPECT_EQ(attribute(os.str(), "skipped"), "2");
  EXPECT_EQ(count(os.str(), "<skipped "), 2u);
  EXPECT_EQ(attribute(os.str(), "failures"), "0");
}

TEST_F(GateTest, SarifPointsAtThePropertyLineWithRelativeUrisAndTextStates) {
  const auto r = gate({write("broken", tiny("broken", "ok", 4))});
  std::ostringstream os;
  write_sarif(r, {dir}, os);
  const auto doc = nlohmann::json::parse(os.str());
  const auto& run = doc["runs"][0];
  ASSERT_EQ(run["results"].size(), 1u);
  const auto& res = run["results"][0];
  const auto& phys = res["locations"][0]["physicalLocation"];
  EXPECT_EQ(phys["artifactLocation"]["uri"], "broken.toml");
  EXPECT_EQ(phys["artifactLocation"]["uriBaseId"], "SRCROOT");
  // tiny(): [meta], name, expect, [engine], block_size, num_blocks, [policy], name,
  // [workload], kind, requests, [check], properties <- line 13.
  EXPECT_EQ(phys["region"]["startLine"], 13);
  EXPECT_EQ(run["tool"]["driver"]["rules"][res["ruleIndex"].get<std::size_t>()]["id"], "no_preemption");
  const std::string root = run["originalUriBaseIds"]["SRCROOT"]["uri"];
  EXPECT_EQ(root.rfind("file:///", 0), 0u) << root;
  EXPECT_EQ(root.back(), '/');
  const auto& steps = res["codeFlows"][0]["threadFlows"][0]["locations"];
  ASSERT_FALSE(steps.empty());
  for (const auto& step : steps)
    for (const auto& [key, value] : step["state"].items())
      EXPECT_TRUE(value.is_object() && value["text"].is_string()) << key;
  // A rule for every finding a config may expect, not only the [check] properties.
  std::vector<std::string> ids;
  for (const auto& rule : run["tool"]["driver"]["rules"]) ids.push_back(rule["id"]);
  for (const char* id : {"starvation", "instability", "stalled", "kvcheck.inconclusive"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
}

TEST_F(GateTest, SarifReportsAnExpectationNotMetAtTheExpectLine) {
  const auto r = gate({write("s", tiny("s", "violated", 2))});  // nothing breaks it
  std::ostringstream os;
  write_sarif(r, {dir}, os);
  const auto doc = nlohmann::json::parse(os.str());
  ASSERT_EQ(doc["runs"][0]["results"].size(), 1u);
  const auto& res = doc["runs"][0]["results"][0];
  EXPECT_EQ(res["ruleId"], "kvcheck.inconclusive");
  EXPECT_EQ(res["level"], "error");
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["region"]["startLine"], 3);  // expect =
}

TEST(SarifUri, RelativeToTheRootAndPercentEncoded) {
  EXPECT_EQ(relative_uri("/repo/configs/a.toml", "/repo"), "configs/a.toml");
  EXPECT_EQ(relative_uri("/repo/configs/../b c.toml", "/repo/"), "b%20c.toml");
  EXPECT_EQ(relative_uri("/elsewhere/x.toml", "/repo"), "../elsewhere/x.toml");
}

TEST(ConfigLines, FindsQuotedWordsSectionsAndKeysOutsideComments) {
  const ConfigLines lines({"# \"kv_no_overflow\" in a comment", "[meta]", "expect = \"ok\"  # [check]",
                           "expected_x = 1", "  [check]", "properties = [\"conservation\",",
                           "  \"kv_no_overflow\"]  # \"progress\"", "[[classes]]"});
  EXPECT_EQ(lines.quoted("kv_no_overflow"), 7);
  EXPECT_EQ(lines.quoted("progress"), 0);
  EXPECT_EQ(lines.section("check"), 5);
  EXPECT_EQ(lines.section("classes"), 8);
  EXPECT_EQ(lines.section("engine"), 0);
  EXPECT_EQ(lines.key("expect"), 3);
  EXPECT_EQ(lines.key("expected_x"), 4);
  EXPECT_EQ(ConfigLines::read("/nonexistent/kvcheck.toml").key("expect"), 0);
}

TEST(Shard, ParsesIOfNAndRejectsTheRest) {
  const auto s = parse_shard("1/4", "--shard");
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.total, 4);
  for (const char* bad : {"4/4", "-1/4", "1/0", "x/2", "1", "1/2/3", ""})
    EXPECT_THROW(parse_shard(bad, "--shard"), InputError) << bad;
}

TEST(Shard, SlicesTheSortedListRoundRobinEveryConfigOnce) {
  const std::vector<fs::path> configs{"g", "c", "a", "e", "b", "f", "d"};
  EXPECT_EQ(shard_slice(configs, {0, 3}), (std::vector<fs::path>{"a", "d", "g"}));
  EXPECT_EQ(shard_slice(configs, {1, 3}), (std::vector<fs::path>{"b", "e"}));
  EXPECT_EQ(shard_slice(configs, {2, 3}), (std::vector<fs::path>{"c", "f"}));
  EXPECT_EQ(shard_slice(configs, {0, 1}).size(), 7u);
}

TEST(Shard, FromTheEnvironmentInOrderOfPrecedence) {
  const auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const char* n) -> const char* {
      const auto it = vars.find(n);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  };
  EXPECT_FALSE(shard_from_env(env({})).has_value());
  const auto gtest = shard_from_env(env({{"GTEST_SHARD_INDEX", "2"}, {"GTEST_TOTAL_SHARDS", "3"}}));
  ASSERT_TRUE(gtest.has_value());
  EXPECT_EQ(gtest->index, 2);
  const auto own = shard_from_env(env({{"KVCHECK_SHARD_INDEX", "0"}, {"KVCHECK_TOTAL_SHARDS", "2"},
                                       {"GTEST_SHARD_INDEX", "2"}, {"GTEST_TOTAL_SHARDS", "3"}}));
  EXPECT_EQ(own->total, 2);
  const auto k8s = shard_from_env(env({{"JOB_COMPLETION_INDEX", "4"}, {"KVCHECK_TOTAL_SHARDS", "5"}}));
  ASSERT_TRUE(k8s.has_value());
  EXPECT_EQ(k8s->index, 4);
  EXPECT_FALSE(shard_from_env(env({{"JOB_COMPLETION_INDEX", "4"}})).has_value());
  EXPECT_THROW(shard_from_env(env({{"GTEST_SHARD_INDEX", "1"}})), InputError);
  EXPECT_THROW(shard_from_env(env({{"KVCHECK_SHARD_INDEX", "3"}, {"KVCHECK_TOTAL_SHARDS", "3"}})),
               InputError);
}

TEST_F(GateTest, ParallelJobsGiveTheSameReportInTheSameOrder) {
  const std::vector<fs::path> configs{write("a", tiny("a", "ok", 2)), write("b", tiny("b", "ok", 4)),
                                      write("c", tiny("c", "violated", 4))};
  GateOptions one, three;
  three.jobs = 3;
  const auto r1 = run_gate(configs, &all_checkers, one);
  const auto r3 = run_gate(configs, &all_checkers, three);
  ASSERT_EQ(r3.entries.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r3.entries[i].name, r1.entries[i].name);
    EXPECT_EQ(r3.entries[i].met, r1.entries[i].met);
    ASSERT_EQ(r3.entries[i].rows.size(), r1.entries[i].rows.size());
    EXPECT_EQ(to_string(r3.entries[i].rows[0].result.verdict),
              to_string(r1.entries[i].rows[0].result.verdict));
  }
  EXPECT_EQ(r3.exit_code(), ExitCode::SafetyViolation);
}

TEST_F(GateTest, ShardReportsMergeIntoTheWholeGate) {
  const std::vector<fs::path> configs{write("a", tiny("a", "ok", 2)), write("b", tiny("b", "ok", 4)),
                                      write("c", tiny("c", "violated", 4))};
  for (int i = 0; i < 2; ++i) {
    GateOptions o;
    std::ofstream(dir / ("shard" + std::to_string(i) + ".json"))
        << [&] {
             std::ostringstream os;
             write_report_json(run_gate(shard_slice(configs, {i, 2}), &all_checkers, o), os);
             return os.str();
           }();
  }
  // Shard 1 first: the merge orders by config path, not by argument.
  const auto merged = merge_reports({dir / "shard1.json", dir / "shard0.json"});
  ASSERT_EQ(merged.entries.size(), 3u);
  EXPECT_EQ(merged.entries[0].name, "a");
  EXPECT_EQ(merged.entries[1].name, "b");
  EXPECT_EQ(merged.entries[2].name, "c");
  EXPECT_FALSE(merged.entries[1].met);
  EXPECT_EQ(merged.exit_code(), ExitCode::SafetyViolation);
  // The counterexample survives the round trip, step by step.
  const auto whole = gate({configs[1]});
  ASSERT_TRUE(merged.entries[1].rows[0].result.counterexample.has_value());
  EXPECT_EQ(merged.entries[1].rows[0].result.counterexample->states,
            whole.entries[0].rows[0].result.counterexample->states);
  EXPECT_THROW(merge_reports({dir / "shard0.json", dir / "shard0.json"}), InputError);
}

// A shard report whose judgement disagrees with its own rows (met, exit 0, but an expect-ok
// config with a VIOLATED row) cannot make the merged gate pass: --merge judges the rows again.
TEST_F(GateTest, MergeJudgesTheRowsAgainInsteadOfTrustingMet) {
  std::ofstream(dir / "lie.json") << R"({"kvcheck_gate_report": 1, "z3_version": "4",
    "entries": [{"config": "a.toml", "name": "a", "expect": "ok", "expect_property": "",
    "rows": [{"checker": "simulate", "verdict": {"kind": "violated", "depth": 3,
    "liveness": false, "reason": "kv_no_overflow"}, "summary": "", "seconds": 0, "trace": "",
    "error_code": 0}], "skipped": [], "met": true, "why": "", "exit_code": 0,
    "twin_note": ""}]})";
  const auto r = merge_reports({dir / "lie.json"});
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_FALSE(r.entries[0].met);
  EXPECT_EQ(r.exit_code(), ExitCode::SafetyViolation);
}

TEST_F(GateTest, AReportThatIsNotOneIsATraceErrorNamingTheField) {
  std::ofstream(dir / "r.json") << R"({"kvcheck_gate_report": 1, "z3_version": "4",
    "entries": [{"config": "a.toml", "name": "a", "expect": "ok", "expect_property": "",
    "rows": [{"checker": "simulate", "verdict": {"kind": "maybe", "depth": 0,
    "liveness": false, "reason": ""}, "summary": "", "seconds": 0, "trace": "",
    "error_code": 0}], "skipped": [], "met": true, "why": "", "exit_code": 0,
    "twin_note": ""}]})";
  try {
    read_report_json(dir / "r.json");
    FAIL() << "accepted an unknown verdict kind";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
    EXPECT_EQ(e.field(), "entries[0].rows[0].verdict.kind");
  }
  std::ofstream(dir / "n.json") << "[1, 2";
  EXPECT_THROW(read_report_json(dir / "n.json"), InputError);
}

TEST_F(GateTest, SimulateRowCarriesTheServingMetrics) {
  // Two requests of prompt 2 / output 2 in 8 one-token blocks: both fit to the end (2 x 4
  // tokens), so nothing is preempted and both complete.
  const auto safe = gate({write("safe", tiny("safe", "ok", 2))});
  const auto& m = safe.entries[0].rows[0].result.metrics;
  EXPECT_EQ(m.at("completed"), 2.0);
  EXPECT_EQ(m.at("preemptions"), 0.0);
  EXPECT_EQ(m.at("evictions"), 0.0);
  EXPECT_GT(m.at("tokens_per_iteration"), 0.0);
  // Output 4 needs 12 tokens at the end: the first preemption is the (expected) violation.
  // The verdict's run stops there; the metrics cover the whole workload: one request alone
  // needs 6 of the 8 blocks, so the preempted one is recomputed after the other finishes and
  // both complete.
  const auto broken = gate({write("u", tiny("u", "violated", 4))});
  const auto& b = broken.entries[0].rows[0].result;
  EXPECT_EQ(b.verdict.kind, VerdictKind::Violated);
  EXPECT_GE(b.metrics.at("preemptions"), 1.0);
  EXPECT_EQ(b.metrics.at("completed"), 2.0);
  EXPECT_GT(b.metrics.at("e2e_p99_iterations"), 0.0);
}

/// A row with a verdict and metrics, for hand-built reports.
GateRow row(std::string checker, Verdict v, std::map<std::string, double> metrics = {}) {
  GateRow r{std::move(checker), {}, {}};
  r.result.verdict = std::move(v);
  r.result.metrics = std::move(metrics);
  return r;
}

GateEntry entry(std::string config, std::string expect, bool met, std::vector<GateRow> rows) {
  GateEntry e;
  e.config = config;
  e.name = config;
  e.expect = std::move(expect);
  e.met = met;
  e.why = met ? "" : "broken";
  e.rows = std::move(rows);
  return e;
}

TEST(Baseline, ReportsFlipsNewCounterexamplesAndMetricsBeyondTheTolerance) {
  GateReport before, after;
  before.entries = {
      entry("a.toml", "ok", true,
            {row("simulate", Verdict::bounded_ok(10),
                 {{"preemptions", 0}, {"tokens_per_iteration", 100}, {"ttft_p99_iterations", 5}}),
             row("prove", Verdict::proved())}),
      entry("b.toml", "violated", true,
            {row("simulate", Verdict::violated(1, PropertyKind::Safety, "no_preemption"))}),
      entry("d.toml", "ok", true, {row("simulate", Verdict::bounded_ok(3))})};
  after.entries = {
      entry("a.toml", "ok", true,
            {row("simulate", Verdict::bounded_ok(10),
                 // 0 -> 2: worse (a count that was 0); 100 -> 104: +4 %, inside 5 %;
                 // 5 -> 6: +20 %, worse.
                 {{"preemptions", 2}, {"tokens_per_iteration", 104}, {"ttft_p99_iterations", 6}}),
             row("prove", Verdict::unknown("rlimit"))}),
      entry("b.toml", "violated", false, {row("simulate", Verdict::bounded_ok(10))}),
      entry("c.toml", "ok", true, {row("simulate", Verdict::bounded_ok(4))})};
  const auto d = compare_to_baseline(before, after, 0.05);
  using K = BaselineChange::Kind;
  std::vector<std::tuple<K, std::string, std::string, bool>> got;
  for (const auto& c : d.changes) got.emplace_back(c.kind, c.config, c.what, c.regression);
  const std::vector<std::tuple<K, std::string, std::string, bool>> want = {
      {K::MetricWorse, "a.toml", "ttft_p99_iterations", true},
      {K::MetricWorse, "a.toml", "preemptions", true},
      {K::VerdictChanged, "a.toml", "verdict", true},  // PROVED -> UNKNOWN
      {K::ExpectationBroken, "b.toml", "expectation", true},
      {K::VerdictChanged, "b.toml", "verdict", true},  // the expected VIOLATED is gone
      {K::ConfigAdded, "c.toml", "config", false},
      {K::ConfigRemoved, "d.toml", "config", false}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(d.regressed());
  std::ostringstream md;
  write_baseline_markdown(d, md);
  EXPECT_NE(md.str().find("| a.toml | simulate | metric worse (regression) | preemptions | 0 | 2 |"),
            std::string::npos)
      << md.str();
}

TEST(Baseline, ANewCounterexampleOnAnOkConfigIsARegressionAndBetterIsNot) {
  GateReport before, after;
  before.entries = {entry("a.toml", "ok", true,
                          {row("simulate", Verdict::bounded_ok(5), {{"completed", 10}})})};
  after.entries = {entry("a.toml", "ok", false,
                         {row("simulate", Verdict::violated(3, PropertyKind::Safety, "no_eviction"),
                              {{"completed", 12}})})};
  const auto d = compare_to_baseline(before, after, 0.05);
  ASSERT_EQ(d.changes.size(), 3u);
  EXPECT_EQ(d.changes[0].kind, BaselineChange::Kind::ExpectationBroken);
  EXPECT_EQ(d.changes[1].kind, BaselineChange::Kind::NewCounterexample);
  EXPECT_EQ(d.changes[1].after, "VIOLATED no_eviction @3");
  EXPECT_TRUE(d.changes[1].regression);
  EXPECT_EQ(d.changes[2].kind, BaselineChange::Kind::MetricBetter);  // 10 -> 12 completed
  EXPECT_FALSE(d.changes[2].regression);
  // The same report against itself: nothing.
  EXPECT_TRUE(compare_to_baseline(after, after, 0.0).changes.empty());
}

}  // namespace
}  // namespace kvcheck
