// `analyze(Config)`: which analyses apply, the numbers they report, the verdict and exit code,
// and the 151 errors, on a safe and an unsafe config per analysis.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>
#include <string>

#include "io/config.h"
#include "io/input_error.h"
#include "theory/analyze.h"
#include "theory/report_json.h"
#include "theory/report_text.h"

namespace kvcheck::theory {
namespace {

/// P1 section 4.1 with a common per-class rate and budget, pool M (block 1, lookahead 1).
std::string p1_config(double rate, int budget, int m = 16492) {
  std::string s = "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(m) +
                  "\nlookahead = 1\n[policy]\nname = \"p1_class_budgets\"\n";
  for (int o : {20, 40, 60})
    s += "[[classes]]\nname = \"o" + std::to_string(o) + "\"\nprompt = 10\noutput = " +
         std::to_string(o) + "\nrate = " + std::to_string(rate) +
         "\nbudget = " + std::to_string(budget) + "\n";
  return s + "[workload]\nkind = \"class_mix\"\ncount = 10\n";
}

/// P2 Example 2 under `policy` with pool C and the class threshold.
std::string p2_config(int c, const std::string& policy = "p2_fcfs", int threshold = 0) {
  return "[engine]\nnum_blocks = " + std::to_string(c) + "\n[policy]\nname = \"" + policy +
         "\"\n[[classes]]\nprompt = 1\noutput = 2\nrate = 4.0\nthreshold = " +
         std::to_string(threshold) +
         "\n[time]\nmodel = \"p2_linear\"\nd0 = 0.52\nd1 = 0.04\n"
         "[workload]\nkind = \"class_mix\"\ncount = 10\n";
}

/// P4's CodeLlama-34B fit, b_max = 512, one (100, 100) class at `rate` req/ms (`clock`
/// "seconds": the time model's unit, here ms), or per step with clock "steps".
std::string p4_config(double rate, const std::string& policy = "sarathi",
                      const std::string& clock = "seconds") {
  return "[engine]\nnum_blocks = 1000000\nmax_batched_tokens = 512\nchunked_prefill = true\n"
         "[policy]\nname = \"" + policy + "\"\n[[classes]]\nname = \"p100d100\"\nprompt = 100\n"
         "output = 101\nrate = " + std::to_string(rate) +
         "\n[time]\nmodel = \"p4_step\"\nc = 11.28\na = 35.47\nb0 = 128\n"
         "[workload]\nkind = \"class_mix\"\ncount = 10\nclock = \"" + clock + "\"\n";
}

AnalysisReport run(const std::string& text, AnalyzeRequest req = {}) {
  return analyze(parse_config(text, "test.toml"), req);
}
int exit_of(const AnalysisReport& r) { return to_int(to_exit_code(report_verdict(r))); }

const PaperAnalysis& paper(const AnalysisReport& r, const std::string& id) {
  for (const auto& a : r.analyses)
    if (a.id == id) return a;
  throw std::runtime_error("no analysis " + id);
}
const Condition& cond(const PaperAnalysis& a, const std::string& id) {
  for (const auto& c : a.conditions)
    if (c.id == id) return c;
  throw std::runtime_error("no condition " + id);
}
double number(const PaperAnalysis& a, const std::string& name) {
  for (const auto& n : a.numbers)
    if (n.name == name) return n.value;
  throw std::runtime_error("no number " + name);
}

TEST(AnalyzeP1, Section41AtLambda5ViolatesTheNecessaryCondition) {
  const auto r = run(p1_config(5.0, 4));
  const auto& p1 = paper(r, "p1");
  ASSERT_TRUE(p1.applicable);
  EXPECT_FALSE(paper(r, "p2").applicable);
  EXPECT_FALSE(paper(r, "p4").applicable);
  EXPECT_DOUBLE_EQ(number(p1, "w[o20]"), 410);
  EXPECT_DOUBLE_EQ(number(p1, "w[o60]"), 2430);
  EXPECT_DOUBLE_EQ(number(p1, "memory_bound"), 16240);
  EXPECT_NEAR(number(p1, "lambda_star"), 4.0621, 5e-5);
  EXPECT_FALSE(cond(p1, "p1.prop3_2").holds);
  EXPECT_TRUE(cond(p1, "p1.ineq2").holds);
  EXPECT_FALSE(cond(p1, "p1.budget[o40]").holds);
  EXPECT_EQ(exit_of(r), 13);
  EXPECT_EQ(r.rate_source, "[[classes]] rate (per step)");
}

TEST(AnalyzeP1, SafeUnderBothTheoremsAtLambda3) {
  const auto r = run(p1_config(3.0, 4));
  for (const auto& c : paper(r, "p1").conditions) EXPECT_TRUE(c.holds) << c.id;
  EXPECT_EQ(exit_of(r), 0);
}

TEST(AnalyzeP1, OnlySufficientFailsBetween4And4062) {
  const auto r = run(p1_config(4.03, 4));
  EXPECT_TRUE(cond(paper(r, "p1"), "p1.prop3_2").holds);
  EXPECT_FALSE(cond(paper(r, "p1"), "p1.budget[o20]").holds);
  EXPECT_EQ(exit_of(r), 5);
}

TEST(AnalyzeP1, Inequality2AtEqualityIsInconclusiveAndSaysSo) {
  const auto r = run(p1_config(3.0, 4, 16240));
  const auto& c = cond(paper(r, "p1"), "p1.ineq2");
  EXPECT_FALSE(c.holds);
  EXPECT_NE(c.note.find("<= but not <"), std::string::npos);
  EXPECT_EQ(exit_of(r), 5);
}

TEST(AnalyzeP1, Lookahead0UsesTheEnginesAccounting) {
  // w_engine = w - o: load at lambda 4.1 is 4.1 * 3940 = 16154 <= 16492, but 16646 with w
  auto text = p1_config(4.1, 4);
  text.replace(text.find("lookahead = 1"), 13, "lookahead = 0");
  const auto r = run(text);
  EXPECT_TRUE(cond(paper(r, "p1"), "p1.prop3_2").holds);
  EXPECT_DOUBLE_EQ(number(paper(r, "p1"), "w_engine[o20]"), 390);
  EXPECT_EQ(exit_of(run(p1_config(4.1, 4))), 13);
}

TEST(AnalyzeP2, Example2IsInsideTheRegionAtItsBoundary) {
  const auto r = analyze(load_config(KVCHECK_SOURCE_DIR "/configs/p2_example2.toml"));
  const auto& p2 = paper(r, "p2");
  ASSERT_TRUE(p2.applicable);
  EXPECT_NEAR(number(p2, "n_star[p1d1]"), 4.0, 1e-9);
  EXPECT_NEAR(number(p2, "M_star"), 12.0, 1e-9);
  EXPECT_NEAR(number(p2, "delta_T_star"), 1.0, 1e-9);
  EXPECT_NEAR(number(p2, "throughput_star"), 4.0, 1e-12);
  EXPECT_TRUE(cond(p2, "p2.region").holds);
  EXPECT_FALSE(paper(r, "p1").applicable);  // rates per unit time, not per slot
  EXPECT_EQ(exit_of(r), 0);
}

TEST(AnalyzeP2, SmallerPoolIsOutsideTheRegion) {
  const auto r = run(p2_config(11));
  EXPECT_FALSE(cond(paper(r, "p2"), "p2.region").holds);
  EXPECT_TRUE(cond(paper(r, "p2"), "p2.drift").holds);
  EXPECT_EQ(exit_of(r), 13);
}

TEST(AnalyzeP2, WaitThresholdsAreSufficientConditions) {
  EXPECT_EQ(exit_of(run(p2_config(12, "p2_wait", 4))), 0);   // Eq. 11 with equality
  EXPECT_EQ(exit_of(run(p2_config(12, "p2_wait", 3))), 5);   // window too short
  EXPECT_EQ(exit_of(run(p2_config(14, "p2_wait", 5))), 5);   // M^pi = 15 > C = 14
  EXPECT_EQ(exit_of(run(p2_config(16, "p2_wait", 5))), 0);
}

// Nested WAIT (theory/p2_nested_wait.h): two segments, l = 2, o = (2, 4), n = (2, 1), rates
// per unit time (0.75, 0.25) (clock "seconds"), d0 = 1, d1 = 0.01, horizon check.max_steps = 999
// iterations, delta = 0.01 (the defaults). By hand: M^pi = 19, theta_2 = ln 9, M_req =
// 19 + 3 (1 + ln(2e5) / ln 9) = 38.67 (tests/theory/theory_formulas_test.cpp). C = 39 meets
// every condition (exit 0); C = 22 meets Eq. 13 but not Eq. 14 (a sufficient condition: exit 5).
std::string nested_config(int c) {
  return "[engine]\nnum_blocks = " + std::to_string(c) +
         "\n[policy]\nname = \"p2_nested_wait\"\n"
         "[[classes]]\nprompt = 2\noutput = 2\nrate = 0.75\nthreshold = 2\n"
         "[[classes]]\nprompt = 2\noutput = 4\nrate = 0.25\nthreshold = 1\n"
         "[time]\nmodel = \"p2_linear\"\nd0 = 1.0\nd1 = 0.01\n[check]\nmax_steps = 999\n"
         "[workload]\nkind = \"class_mix\"\ncount = 10\nclock = \"seconds\"\n";
}

TEST(AnalyzeP2, NestedWaitEqs12To14) {
  const auto r = run(nested_config(39));
  const auto& p2 = paper(r, "p2");
  EXPECT_NEAR(number(p2, "M_pi"), 19.0, 1e-9);
  EXPECT_NEAR(number(p2, "theta[2]"), std::log(9.0), 1e-9);
  EXPECT_NEAR(number(p2, "M_req"), 38.66566918752757, 1e-6);
  EXPECT_TRUE(cond(p2, "p2.eq12_window").holds);
  EXPECT_TRUE(cond(p2, "p2.eq12_thresholds").holds);
  EXPECT_TRUE(cond(p2, "p2.eq14_memory").holds);
  EXPECT_EQ(exit_of(r), 0);
  const auto r22 = run(nested_config(22));
  EXPECT_TRUE(cond(paper(r22, "p2"), "p2.eq13_memory").holds);
  EXPECT_FALSE(cond(paper(r22, "p2"), "p2.eq14_memory").holds);
  EXPECT_EQ(exit_of(r22), 5);
}

TEST(AnalyzeP4, SarathiBelowAndAboveCapacity) {
  const auto below = run(p4_config(0.016));
  const auto& p4 = paper(below, "p4");
  ASSERT_TRUE(p4.applicable);
  EXPECT_NEAR(number(p4, "capacity"), 3.343, 5e-4);
  EXPECT_NEAR(number(p4, "max_rate"), 0.016715, 5e-7);
  EXPECT_EQ(exit_of(below), 0);
  const auto above = run(p4_config(0.0175));
  EXPECT_FALSE(cond(paper(above, "p4"), "p4.thm2a").holds);
  EXPECT_EQ(exit_of(above), 13);
}

TEST(AnalyzeP4, NonWorkConservingPolicyBelowCapacityIsInconclusive) {
  const auto r = run(p4_config(0.016, "faster_transformer"));
  EXPECT_TRUE(cond(paper(r, "p4"), "p4.thm2a").holds);
  EXPECT_FALSE(cond(paper(r, "p4"), "p4.work_conserving").holds);
  EXPECT_EQ(exit_of(r), 5);
  EXPECT_EQ(exit_of(run(p4_config(0.0175, "vanilla_vllm"))), 13);
}

// Issue 16: rates per step under a timed model were read as rates per unit time. Per step,
// one batch is one unit: the capacity is b_max = 512 tokens per step and 0.016 requests per
// step of 100 + 100 tokens load 3.2 / 512 = 0.00625 of it (hand-computed); read per ms it
// would be 3.2 / 3.343 = 0.957.
TEST(AnalyzeRates, PerStepRatesUnderTheP4StepModelCountTimeInSteps) {
  const auto r = run(p4_config(0.016, "sarathi", "steps"));
  const auto& p4 = paper(r, "p4");
  EXPECT_DOUBLE_EQ(number(p4, "capacity"), 512.0);
  EXPECT_DOUBLE_EQ(number(p4, "load"), 3.2);
  EXPECT_DOUBLE_EQ(number(p4, "utilization"), 3.2 / 512.0);
  EXPECT_DOUBLE_EQ(number(p4, "t_b_max"), 1.0);
}

// Per-step arrivals under p2_linear: lambda_it = 2 per iteration of P2 Example 2's type
// (S = 3) holds n* = 2 prompts per stage, M* = 2 x 3 = 6 tokens, an iteration of
// 0.52 + 0.04 x 6 = 0.76: the fluid point of 2 / 0.76 per unit time (hand-computed; read as
// 2 per unit time it would be A = 6, M* = 0.52 x 6 / (1 - 0.24) = 4.105).
TEST(AnalyzeRates, PerStepRatesUnderP2LinearConvertAtTheFluidIterationTime) {
  auto text = p2_config(12);
  text.replace(text.find("rate = 4.0"), 10, "rate = 2.0");
  const auto r = run(text);
  const auto& p2 = paper(r, "p2");
  EXPECT_NEAR(number(p2, "M_star"), 6.0, 1e-9);
  EXPECT_NEAR(number(p2, "delta_T_star"), 0.76, 1e-12);
  EXPECT_NEAR(number(p2, "n_star[class0]"), 2.0, 1e-9);
  EXPECT_NEAR(number(p2, "A"), 6.0 / 0.76, 1e-9);
}

// clock = "seconds" under the unit model: P1's rates are per slot, so 6 per second with
// time.unit = 0.5 s is 3 per slot: load 3 x 4060 = 12,180 (papers.md 1.5: sum_k w_k = 4060
// for section 4.1's classes, lambda* = 16492 / 4060).
TEST(AnalyzeRates, PerSecondRatesUnderTheUnitModelAreTimesTheSlot) {
  auto text = p1_config(6.0, 4);
  text.replace(text.find("kind = \"class_mix\""), 18, "kind = \"class_mix\"\nclock = \"seconds\"");
  text += "[time]\nmodel = \"unit\"\nunit = 0.5\n";
  const auto r = run(text);
  EXPECT_DOUBLE_EQ(number(paper(r, "p1"), "load"), 12180.0);
}

TEST(AnalyzeRates, SingleTypeWorkloadRateWhenClassesHaveNone) {
  const auto r = run("[engine]\nnum_blocks = 100\n[policy]\nname = \"vllm_fcfs\"\n"
                     "[workload]\nkind = \"deterministic\"\ncount = 9\nburst = 3\ninterval = 2\n"
                     "prompt = 4\noutput = 3\n");
  EXPECT_NE(r.rate_source.find("1.5 per step"), std::string::npos) << r.rate_source;
  // lookahead 0 (the default): w_engine = 4*3 + 3*2/2 = 15; load = 1.5 * 15 = 22.5 <= 100
  EXPECT_DOUBLE_EQ(number(paper(r, "p1"), "w[workload]"), 18.0);
  EXPECT_DOUBLE_EQ(number(paper(r, "p1"), "load"), 22.5);
  EXPECT_EQ(exit_of(r), 0);
}

TEST(AnalyzeErrors, MissingInputsAreConfigErrorsNamingTheField) {
  const auto no_rates = "[engine]\nnum_blocks = 100\n[policy]\nname = \"vllm_fcfs\"\n"
                        "[workload]\nkind = \"explicit\"\nrequests = [{arrival = 0, prompt = 1, "
                        "output = 1}]\n";
  try {
    run(no_rates);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_NE(std::string(e.what()).find("no analysis applies"), std::string::npos);
  }
  AnalyzeRequest p2;
  p2.p2 = true;
  try {
    run(p1_config(3.0, 4), p2);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.field(), "time.model");
  }
  AnalyzeRequest p1;
  p1.p1 = true;
  EXPECT_EQ(run(p1_config(3.0, 4), p1).analyses.size(), 1u);
}

TEST(AnalyzeOutput, TextAndJsonCarryTheNumbersAndTheExitCode) {
  const auto r = run(p1_config(5.0, 4));
  const auto text = format_report(r);
  EXPECT_NE(text.find("FAILS"), std::string::npos);
  EXPECT_NE(text.find("not applicable: time.model"), std::string::npos);
  EXPECT_NE(text.find("exit 13"), std::string::npos);
  const auto j = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(j["exit_code"], 13);
  const auto& p1 = j["analyses"][0];
  EXPECT_EQ(p1["id"], "p1");
  EXPECT_DOUBLE_EQ(p1["numbers"]["sum_w"].get<double>(), 4060.0);
  EXPECT_EQ(p1["conditions"][0]["role"], "necessary");
  EXPECT_FALSE(p1["conditions"][0]["holds"].get<bool>());
  EXPECT_FALSE(j["analyses"][1]["applicable"].get<bool>());
}

}  // namespace
}  // namespace kvcheck::theory

namespace kvcheck::theory {
namespace {

/// vLLM with `blocks` GPU blocks of 16 tokens (one is the null block) and max_model_len `len`.
std::string vllm_config(const std::string& profile, int blocks, int len) {
  return "[engine]\nprofile = \"" + profile + "\"\nblock_size = 16\nnum_blocks = " +
         std::to_string(blocks) + "\nmax_model_len = " + std::to_string(len) +
         "\n[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = \"explicit\"\n"
         "requests = [{ arrival = 0, prompt = 10, output = 2 }]\n";
}

// The null-block window by hand: 2048 GPU blocks, 2047 usable = 32,752 tokens;
// max_model_len 32,768 passes vLLM's check (2048 blocks). A request of T tokens peaks at T - 1
// KV tokens: T - 1 > 32,752 for T >= 32,754, so totals 32,754..32,768 hang; prompts alone of
// 32,753..32,767 (output >= 1) are never admitted under full-sequence admission.
TEST(AnalyzeVllm, FlagsTheNullBlockWindowWithItsBounds) {
  const auto c = parse_config(vllm_config("vllm-v1-full-isl", 2048, 32768), "v.toml");
  AnalyzeRequest only;
  only.vllm = true;
  const auto r = analyze(c, only);
  ASSERT_EQ(r.analyses.size(), 1u);
  const auto& a = r.analyses[0];
  ASSERT_EQ(a.conditions.size(), 1u);
  EXPECT_FALSE(a.conditions[0].holds);
  EXPECT_EQ(a.conditions[0].lhs, 2048);
  EXPECT_EQ(a.conditions[0].rhs, 2047);
  const auto text = format_report(r);
  EXPECT_NE(text.find("[32754, 32768]"), std::string::npos) << text;
  EXPECT_NE(text.find("32753..32767"), std::string::npos) << text;
  EXPECT_EQ(to_exit_code(report_verdict(r)), ExitCode::LivenessViolation);
}

// max_model_len = 2047 x 16 = 32,752 (vLLM's check after PR #47272): every accepted request
// peaks at <= 32,751 tokens = 2047 blocks: the condition holds, exit 0.
TEST(AnalyzeVllm, MaxModelLenWithinTheUsablePoolHolds) {
  const auto c = parse_config(vllm_config("vllm-v1-first-chunk", 2048, 32752), "v.toml");
  AnalyzeRequest only;
  only.vllm = true;
  const auto r = analyze(c, only);
  EXPECT_TRUE(r.analyses[0].conditions[0].holds);
  EXPECT_EQ(to_exit_code(report_verdict(r)), ExitCode::Ok);
}

// vLLM refuses to start when max_model_len needs more blocks than the pool, null block
// included: 2049 x 16 = 32,784 tokens on 2048 blocks is a config error naming the key.
TEST(AnalyzeVllm, MaxModelLenPastThePoolIsAConfigError) {
  try {
    (void)parse_config(vllm_config("vllm-v1-full-isl", 2048, 32784), "v.toml");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_NE(std::string(e.what()).find("engine.max_model_len"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kvcheck::theory
