// The search on known-unsafe and known-safe configs: finds and shrinks the violations, writes
// replayable ITF counterexamples, meets coverage minimums, is deterministic, and maps outcomes
// to the documented exit codes.
#include <gtest/gtest.h>

#include <filesystem>

#include "checkers/fuzz/report.h"
#include "counterexamples/itf.h"
#include "counterexamples/replay.h"
#include "fuzz_test_util.h"

namespace kvcheck::fuzz {
namespace {

using test::fuzz_config;
using test::quick;
using test::shipped;

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("kvcheck_fuzz_test_" + name);
  std::filesystem::remove_all(d);
  return d;
}

// Dong & Cao budgets (5,5,5): sum b_k w_k = 20300 > M. An overflow needs more than
// M / (l + o_max + 1) = 16492 / 71 > 232 requests holding KV at once, so the shrunk case can not
// be tiny; it must still be far below the 6000 of the config's own workload.
TEST(FuzzSearch, FindsAndShrinksTheP1Alg1UnsafeOverflow) {
  auto o = quick(200, 1);
  o.out_dir = temp_dir("p1");
  const auto r = run_fuzz(shipped("p1_alg1_unsafe"), o);
  ASSERT_TRUE(r.search.failure.has_value()) << format_report(r);
  const auto& f = *r.search.failure;
  EXPECT_EQ(f.result.what, "kv_no_overflow");
  EXPECT_EQ(r.exit, ExitCode::SafetyViolation);
  EXPECT_GT(f.minimal.requests(), 232);
  EXPECT_LE(f.minimal.requests(), 800) << format_report(r);
  EXPECT_TRUE(f.reproduced);
  const auto t = read_itf(r.counterexample);
  EXPECT_TRUE(replay(t).reproduced) << replay(t).message();
  EXPECT_EQ(t.meta.violated_property, "kv_no_overflow");
}

// Ao et al. Example 2: with the type (1, 2) and C = 12, seven prompts admitted together need 14
// blocks in their decode step, so 7 is the fewest requests that force a preemption.
TEST(FuzzSearch, ShrinksP2Example2ToTheSevenRequestTrap) {
  auto o = quick(200, 1);
  o.out_dir = temp_dir("p2");
  const auto r = run_fuzz(shipped("p2_example2"), o);
  ASSERT_TRUE(r.search.failure.has_value()) << format_report(r);
  const auto& f = *r.search.failure;
  EXPECT_EQ(f.result.what, "no_preemption");
  EXPECT_EQ(r.exit, ExitCode::SafetyViolation);
  EXPECT_GE(f.minimal.requests(), 7);
  EXPECT_LE(f.minimal.requests(), 8) << format_report(r);
  // getting there took accepted shrink steps, each one of the tried ones
  EXPECT_GE(r.search.stats.shrinks_accepted, 1);
  EXPECT_LE(r.search.stats.shrinks_accepted, r.search.stats.shrinks_tried);
  const auto t = read_itf(r.counterexample);
  EXPECT_TRUE(replay(t).reproduced) << replay(t).message();
  EXPECT_NE(t.meta.note.find("RC_PARAMS=\"reproduce="), std::string::npos) << t.meta.note;
  EXPECT_EQ(t.meta.source, "fuzz");
}

TEST(FuzzSearch, TheReproduceStringJumpsToTheShrunkCase) {
  const auto m = make_fuzz_model(shipped("p2_example2"));
  SearchParams p;
  p.runs = 200;
  p.seed = 5;
  const auto first = search(m, p);
  ASSERT_TRUE(first.failure.has_value());
  p.reproduce = first.failure->reproduce;
  p.seed = 999;  // irrelevant when reproducing
  const auto again = search(m, p);
  ASSERT_TRUE(again.failure.has_value());
  EXPECT_EQ(again.failure->minimal, first.failure->minimal);
}

TEST(FuzzSearch, FindsStarvationBehindAHeadOfLineRequest) {
  const auto r = run_fuzz(fuzz_config("vllm_fcfs_starvation"), quick(200, 2));
  ASSERT_TRUE(r.search.failure.has_value()) << format_report(r);
  EXPECT_EQ(r.search.failure->result.what, "starvation");
  EXPECT_EQ(r.exit, ExitCode::LivenessViolation);
  EXPECT_LE(r.search.failure->minimal.requests(), 6) << format_report(r);
}

TEST(FuzzSearch, KnownSafeConfigsPassWithCoverageMinimumsMet) {
  const auto p1 = run_fuzz(fuzz_config("p1_alg1_safe_fuzz"), quick(200, 3));
  EXPECT_EQ(p1.exit, ExitCode::Ok) << format_report(p1);
  EXPECT_FALSE(p1.search.failure.has_value());
  EXPECT_EQ(p1.search.stats.cases, 200);
  // no failure, so nothing was shrunk
  EXPECT_EQ(p1.search.stats.shrinks_tried, 0);
  EXPECT_EQ(p1.search.stats.shrinks_accepted, 0);
  for (const auto& l : p1.coverage) EXPECT_TRUE(l.met()) << format_report(p1);
  EXPECT_GT(p1.search.stats.share("high_occupancy"), 0.0);
  const auto sarathi = run_fuzz(fuzz_config("p4_sarathi"), quick(200, 3));
  EXPECT_EQ(sarathi.exit, ExitCode::Ok) << format_report(sarathi);
}

TEST(FuzzSearch, UnmetCoverageMinimumIsInconclusiveNeverAPass) {
  auto c = fuzz_config("p1_alg1_safe_fuzz");
  // Algorithm 1 never preempts, so requiring preemption in half the cases cannot be met.
  c = parse_config(c.text + "\n", c.path);
  auto text = c.text;
  text.replace(text.find("min_near_boundary"), 0, "min_preemption = 0.5\n");
  const auto r = run_fuzz(parse_config(text, c.path), quick(100, 3));
  EXPECT_FALSE(r.search.failure.has_value());
  EXPECT_EQ(r.exit, ExitCode::Inconclusive) << format_report(r);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
}

TEST(FuzzSearch, SameSeedSameCasesSameReport) {
  for (const auto* name : {"vllm_fcfs_starvation", "p4_orca"}) {
    const auto a = run_fuzz(fuzz_config(name), quick(150, 11));
    const auto b = run_fuzz(fuzz_config(name), quick(150, 11));
    EXPECT_EQ(a.search.stats, b.search.stats) << name;
    EXPECT_EQ(format_report(a, true), format_report(b, true)) << name;
    const auto c = run_fuzz(fuzz_config(name), quick(150, 12));
    EXPECT_NE(format_report(a, true), format_report(c, true)) << name;
  }
}

}  // namespace
}  // namespace kvcheck::fuzz
