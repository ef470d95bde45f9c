// checkers/fuzz against expectations worked out by hand (issue 19: the fast tier must notice a
// planted bug in the fuzzer): notes and the corpus round trip, the resolved bounds and quantile
// tables (the distributions' own quantiles), the Azure table's order, the generators' ranges and
// shapes (RapidCheck's size semantics), tiny cases judged by hand (Ao et al. Example 2's seven
// prefills), offered load and drift of tiny runs, and the report's contents. Small and quick:
// the only RapidCheck search here is five tiny cases, for its counters.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "checkers/fuzz/corpus.h"
#include "checkers/fuzz/generators.h"
#include "checkers/fuzz/report.h"
#include "checkers/fuzz/search.h"
#include "checkers/fuzz/stability.h"
#include "counterexamples/itf.h"
#include "io/input_error.h"
#include "fuzz_test_util.h"

namespace kvcheck::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("kvcheck_fuzz_hand_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

Config config_of(const std::string& text, const fs::path& path = "hand.toml") {
  return parse_config(text, path);
}

// ---------------------------------------------------------------------------------------------
// Notes, expectations, corpus.

TEST(FuzzNotesByHand, MakeAndParseAWrittenNote) {
  EXPECT_EQ(make_note("reproduce=AbC", {"violated", "starvation"}),
            "RC_PARAMS=\"reproduce=AbC\"; fuzz_verdict=violated; fuzz_property=starvation");
  Expectation e;
  std::string repro;
  ASSERT_TRUE(parse_note(
      "RC_PARAMS=\"reproduce=Q1w\"; fuzz_verdict=violated; fuzz_property=no_preemption", e, &repro));
  EXPECT_EQ(e.verdict, "violated");
  EXPECT_EQ(e.property, "no_preemption");
  EXPECT_EQ(repro, "reproduce=Q1w");
  // fields in another order, the last one running to the end of the note
  ASSERT_TRUE(parse_note("fuzz_property=kv_no_overflow; fuzz_verdict=ok", e));
  EXPECT_EQ(e.verdict, "ok");
  EXPECT_EQ(e.property, "kv_no_overflow");
  EXPECT_FALSE(parse_note("fuzz_verdict=maybe; fuzz_property=x", e));
  EXPECT_FALSE(parse_note("", e));
}

TEST(FuzzNotesByHand, ExpectationOfAResult) {
  CaseResult bad;
  bad.verdict = Verdict::violated(3, PropertyKind::Safety, "x");
  bad.what = "kv_no_overflow";
  EXPECT_EQ(expectation_of(bad).verdict, "violated");
  EXPECT_EQ(expectation_of(bad).property, "kv_no_overflow");
  CaseResult good;
  good.verdict = Verdict::bounded_ok(10);
  EXPECT_EQ(expectation_of(good).verdict, "ok");
  EXPECT_EQ(expectation_of(good).property, "");
}

TEST(FuzzCorpusByHand, CaseFromATraceIsOneGroupPerRequest) {
  Trace t;
  t.meta.seed = 42;
  // Request{arrival_step, arrival_time, prompt, output, klass}
  t.workload.requests = {{2, 2.0, 3, 4, 0}, {2, 2.0, 5, 6, 1}, {5, 5.0, 7, 8, 0}};
  const auto c = case_from_trace(t);
  EXPECT_EQ(c.shape, "corpus");
  EXPECT_EQ(c.choice_seed, 42U);
  ASSERT_EQ(c.groups.size(), 3U);
  // gaps: 2 - 0, 2 - 2, 5 - 2
  EXPECT_EQ(c.groups[0], (Group{2, 1, 3, 4, 0}));
  EXPECT_EQ(c.groups[1], (Group{0, 1, 5, 6, 1}));
  EXPECT_EQ(c.groups[2], (Group{3, 1, 7, 8, 0}));
  EXPECT_EQ(c.requests(), 3);
}

/// configs/p2_example2.toml's model and workload (Ao et al. Example 2: C = 12, one type l = 1,
/// l' = 1 (o = 2), lambda = 4 per step after a backlog of 12), written here so that no Azure
/// trace is loaded (a config under configs/ finds data/'s trace for the azure shape).
const std::string kExample2 = R"([meta]
name = "p2_example2"
[engine]
block_size = 1
num_blocks = 12
[policy]
name = "p2_fcfs"
[[classes]]
name = "p1d1"
prompt = 1
output = 2
rate = 4.0
[workload]
kind = "deterministic"
count = 400
backlog = 12
burst = 4
interval = 1
prompt = 1
output = 2
[check]
properties = ["no_preemption", "kv_no_overflow", "conservation", "exact_delivery"]
)";

const ModelPtr& example2() {
  static const auto m = make_fuzz_model(config_of(kExample2));
  return m;
}

// Ao et al. Example 2 (configs/p2_example2.toml: C = 12 blocks of 1 token, requests (1, 2)):
// seven prompts admitted together need 14 blocks in their decode step, so one is preempted at
// step 1; six need 12 and finish at step 1 without preemption.
FuzzCase burst(std::int64_t n) { return FuzzCase{"hand", {Group{0, n, 1, 2, 0}}, 0}; }

TEST(FuzzCaseByHand, Example2SevenPrefillsPreemptSixDoNot) {
  const auto& m = example2();
  const auto seven = run_case(*m, burst(7));
  EXPECT_TRUE(seven.failed());
  EXPECT_EQ(seven.what, "no_preemption");
  EXPECT_EQ(seven.verdict.depth, 1);
  EXPECT_EQ(seven.verdict.property_kind, PropertyKind::Safety);
  EXPECT_TRUE(seven.coverage.preemption);
  EXPECT_EQ(seven.requests, 7);
  const auto six = run_case(*m, burst(6));
  EXPECT_FALSE(six.failed()) << six.verdict.reason;
  EXPECT_EQ(six.what, "");
  EXPECT_EQ(six.steps, 2);
  EXPECT_FALSE(six.coverage.preemption);
  // 12 of 12 blocks at the decode step
  EXPECT_DOUBLE_EQ(six.coverage.peak_occupancy, 1.0);
  EXPECT_TRUE(six.coverage.high_occupancy);
  // offered load: 6 requests x w = o (p + L) + o (o - 1) / 2 = 2 + 1 = 3 token-steps over a
  // 12-token pool = 1.5, spread over max(arrival span 1, mean output 2) = 2 steps: 0.75
  EXPECT_DOUBLE_EQ(six.coverage.offered_load, 0.75);
  EXPECT_TRUE(six.coverage.near_boundary);
  // one request: 3 / 12 / 2 = 0.125, far from the boundary
  const auto one = run_case(*m, burst(1));
  EXPECT_DOUBLE_EQ(one.coverage.offered_load, 0.125);
  EXPECT_FALSE(one.coverage.near_boundary);
  EXPECT_DOUBLE_EQ(one.coverage.peak_occupancy, 2.0 / 12.0);
  EXPECT_FALSE(one.coverage.high_occupancy);
}

// A one-block pool (block_size 2): one request (1, 2) holds 1 block at its prefill (1 token)
// and 1 at its decode step (2 tokens), the whole pool: peak occupancy 1 / 1 = 1.0.
TEST(FuzzCaseByHand, OneBlockPoolIsFullWithOneRequest) {
  auto text = kExample2;
  const std::string pool = "block_size = 1\nnum_blocks = 12";
  text.replace(text.find(pool), pool.size(), "block_size = 2\nnum_blocks = 1");
  const auto m = make_fuzz_model(config_of(text));
  const auto r = run_case(*m, burst(1));
  EXPECT_FALSE(r.failed()) << r.verdict.reason;
  EXPECT_DOUBLE_EQ(r.coverage.peak_occupancy, 1.0);
  EXPECT_TRUE(r.coverage.high_occupancy);
}

TEST(FuzzCaseByHand, OfferedLoadSpansTheArrivals) {
  const auto& m = example2();
  Workload w;
  EXPECT_EQ(case_offered_load(*m, w), 0.0);
  // 2 requests (1, 2) at steps 0 and 9: 2 x 3 / 12 = 0.5 over a span of 10 steps: 0.05
  w.requests.resize(2);
  for (auto& r : w.requests) r.prompt = 1, r.output = 2;
  w.requests[1].arrival_step = 9;
  EXPECT_DOUBLE_EQ(case_offered_load(*m, w), 0.05);
}

// "near the boundary" is offered load in [0.7, 1.3], both ends included. Requests (1, 2) of
// Example 2 weigh 3 / 12 = 0.25 each; spread over 5 steps (arrivals at steps 0..4, longer than
// the mean output 2): 14 of them give 3.5 / 5 = 0.7, 26 give 6.5 / 5 = 1.3, 27 give 1.35 (with
// max_requests raised above the derived 16, which would cut the case).
FuzzCase over_five_steps(std::int64_t n) {
  FuzzCase c{"hand", {}, 0};
  for (std::int64_t step = 0; step < 5; ++step)
    c.groups.push_back(Group{step == 0 ? 0 : 1, n / 5 + (step < n % 5 ? 1 : 0), 1, 2, 0});
  return c;
}

TEST(FuzzCaseByHand, NearTheBoundaryIncludesBothEnds) {
  const auto m = make_fuzz_model(config_of(kExample2 + "[fuzz]\nmax_requests = 64\n"));
  const auto at_low = run_case(*m, over_five_steps(14));
  EXPECT_DOUBLE_EQ(at_low.coverage.offered_load, 0.7);
  EXPECT_TRUE(at_low.coverage.near_boundary);
  const auto at_high = run_case(*m, over_five_steps(26));
  EXPECT_DOUBLE_EQ(at_high.coverage.offered_load, 1.3);
  EXPECT_TRUE(at_high.coverage.near_boundary);
  const auto above = run_case(*m, over_five_steps(27));
  EXPECT_DOUBLE_EQ(above.coverage.offered_load, 1.35);
  EXPECT_FALSE(above.coverage.near_boundary);
}

// vllm_fcfs_starvation (pool 64, starvation bound T = 4). A = (40, 20) at step 0 holds 40..59
// blocks until it completes at step 19; B = (32, 8) at step 1 never fits beside it (free
// 64 - 41 = 23 < 32) and blocks the queue head; C = (1, 1) at step 2 would fit (1 block) but
// waits behind B. C "would fit" after steps 2, 3, 4, 5, 6: more than T = 4 steps at step 6.
TEST(FuzzCaseByHand, StarvationBehindAHeadOfLineRequest) {
  const auto m = make_fuzz_model(test::fuzz_config("vllm_fcfs_starvation"));
  const FuzzCase c{"hand", {Group{0, 1, 40, 20, 0}, Group{1, 1, 32, 8, 0}, Group{1, 1, 1, 1, 0}}, 0};
  const auto r = run_case(*m, c);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.what, "starvation");
  EXPECT_EQ(r.verdict.depth, 6);
  EXPECT_EQ(r.verdict.property_kind, PropertyKind::Liveness);
  EXPECT_NE(r.verdict.reason.find("request 2 "), std::string::npos) << r.verdict.reason;
  // without the head-of-line request C is served at once
  const FuzzCase ok{"hand", {Group{0, 1, 40, 20, 0}, Group{2, 1, 1, 1, 0}}, 0};
  EXPECT_FALSE(run_case(*m, ok).failed());
}

// The starvation watch counts a request that needs exactly the free blocks as one that would
// fit. The starvation config on 8 blocks of 4 tokens, bound T = 2. A = (12, 12) at step 0:
// prefill 3 blocks; at decode step t >= 1 it reserves 12 + t tokens: 4 blocks for t = 1..4
// (5 from t = 5). B = (20, 1) at step 1 needs 5 blocks > 8 - 4 and blocks the queue head;
// C = (16, 1) at step 2 needs 16 / 4 = 4 = the free pool after steps 2, 3, 4: it would fit
// 3 times in a row, more than T = 2, at step 4. (From step 5 it does not fit.)
TEST(FuzzCaseByHand, StarvationWatchCountsAnExactFit) {
  std::ifstream in(test::source_dir() / "tests" / "fuzz" / "configs" / "vllm_fcfs_starvation.toml");
  std::stringstream text;
  text << in.rdbuf();
  auto t = text.str();
  const std::string pool = "block_size = 1\nnum_blocks = 64";
  ASSERT_NE(t.find(pool), std::string::npos);
  t.replace(t.find(pool), pool.size(), "block_size = 4\nnum_blocks = 8");
  const std::string bound = "\nstarvation_bound = 4";
  ASSERT_NE(t.find(bound), std::string::npos);
  t.replace(t.find(bound), bound.size(), "\nstarvation_bound = 2");
  // the [fuzz] length caps play no part in a hand-written case: leave them to their defaults
  for (const std::string cap : {"max_prompt = 32\n", "max_output = 48\n"})
    if (t.find(cap) != std::string::npos) t.erase(t.find(cap), cap.size());
  const auto m = make_fuzz_model(config_of(t));
  const FuzzCase c{
      "hand", {Group{0, 1, 12, 12, 0}, Group{1, 1, 20, 1, 0}, Group{1, 1, 16, 1, 0}}, 0};
  const auto r = run_case(*m, c);
  EXPECT_EQ(r.what, "starvation");
  EXPECT_EQ(r.verdict.depth, 4);
  EXPECT_NE(r.verdict.reason.find("request 2 "), std::string::npos) << r.verdict.reason;
}

/// A vllm_fcfs fuzz model on `blocks` blocks of 1 token with starvation bound `bound` (its
/// [workload] only makes the config valid: the cases below are written by hand).
ModelPtr vllm_fcfs_watch(int blocks, int lookahead, int bound, const std::string& policy = "",
                         const std::string& engine = "") {
  return make_fuzz_model(config_of(
      "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(blocks) +
      "\nlookahead = " + std::to_string(lookahead) + "\n" + engine +
      "[policy]\nname = \"vllm_fcfs\"\n" + policy +
      "[workload]\nkind = \"poisson\"\nrate = 0.5\ncount = 10\nprompt = 4\noutput = 8\n"
      "[check]\nproperties = [\"kv_within_capacity\", \"conservation\", \"exact_delivery\"]\n"
      "[envelope]\nprompt = [1, 1024]\noutput = [1, 1024]\nmax_requests = 0\n"
      "[fuzz]\nstarvation_bound = " + std::to_string(bound) + "\n"));
}

// The starvation watch counts the lookahead slots a request would reserve on admission
// (prompt + lookahead tokens). vllm_fcfs, 16 blocks of 1 token, lookahead 2, bound T = 2.
// A = (4, 10) at step 0 reserves 4 + 2 = 6 blocks at its prefill and 4 + t + 2 at decode step
// t (completing at step 9): after step t the pool has 16 - 6 - t = 10 - t free. B = (12, 1) at
// step 1 needs 12 + 2 = 14 > 10 - t and blocks the queue head until A leaves. C = (p, 1) at
// step 2 needs p + 2: with p = 4, 6 <= 10 - t after steps 2, 3, 4 (3 in a row, more than
// T = 2: starvation at step 4); with p = 5, 7 <= 10 - t only after steps 2 and 3, then not
// until A has left and B goes first: never more than T, no starvation.
TEST(FuzzCaseByHand, StarvationWatchCountsTheLookahead) {
  const auto m = vllm_fcfs_watch(16, 2, 2);
  const auto with_c = [](std::int64_t p) {
    return FuzzCase{"hand", {Group{0, 1, 4, 10, 0}, Group{1, 1, 12, 1, 0}, Group{1, 1, p, 1, 0}}, 0};
  };
  const auto starves = run_case(*m, with_c(4));
  EXPECT_EQ(starves.what, "starvation");
  EXPECT_EQ(starves.verdict.depth, 4);
  EXPECT_NE(starves.verdict.reason.find("request 2 "), std::string::npos) << starves.verdict.reason;
  const auto served = run_case(*m, with_c(5));
  EXPECT_FALSE(served.failed()) << served.verdict.reason;
  EXPECT_EQ(served.what, "");
}

// The same engine with bound T = 1 (the smallest bound that turns the watch on): C = (5, 1)
// would fit after steps 2 and 3 (7 <= 10 - t), twice in a row, more than T = 1, so it starves
// at step 3.
TEST(FuzzCaseByHand, StarvationBoundOneIsWatched) {
  const auto m = vllm_fcfs_watch(16, 2, 1);
  const auto r = run_case(
      *m, FuzzCase{"hand", {Group{0, 1, 4, 10, 0}, Group{1, 1, 12, 1, 0}, Group{1, 1, 5, 1, 0}}, 0});
  EXPECT_EQ(r.what, "starvation");
  EXPECT_EQ(r.verdict.depth, 3);
  EXPECT_NE(r.verdict.reason.find("request 2 "), std::string::npos) << r.verdict.reason;
}

// With chunked prefill a request "would fit" when its next chunk (at most the token budget)
// fits, not its whole prompt. vllm_fcfs, 16 blocks of 1 token, chunked prefill with a budget of
// 2 tokens, bound T = 2. A = (1, 10) and B = (1, 10) at step 0 take 1 token each and then
// decode one each per step: the budget is used up and after step t they hold 2 (1 + t) blocks,
// 14 - 2t free. C = (14, 1) arrives at step 1 and is never given a token while A and B run;
// its first chunk, 2 tokens, fits after steps 1, 2 and 3 (12, 10, 8 free): 3 in a row, more
// than T = 2: starvation at step 3. (Its whole prompt, 14 blocks, would never fit beside them.)
TEST(FuzzCaseByHand, ChunkedPrefillWatchCountsTheNextChunk) {
  const auto m = vllm_fcfs_watch(16, 0, 2, "watermark_blocks = 0\n",
                                 "chunked_prefill = true\nmax_batched_tokens = 2\n");
  const auto r = run_case(*m, FuzzCase{"hand", {Group{0, 2, 1, 10, 0}, Group{1, 1, 14, 1, 0}}, 0});
  EXPECT_EQ(r.what, "starvation");
  EXPECT_EQ(r.verdict.depth, 3);
  EXPECT_NE(r.verdict.reason.find("request 2 "), std::string::npos) << r.verdict.reason;
}

// A preempted request's streak starts again from 0: its steps while running do not count as
// waiting. vllm_fcfs (LIFO victims, recompute, watermark 0), 10 blocks of 1 token, no
// lookahead, T = 1. A = (4, 6) and B = (4, 6) (peak 4 + 6 - 1 = 9 blocks each, servable)
// arrive at step 0 and are both admitted (4 + 4 <= 10); after step 1 they hold 5 + 5 = 10.
// At step 2 both need a 6th block: the newest, B, is preempted (its 5 blocks freed) and A holds
// 6. After step 2 B would fit (prompt 4 <= 10 - 6 free): its first step in a row (1 <= T). At
// steps 3 and 4 A grows to 7 and 8 first and B does not fit (3, 2 free); A completes at step 5
// (6 tokens generated) and frees its blocks, B would fit once more (streak 1) and is admitted
// at step 6. B never fits twice in a row while waiting: no starvation, one preemption.
TEST(FuzzCaseByHand, APreemptedRequestsStreakStartsAtZero) {
  const auto m = vllm_fcfs_watch(10, 0, 1, "watermark_blocks = 0\n");
  const auto r = run_case(*m, FuzzCase{"hand", {Group{0, 2, 4, 6, 0}}, 0});
  EXPECT_FALSE(r.failed()) << r.what << ": " << r.verdict.reason;
  EXPECT_EQ(r.what, "");
  EXPECT_TRUE(r.coverage.preemption);
}

TEST(FuzzCorpusByHand, CounterexampleTraceSaveAndReplay) {
  const auto& m = example2();
  const auto dir = fresh_dir("corpus");
  Failure f7;
  f7.minimal = burst(7);
  f7.minimal.choice_seed = 9;
  f7.result = run_case(*m, f7.minimal);
  f7.reproduce = "reproduce=seven";
  const auto t7 = counterexample_trace(*m, f7);
  EXPECT_EQ(t7.meta.source, "fuzz");
  EXPECT_EQ(t7.meta.config_name, "p2_example2");
  EXPECT_EQ(t7.meta.seed, 9U);
  EXPECT_EQ(t7.meta.note,
            "RC_PARAMS=\"reproduce=seven\"; fuzz_verdict=violated; fuzz_property=no_preemption");
  EXPECT_EQ(t7.states.size(), 2U);  // ends at the violating step 1
  EXPECT_EQ(t7.workload.requests.size(), 7U);
  const auto p7 = save_to_corpus(t7, dir);
  const auto name = p7.filename().string();
  EXPECT_EQ(name.rfind("p2_example2-", 0), 0U) << name;
  EXPECT_EQ(name.size(), std::string("p2_example2-").size() + 10 + std::string(".itf.json").size())
      << name;
  EXPECT_EQ(save_to_corpus(t7, dir), p7);  // same workload, same file
  // six requests whose note wrongly expects the violation: replays as "ok", not matched
  Failure f6 = f7;
  f6.minimal = burst(6);
  auto t6 = counterexample_trace(*m, f6);
  EXPECT_EQ(t6.workload.requests.size(), 6U);
  const auto p6 = save_to_corpus(t6, dir);
  EXPECT_NE(p6, p7);
  // an entry of another config, a non-fuzz trace and a stray file are skipped
  auto other = t7;
  other.meta.config_name = "someone_else";
  (void)save_to_corpus(other, dir);
  auto sim = t7;
  sim.meta.source = "simulate";
  write_itf(sim, dir / "p2_example2-simulated.itf.json");
  std::ofstream(dir / "notes.txt") << "not a trace\n";
  const auto checks = replay_corpus(*m, dir);
  ASSERT_EQ(checks.size(), 2U);
  const auto& a = checks[0].file == p7 ? checks[0] : checks[1];
  const auto& b = checks[0].file == p7 ? checks[1] : checks[0];
  EXPECT_LT(checks[0].file.filename().string(), checks[1].file.filename().string());
  EXPECT_EQ(a.file, p7);
  EXPECT_TRUE(a.matched);
  EXPECT_EQ(a.requests, 7);
  EXPECT_EQ(a.expected.verdict, "violated");
  EXPECT_EQ(a.expected.property, "no_preemption");
  EXPECT_EQ(a.actual.what, "no_preemption");
  EXPECT_EQ(b.file, p6);
  EXPECT_FALSE(b.matched);
  EXPECT_EQ(b.requests, 6);
  EXPECT_FALSE(b.actual.failed());
  EXPECT_TRUE(replay_corpus(*m, dir / "missing").empty());
}

// ---------------------------------------------------------------------------------------------
// FuzzCase.

TEST(FuzzCaseByHand, WorkloadAccumulatesGapsAndTruncates) {
  const FuzzCase c{"x", {Group{2, 2, 3, 4, 1}, Group{3, 1, 5, 6, 0}}, 5};
  EXPECT_EQ(c.requests(), 3);
  const auto w = c.workload();
  ASSERT_EQ(w.requests.size(), 3U);
  EXPECT_EQ(w.clock, ArrivalClock::Steps);
  EXPECT_EQ(w.requests[0].arrival_step, 2);
  EXPECT_EQ(w.requests[1].arrival_step, 2);
  EXPECT_EQ(w.requests[2].arrival_step, 5);
  EXPECT_DOUBLE_EQ(w.requests[2].arrival_time, 5.0);
  EXPECT_EQ(w.requests[1].prompt, 3);
  EXPECT_EQ(w.requests[1].output, 4);
  EXPECT_EQ(w.requests[1].klass, 1);
  EXPECT_EQ(w.requests[2].prompt, 5);
  EXPECT_EQ(c.workload(2).requests.size(), 2U);
  EXPECT_EQ(c.workload(3).requests.size(), 3U);
  EXPECT_EQ(c.workload(1).requests.size(), 1U);
  std::ostringstream os;
  showValue(c, os);
  EXPECT_EQ(os.str(), "x seed=5 requests=3 [+2:2x(3,4,c1), +3:1x(5,6,c0)]");
  // a case written without a seed runs with seed 0
  std::ostringstream d;
  showValue(FuzzCase{"y", {Group{}}}, d);
  EXPECT_EQ(d.str(), "y seed=0 requests=1 [+0:1x(1,1,c0)]");
}

// The per-step cap counts the requests of each arrival step afresh (the envelope's
// max_arrivals_per_step): groups (+0: 3 requests), (+0: 1), (+1: 3), with at most 2 per step:
//   step 0: the first group's 2 (the third dropped), the second group's request is a third in
//   step 0: dropped; step 1: a new step, counted from 0: 2 of the third group. 4 requests, at
//   steps 0 0 1 1. (Counting a new step from 1 would keep one per step: 2 requests.)
// With last_arrival = 0 the third group (step 1) is dropped; -1 (the default) keeps it.
TEST(FuzzCaseByHand, PerStepCapRestartsAtEachStep) {
  const FuzzCase c{"x", {Group{0, 3, 1, 1, 0}, Group{0, 1, 2, 1, 0}, Group{1, 3, 3, 1, 0}}, 0};
  const auto w = c.workload(0, 2);
  ASSERT_EQ(w.requests.size(), 4U);
  const std::vector<std::int64_t> steps{0, 0, 1, 1}, prompts{1, 1, 3, 3};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(w.requests[i].arrival_step, steps[i]) << i;
    EXPECT_EQ(w.requests[i].prompt, prompts[i]) << i;
  }
  EXPECT_EQ(c.workload(0, 1).requests.size(), 2U);  // one per step: steps 0 and 1
  EXPECT_EQ(c.workload(0, 0, 0).requests.size(), 4U);  // 3 + 1 at step 0, none after
  EXPECT_EQ(c.workload(0, 0, -1).requests.size(), 7U);
  EXPECT_EQ(c.workload(3, 2).requests.size(), 3U);  // the request cap ends it first
}

// ---------------------------------------------------------------------------------------------
// The resolved model: bounds and tables.

const std::string kClassless = R"([engine]
block_size = 1
num_blocks = 64
[policy]
name = "vllm_fcfs"
[workload]
kind = "poisson"
rate = 0.5
count = 10
prompt = 4
output = 8
[check]
properties = ["kv_within_capacity"]
[envelope]
prompt = [1, 1024]
output = [1, 1024]
max_requests = 0
)";

TEST(FuzzModelByHand, DerivedBoundsWithoutClasses) {
  // pool 64 tokens: prompts up to 64 / 4 = 16, outputs clamp(64 / 4, 2, 512) = 16, requests
  // clamp(2 * 64 / 2, 16, 1000) = 64, groups of up to 64 / 2 = 32, the workload's rate 0.5
  const auto m = make_fuzz_model(config_of(kClassless));
  EXPECT_EQ(m->spec.max_prompt, 16);
  EXPECT_EQ(m->spec.max_output, 16);
  EXPECT_EQ(m->spec.max_requests, 64);
  EXPECT_EQ(m->max_group, 32);
  EXPECT_DOUBLE_EQ(m->spec.rate, 0.5);
  EXPECT_EQ(m->pool_tokens(), 64);
  // without [[classes]] every shape but class_mix (and azure: no trace here)
  EXPECT_EQ(m->shapes, (std::vector<Shape>{Shape::Poisson, Shape::OnOff, Shape::Markov,
                                           Shape::QuietBurst, Shape::SyncFinish}));
  // a token budget caps prompts when prefill is not chunked: min(16, 8) = 8
  auto text = kClassless;
  text.replace(text.find("num_blocks = 64"), 15, "num_blocks = 64\nmax_batched_tokens = 8");
  EXPECT_EQ(make_fuzz_model(config_of(text))->spec.max_prompt, 8);
  // a tiny pool: 8 tokens: prompts 2, outputs clamp(2, 2, 512) = 2, requests clamp(8, 16, ..) = 16
  auto tiny = kClassless;
  tiny.replace(tiny.find("num_blocks = 64"), 15, "num_blocks = 8");
  const auto t = make_fuzz_model(config_of(tiny));
  EXPECT_EQ(t->spec.max_prompt, 2);
  EXPECT_EQ(t->spec.max_output, 2);
  EXPECT_EQ(t->spec.max_requests, 16);
  EXPECT_EQ(t->max_group, 8);
  // below the floor: 4 tokens: prompts max(1, 4 / 4) = 1, outputs clamp(1, 2, 512) = 2; and
  // at the cap: 4096 tokens: outputs clamp(1024, 2, 512) = 512 (docs/fuzz.md's defaults)
  auto four = kClassless;
  four.replace(four.find("num_blocks = 64"), 15, "num_blocks = 4");
  const auto f = make_fuzz_model(config_of(four));
  EXPECT_EQ(f->spec.max_prompt, 1);
  EXPECT_EQ(f->spec.max_output, 2);
  auto big = kClassless;
  big.replace(big.find("num_blocks = 64"), 15, "num_blocks = 4096");
  EXPECT_EQ(make_fuzz_model(config_of(big))->spec.max_output, 512);
  // the pool in tokens is blocks x block_size: 16 blocks of 4 tokens are 64 tokens
  auto wide = kClassless;
  const std::string pool = "block_size = 1\nnum_blocks = 64";
  wide.replace(wide.find(pool), pool.size(), "block_size = 4\nnum_blocks = 16");
  EXPECT_EQ(make_fuzz_model(config_of(wide))->pool_tokens(), 64);
}

TEST(FuzzModelByHand, DerivedBoundsWithClasses) {
  // classes (3, 5) at 0.5/step and (7, 2) at 0.25/step on a 256-token pool: prompts up to 7,
  // outputs up to 5, the smallest footprint 3 + 5 = 8: requests 2 * 256 / 8 = 64, rate 0.75
  const auto m = make_fuzz_model(config_of(R"([engine]
block_size = 1
num_blocks = 256
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 3
output = 5
rate = 0.5
budget = 1
[[classes]]
name = "b"
prompt = 7
output = 2
rate = 0.25
budget = 1
[workload]
kind = "class_mix"
count = 10
[check]
properties = ["kv_no_overflow"]
[envelope]
max_requests = 0
)"));
  EXPECT_EQ(m->spec.max_prompt, 7);
  EXPECT_EQ(m->spec.max_output, 5);
  EXPECT_EQ(m->spec.max_requests, 64);
  EXPECT_DOUBLE_EQ(m->spec.rate, 0.75);
  // a class_mix case spans up to max_requests / total rate = 64 / 0.75 = 85 steps
  EXPECT_EQ(m->class_mix_span, 85);
  EXPECT_EQ(m->class_base.size(), 2U);
  EXPECT_EQ(m->shapes, (std::vector<Shape>{Shape::Poisson, Shape::OnOff, Shape::Markov,
                                           Shape::QuietBurst, Shape::SyncFinish,
                                           Shape::ClassMix}));
}

// A class_mix case spans max_requests / total rate steps, at most 1000: one class (3, 5) at
// 0.002 per step asks for at least 10 / 0.002 = 5000 steps, capped at 1000.
TEST(FuzzModelByHand, ClassMixSpanIsCappedAtAThousandSteps) {
  const auto m = make_fuzz_model(config_of(R"([engine]
block_size = 1
num_blocks = 256
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 3
output = 5
rate = 0.002
budget = 1
[workload]
kind = "class_mix"
count = 10
[check]
properties = ["kv_no_overflow"]
)"));
  EXPECT_GE(m->spec.max_requests, 10);
  EXPECT_EQ(m->class_mix_span, 1000);
}

// ... and at least one step: max_requests 1 at a total rate of 2 per step asks for 1 / 2 = 0.5
// steps, truncated to 0, raised to 1 (a case spans one step, never none).
TEST(FuzzModelByHand, ClassMixSpanIsAtLeastOneStep) {
  const auto m = make_fuzz_model(config_of(R"([engine]
block_size = 1
num_blocks = 256
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 3
output = 5
rate = 2.0
budget = 1
[workload]
kind = "class_mix"
count = 10
[check]
properties = ["kv_no_overflow"]
[fuzz]
max_requests = 1
)"));
  EXPECT_EQ(m->spec.max_requests, 1);
  EXPECT_EQ(m->class_mix_span, 1);
}

// Poisson(1) per step, 8 quantiles q = i / 8 (exp(-1) = 0.3679):
//   gap >= k with probability exp(-k): gap(q) = floor(-ln(1 - q)): 0 0 0 0 0 0 1 (1.386) 2 (2.079)
//   zero-truncated count, CDF 0.582 0.873 0.970: first k with CDF > q: 1 1 1 1 1 2 2 3
//   per-step count, CDF 0.368 0.736 0.920: first j with CDF > q: 0 0 0 1 1 1 2 2
TEST(FuzzModelByHand, ArrivalTablesArePoissonQuantiles) {
  const auto t = arrival_tables(1.0, 8);
  EXPECT_EQ(t.gap, (std::vector<std::int64_t>{0, 0, 0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(t.count, (std::vector<std::int64_t>{1, 1, 1, 1, 1, 2, 2, 3}));
  EXPECT_EQ(t.per_step, (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1, 2, 2}));
}

// At a high rate the tables still follow Poisson(rate) (entry i: the smallest value whose CDF
// reaches q = i / 8): for rate 800 (sd 28.3) the median
// (q = 4/8) is 800 and the q = 6/8 quantile 800 + 0.674 * 28.3 = 819.1, i.e. 819 or 820, in
// both tables (the zero-truncation changes nothing there). exp(-800) underflows to 0: built as a
// product from it, every count was the cap. Far above the cap (rate 20,000) every quantile
// past the first is capped at fuzz_model.h's kMaxArrivalCount = 10,000.
TEST(FuzzModelByHand, ArrivalTablesAtHighRates) {
  const auto t = arrival_tables(800.0, 8);
  // q = 0: the smallest value with F >= 0, however small its probability (e^-800 underflows)
  EXPECT_EQ(t.count[0], 1);
  EXPECT_EQ(t.per_step[0], 0);
  for (const auto* table : {&t.count, &t.per_step}) {
    EXPECT_NEAR(static_cast<double>((*table)[4]), 800.0, 1.0);
    EXPECT_NEAR(static_cast<double>((*table)[6]), 819.5, 1.0);
  }
  const auto capped = arrival_tables(20'000.0, 8);
  for (std::size_t i = 1; i < 8; ++i) {
    EXPECT_EQ(capped.count[i], 10'000) << i;
    EXPECT_EQ(capped.per_step[i], 10'000) << i;
  }
}

// Length tables (256 entries) for caps 80 (prompts) and 16 (outputs):
//   lognormal, median cap / 8 = 10, sigma 1, at q = (i + 0.5) / 256: i = 64: 10 e^-0.6745 ~ 5.13
//   -> 5; i = 128: 10 e^0.0049 -> 10; i = 215 (q = 0.8418, z ~ 1.002): 27.2 -> 27; i = 255: 179
//   -> capped at 80; entry 0 is 1.
//   Pareto(1, 1.2) at q = i / 256: (1 - q)^(-1/1.2): i = 128: 2^0.833 = 1.78 -> 2; i = 192:
//   4^0.833 = 3.17 -> 3; i = 255: 256^0.833 = 101.6 -> capped at 16.
TEST(FuzzModelByHand, LengthTablesAreTheDistributionsQuantiles) {
  auto text = kClassless + "[fuzz]\nmax_prompt = 80\nmax_output = 16\n";
  const auto m = make_fuzz_model(config_of(text));
  ASSERT_EQ(m->lognormal_prompt.size(), 256U);
  EXPECT_EQ(m->lognormal_prompt[0], 1);
  EXPECT_EQ(m->lognormal_prompt[64], 5);
  EXPECT_EQ(m->lognormal_prompt[128], 10);
  EXPECT_EQ(m->lognormal_prompt[215], 27);
  EXPECT_EQ(m->lognormal_prompt[255], 80);
  // outputs: median 2: i = 128 -> 2, i = 215 -> 5.4 -> 5
  EXPECT_EQ(m->lognormal_output[128], 2);
  EXPECT_EQ(m->lognormal_output[215], 5);
  ASSERT_EQ(m->pareto_output.size(), 256U);
  EXPECT_EQ(m->pareto_output[0], 1);
  EXPECT_EQ(m->pareto_output[128], 2);
  EXPECT_EQ(m->pareto_output[192], 3);
  EXPECT_EQ(m->pareto_output[255], 16);
  EXPECT_EQ(m->pareto_prompt[255], 80);
  // the base / quiet / busy streams: rate, rate / 4, 2 rate (medians of Poisson 0.5, 0.125, 1)
  EXPECT_EQ(m->base.per_step.size(), 256U);
  EXPECT_EQ(m->base.per_step[128], 0);   // P(0) = 0.61 > 0.5
  EXPECT_EQ(m->high.per_step[128], 1);   // P(0) = 0.37 <= 0.5 < P(<= 1) = 0.74
  // the top entry, q = 255 / 256 = 0.9961: Poisson(0.125): P(<= 1) = 0.9928, P(<= 2) = 0.9997;
  // Poisson(0.5): P(<= 2) = 0.9856, P(<= 3) = 0.9982
  EXPECT_EQ(m->low.per_step[255], 2);
  EXPECT_EQ(m->base.per_step[255], 3);
}

// The Azure shape's table: rows (prompt, output) scaled so each column's p99 (here its maximum,
// row 8 * 99 / 100 = 7 of 8 sorted) maps to the cap (5 and 4: scale 1), then sorted by
// prompt + output, ties in (prompt, output) order, duplicates removed.
TEST(FuzzModelByHand, AzureTableSortedBySizeWithoutDuplicates) {
  const auto dir = fresh_dir("azure");
  std::ofstream(dir / "t.csv") << "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                  "2023-11-16 18:15:46.1,3,1\n2023-11-16 18:15:46.2,2,2\n"
                                  "2023-11-16 18:15:46.3,1,3\n2023-11-16 18:15:46.4,2,2\n"
                                  "2023-11-16 18:15:46.5,5,1\n2023-11-16 18:15:46.6,2,3\n"
                                  "2023-11-16 18:15:46.7,1,1\n2023-11-16 18:15:46.8,4,4\n";
  const auto m = make_fuzz_model(config_of(
      kClassless + "[fuzz]\nmax_prompt = 5\nmax_output = 4\nazure_trace = \"t.csv\"\n",
      dir / "hand.toml"));
  using P = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(m->azure, (std::vector<P>{{1, 1}, {1, 3}, {2, 2}, {3, 1}, {2, 3}, {5, 1}, {4, 4}}));
  EXPECT_EQ(m->shapes.size(), 6U);  // azure applies: a trace and no [[classes]]
  // halving the caps halves the lengths: 0.5 x (prompt, output), rounded, at least 1
  const auto h = make_fuzz_model(config_of(
      kClassless + "[fuzz]\nmax_prompt = 2\nmax_output = 2\nazure_trace = \"t.csv\"\n",
      dir / "hand.toml"));
  // prompts x 2/5: 3->1.2->1, 2->0.8->1, 1->1, 5->2, 4->1.6->2; outputs x 1/2: 1->1, 2->1,
  // 3->1.5->2, 4->2
  EXPECT_EQ(h->azure, (std::vector<P>{{1, 1}, {1, 2}, {2, 1}, {2, 2}}));
}

// Where the Azure table comes from: a named azure_trace must exist (it is input, not a hint);
// without one the default path beside the config (../data/azure-llm-2023/
// AzureLLMInferenceTrace_conv.csv) is used when it exists and the shape is dropped when not.
TEST(FuzzModelByHand, AzureTraceNamedMissingOrByDefault) {
  const auto dir = fresh_dir("azure_default");
  fs::create_directories(dir / "configs");
  const auto cfg_path = dir / "configs" / "hand.toml";
  const auto text = kClassless + "[fuzz]\nmax_prompt = 5\nmax_output = 4\n";
  EXPECT_THROW(make_fuzz_model(config_of(text + "azure_trace = \"missing.csv\"\n", cfg_path)),
               InputError);
  const auto none = make_fuzz_model(config_of(text, cfg_path));
  EXPECT_TRUE(none->azure.empty());
  EXPECT_EQ(none->shapes.size(), 5U);
  fs::create_directories(dir / "data" / "azure-llm-2023");
  std::ofstream(dir / "data" / "azure-llm-2023" / "AzureLLMInferenceTrace_conv.csv")
      << "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.1,5,4\n";
  // one row, its own p99: scaled to the caps (5, 4)
  const auto found = make_fuzz_model(config_of(text, cfg_path));
  using P = std::pair<std::int64_t, std::int64_t>;
  EXPECT_EQ(found->azure, (std::vector<P>{{5, 4}}));
  EXPECT_EQ(found->shapes.size(), 6U);
}

// ---------------------------------------------------------------------------------------------
// Generators: ranges and shapes, sampled at fixed seeds and sizes.

const ModelPtr& small_classless() {
  // max_prompt 16, max_output 6, max_requests 20 (groups of up to 10), 2 groups per case
  static const auto m = make_fuzz_model(config_of(
      kClassless + "[fuzz]\nmax_prompt = 16\nmax_output = 6\nmax_requests = 20\nmax_groups = 2\n"));
  return m;
}

const std::string kTwoClasses = R"([engine]
block_size = 1
num_blocks = 64
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 2
output = 3
rate = 0.5
budget = 2
[[classes]]
name = "b"
prompt = 5
output = 1
rate = 0.25
budget = 2
[workload]
kind = "class_mix"
count = 10
[check]
properties = ["kv_no_overflow"]
)";

const ModelPtr& small_classes() {
  static const auto m =
      make_fuzz_model(config_of(kTwoClasses + "[envelope]\nmax_requests = 0\n[fuzz]\n"
                                                "max_requests = 20\nmax_groups = 2\n"));
  return m;
}

FuzzCase sample(const rc::Gen<FuzzCase>& g, std::uint64_t seed, int size) {
  return g(rc::Random(seed), size).value();
}

// `some(g, max)`: one element plus a container scaled by (max - 1) / 100 of RapidCheck's size,
// whose length is uniform in [0, scaled size]. With max = 2: at size 99 the scaled size is
// int(0.99) = 0, so exactly one group; at size 100 it is 1: one or two groups, never more.
TEST(FuzzGeneratorsByHand, GroupCountScalesWithSize) {
  const auto& m = small_classless();
  for (const auto shape : {Shape::Poisson, Shape::OnOff}) {
    std::set<std::size_t> at99, at100;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
      at99.insert(sample(gen_shape(m, shape), seed, 99).groups.size());
      at100.insert(sample(gen_shape(m, shape), seed, 100).groups.size());
    }
    EXPECT_EQ(at99, std::set<std::size_t>{1}) << to_string(shape);
    EXPECT_EQ(at100, (std::set<std::size_t>{1, 2})) << to_string(shape);
  }
}

// markov: `some(segment, 4)` segments, each `some(poisson group, per_seg)` with per_seg =
// max(1, max_groups / 2). `some(g, max)` draws its first element at the size it is given and
// the rest as a container scaled by (max - 1) / 100, whose elements are drawn at that scaled
// size too. At size 100: the first segment at size 100, then 0..3 more (scale 3 / 100) at size
// 3. A segment at size s: one group plus 0..int(s (per_seg - 1) / 100) more.
//   max_groups 2: per_seg 1: one group per segment: 1..4 groups.
//   max_groups 4: per_seg 2: the first segment 1..2 (size 100), the others 1 (int(0.03) = 0):
//   1..5. max_groups 8: per_seg 4: the first 1..4, the others 1: 1..7.
TEST(FuzzGeneratorsByHand, MarkovSegmentsHoldHalfTheGroupsEach) {
  const auto with_groups = [](int n) {
    return make_fuzz_model(config_of(kClassless +
                                     "[fuzz]\nmax_prompt = 16\nmax_output = 6\nmax_requests = 20\n"
                                     "max_groups = " + std::to_string(n) + "\n"));
  };
  const auto m4 = with_groups(4), m8 = with_groups(8);
  std::set<std::size_t> two, four, eight;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    const auto c = sample(gen_shape(small_classless(), Shape::Markov), seed, 100);
    two.insert(c.groups.size());
    for (const auto& g : c.groups) {
      EXPECT_GE(g.gap, 0);
      EXPECT_GE(g.count, 1);
      EXPECT_LE(g.count, 10);
    }
    four.insert(sample(gen_shape(m4, Shape::Markov), seed, 100).groups.size());
    eight.insert(sample(gen_shape(m8, Shape::Markov), seed, 100).groups.size());
  }
  EXPECT_EQ(two, (std::set<std::size_t>{1, 2, 3, 4}));
  EXPECT_EQ(four, (std::set<std::size_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(eight, (std::set<std::size_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(FuzzGeneratorsByHand, OnOffAndPoissonRanges) {
  const auto& m = small_classless();
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const auto c = sample(gen_shape(m, Shape::OnOff), seed, 100);
    for (const auto& g : c.groups) {
      EXPECT_GE(g.gap, 0);
      EXPECT_LE(g.gap, 100);
      EXPECT_GE(g.count, 1);
      EXPECT_LE(g.count, 10);
      EXPECT_GE(g.prompt, 1);
      EXPECT_LE(g.prompt, 16);
      EXPECT_GE(g.output, 1);
      EXPECT_LE(g.output, 6);
    }
    const auto p = sample(gen_shape(m, Shape::Poisson), seed, 100);
    for (const auto& g : p.groups) {
      EXPECT_GE(g.count, 1);
      EXPECT_LE(g.count, 10);
      EXPECT_GE(g.gap, 0);
    }
  }
}

// on_off's gap is uniform in [0, 100] and its count in [1, 10] at full size (RapidCheck's
// inRange spans the whole range at size 100): over 3000 cases (3000 to 6000 groups) each end
// is drawn (a miss has probability (100 / 101)^3000 < 1e-12), so both ends are in the range.
TEST(FuzzGeneratorsByHand, OnOffReachesBothEndsOfItsRanges) {
  const auto& m = small_classless();
  std::set<std::int64_t> gaps, counts;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed)
    for (const auto& g : sample(gen_shape(m, Shape::OnOff), seed, 100).groups) {
      gaps.insert(g.gap);
      counts.insert(g.count);
    }
  EXPECT_EQ(*gaps.begin(), 0);
  EXPECT_EQ(*gaps.rbegin(), 100);
  EXPECT_EQ(*counts.begin(), 1);
  EXPECT_EQ(*counts.rbegin(), 10);
}

// Uniform lengths are uniform on [1, cap] (generators.cpp `length`): the first group of each
// poisson/uniform case of small_classless (prompt cap 16, output cap 6) at full size (the
// other groups are drawn at a scaled-down size, `some`). Uniform on 1..16 has mean 8.5,
// variance (16^2 - 1) / 12 = 21.25 and P(1) = 1/16; on 1..6 mean 3.5, variance 35/12. Over
// the ~1000 first groups of 3000 cases each mean is within 4 sigma of its value and the share
// of prompt 1 within 4 sigma of 1/16 (a range starting at 0, raised to the minimum 1, would
// give 2/17, about 7 sigma off).
TEST(FuzzGeneratorsByHand, UniformLengthsAreUniformOnOneToTheCap) {
  const auto& m = small_classless();
  double n = 0, prompts = 0, outputs = 0, ones = 0;
  for (std::uint64_t seed = 1; seed <= 3000; ++seed) {
    const auto c = sample(gen_shape(m, Shape::Poisson), seed, 100);
    if (c.shape != "poisson/uniform") continue;
    {
      const auto& g = c.groups.front();
      ASSERT_GE(g.prompt, 1);
      ASSERT_LE(g.prompt, 16);
      ASSERT_GE(g.output, 1);
      ASSERT_LE(g.output, 6);
      n += 1;
      prompts += static_cast<double>(g.prompt);
      outputs += static_cast<double>(g.output);
      ones += g.prompt == 1 ? 1 : 0;
    }
  }
  ASSERT_GE(n, 500);
  EXPECT_NEAR(prompts / n, 8.5, 4 * std::sqrt(21.25 / n));
  EXPECT_NEAR(outputs / n, 3.5, 4 * std::sqrt(35.0 / 12.0 / n));
  EXPECT_NEAR(ones / n, 1.0 / 16, 4 * std::sqrt(1.0 / 16 * 15.0 / 16 / n));
}

// Without [[classes]] every request is of class 0 (request.h: "0 if none"), in every shape.
TEST(FuzzGeneratorsByHand, ClasslessGroupsAreClassZero) {
  const auto& m = small_classless();
  for (const auto shape : {Shape::Poisson, Shape::OnOff, Shape::Markov, Shape::QuietBurst,
                           Shape::SyncFinish})
    for (std::uint64_t seed = 1; seed <= 200; ++seed)
      for (const auto& g : sample(gen_shape(m, shape), seed, 100).groups)
        ASSERT_EQ(g.klass, 0) << to_string(shape) << " seed " << seed;
}

// sync_finish staggers at most 64 single requests (generators.cpp): with groups of up to
// 100 and outputs up to 100 the count n lies in [2, 64], and 64 is drawn (range(2, 64) at full
// size: a miss over 600 cases has probability (62 / 63)^600 < 1e-4).
TEST(FuzzGeneratorsByHand, SyncFinishStaggersAtMost64) {
  static const auto m = make_fuzz_model(config_of(
      kClassless + "[fuzz]\nmax_output = 100\nmax_requests = 200\nmax_groups = 2\n"));
  ASSERT_GE(m->max_group, 65);
  std::int64_t most = 0;
  for (std::uint64_t seed = 1; seed <= 600; ++seed) {
    const auto n = static_cast<std::int64_t>(sample(gen_shape(m, Shape::SyncFinish), seed, 100).groups.size());
    ASSERT_GE(n, 2);
    ASSERT_LE(n, 64);
    most = std::max(most, n);
  }
  EXPECT_EQ(most, 64);
}

// sync_finish without classes: n in [2, min(10, 6)] single requests, the first at gap 0, then
// one per step, outputs base + n - 1 - i with base in [1, 6 - n + 1]: they all end at step
// base + n - 1, the last output is base >= 1 and the first at most 6.
TEST(FuzzGeneratorsByHand, SyncFinishOutputsEndTogether) {
  const auto& m = small_classless();
  std::set<std::int64_t> sizes, lasts, firsts;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const auto c = sample(gen_shape(m, Shape::SyncFinish), seed, static_cast<int>(seed % 101));
    const auto n = static_cast<std::int64_t>(c.groups.size());
    sizes.insert(n);
    ASSERT_GE(n, 2);
    ASSERT_LE(n, 6);
    std::int64_t step = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto& g = c.groups[static_cast<std::size_t>(i)];
      EXPECT_EQ(g.gap, i == 0 ? 0 : 1);
      EXPECT_EQ(g.count, 1);
      EXPECT_EQ(g.prompt, c.groups[0].prompt);
      EXPECT_EQ(g.output, c.groups[0].output - i);
      step += g.gap;
      EXPECT_EQ(step + g.output, c.groups[0].output);  // same finishing step
    }
    EXPECT_GE(c.groups.back().output, 1);
    EXPECT_LE(c.groups[0].output, 6);
    lasts.insert(c.groups.back().output);
    firsts.insert(c.groups[0].output);
  }
  EXPECT_EQ(sizes, (std::set<std::int64_t>{2, 3, 4, 5, 6}));
  EXPECT_EQ(*lasts.begin(), 1);
  EXPECT_EQ(*firsts.rbegin(), 6);
}

// quiet_burst: up to max_groups - 1 = 1 warm group (gap 0..3, 1..3 requests, prompts up to
// max(1, 16 / 8) = 2), then the burst: gap 10..200, 1..10 requests, prompts in [8, 16].
TEST(FuzzGeneratorsByHand, QuietBurstWarmThenLongPrompts) {
  const auto& m = small_classless();
  std::set<std::int64_t> warm_prompts, burst_prompts, warm_gaps, warm_counts;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const auto c = sample(gen_shape(m, Shape::QuietBurst), seed, 100);
    ASSERT_EQ(c.groups.size(), 2U);
    const auto& w = c.groups[0];
    warm_gaps.insert(w.gap);
    warm_counts.insert(w.count);
    EXPECT_GE(w.gap, 0);
    EXPECT_LE(w.gap, 3);
    EXPECT_GE(w.count, 1);
    EXPECT_LE(w.count, 3);
    EXPECT_GE(w.prompt, 1);
    EXPECT_LE(w.prompt, 2);
    warm_prompts.insert(w.prompt);
    const auto& b = c.groups[1];
    EXPECT_GE(b.gap, 10);
    EXPECT_LE(b.gap, 200);
    EXPECT_GE(b.count, 1);
    EXPECT_LE(b.count, 10);
    EXPECT_GE(b.prompt, 8);
    EXPECT_LE(b.prompt, 16);
    burst_prompts.insert(b.prompt);
  }
  EXPECT_EQ(warm_prompts, (std::set<std::int64_t>{1, 2}));
  // every warm gap and count is drawn over 200 cases (a value missed: (3 / 4)^200 < 1e-24)
  EXPECT_EQ(warm_gaps, (std::set<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(warm_counts, (std::set<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(*burst_prompts.begin(), 8);
  EXPECT_EQ(*burst_prompts.rbegin(), 16);
}

// The burst's count is uniform in [1, max_group = 10]: over 1000 cases every value is drawn (a
// value missed: probability (9 / 10)^1000 < 1e-45), so a burst of one long request is possible
// and no burst exceeds the groups' cap.
TEST(FuzzGeneratorsByHand, QuietBurstCountsFromOne) {
  const auto& m = small_classless();
  std::set<std::int64_t> counts;
  for (std::uint64_t seed = 1; seed <= 1000; ++seed)
    counts.insert(sample(gen_shape(m, Shape::QuietBurst), seed, 100).groups.back().count);
  EXPECT_EQ(counts, (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(FuzzGeneratorsByHand, ClassModelsShapesAndNames) {
  const auto& m = small_classes();
  // max_requests 20: groups of up to 10
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    const auto s = sample(gen_shape(m, Shape::SyncFinish), seed, 100);
    EXPECT_EQ(s.shape, "sync_finish");
    ASSERT_EQ(s.groups.size(), 1U);
    EXPECT_EQ(s.groups[0].gap, 0);
    EXPECT_GE(s.groups[0].count, 2);
    EXPECT_LE(s.groups[0].count, 10);
    const auto cm = sample(gen_shape(m, Shape::ClassMix), seed, 100);
    EXPECT_EQ(cm.shape, "class_mix");
    // one group per class per step: (gap 1, class 0), (gap 0, class 1), ...
    ASSERT_EQ(cm.groups.size() % 2, 0U);
    ASSERT_FALSE(cm.groups.empty());
    for (std::size_t i = 0; i < cm.groups.size(); ++i) {
      const auto& g = cm.groups[i];
      EXPECT_EQ(g.klass, static_cast<std::int64_t>(i % 2));
      EXPECT_EQ(g.gap, i % 2 == 0 ? 1 : 0);
      EXPECT_EQ(g.prompt, i % 2 == 0 ? 2 : 5);
      EXPECT_EQ(g.output, i % 2 == 0 ? 3 : 1);
      EXPECT_GE(g.count, 0);
    }
    // class_mix spans up to 20 / 0.75 = 26 steps
    EXPECT_LE(cm.groups.size(), 2U * 26U);
  }
}

// class_mix draws each step's count as per_step[i], i uniform over the table's 256 entries.
// One class at rate 2 per step: Poisson(2)'s CDF 0.1353 0.4060 0.6767 0.8571 0.9473 0.9834
// 0.9955 0.9989 (k = 0..7); entry i is the first k with CDF > i / 256, so entries 252..254
// (q 0.9844..0.9922) are 6 and only entry 255 (q 0.99609 >= 0.9955) is 7: a quiet step (rate 2)
// counts at most 7, and 7 with probability exactly 1/256. Busy cases (rate 4) are told apart by
// their mean count over >= 100 steps (2 vs 4; the mean's sd <= 0.2). Over the quiet cases' steps
// (about 2.7 x 10^4 here) 7 must be drawn, steps / 256 times within 3.5 sd, and nothing above 7.
// (An index drawn from 257 values and clamped would give 7 twice as often: about 9 sd off.)
TEST(FuzzGeneratorsByHand, ClassMixCountsAreUniformOverTheWholeTable) {
  const auto m = make_fuzz_model(config_of(R"([engine]
block_size = 1
num_blocks = 256
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 1
output = 1
rate = 2.0
budget = 4
[workload]
kind = "class_mix"
count = 10
[check]
properties = ["kv_no_overflow"]
[envelope]
max_requests = 0
[fuzz]
max_requests = 2000
)"));
  ASSERT_EQ(m->class_mix_span, 1000);  // 2000 / 2
  std::int64_t quiet_steps = 0, sevens = 0, most = 0;
  for (std::uint64_t seed = 1; seed <= 120; ++seed) {
    const auto c = sample(gen_shape(m, Shape::ClassMix), seed, 100);
    if (c.groups.size() < 100) continue;
    const auto mean = static_cast<double>(c.requests()) / static_cast<double>(c.groups.size());
    if (mean >= 3.0) continue;  // busy
    quiet_steps += static_cast<std::int64_t>(c.groups.size());
    for (const auto& g : c.groups) {
      sevens += g.count == 7 ? 1 : 0;
      most = std::max(most, g.count);
    }
  }
  ASSERT_GE(quiet_steps, 10000);
  EXPECT_EQ(most, 7);
  const double expected = static_cast<double>(quiet_steps) / 256.0;
  EXPECT_NEAR(static_cast<double>(sevens), expected, 3.5 * std::sqrt(expected)) << quiet_steps;
}

TEST(FuzzGeneratorsByHand, ClasslessNamesCarryTheLengthDistribution) {
  std::set<std::string> names;
  for (std::uint64_t seed = 1; seed <= 60; ++seed)
    names.insert(sample(gen_shape(small_classless(), Shape::Poisson), seed, 10).shape);
  EXPECT_EQ(names, (std::set<std::string>{"poisson/lognormal", "poisson/pareto", "poisson/uniform"}));
}

// With [[classes]] class_mix is drawn half the time: the 5 other shapes once each and class_mix
// 5 times. Over 2000 draws: 1000 expected, standard deviation sqrt(2000 / 4) = 22.4. (At
// RapidCheck's full size 100: inRange scales its span with the size.)
TEST(FuzzGeneratorsByHand, ClassMixIsDrawnHalfTheTime) {
  // max_requests 1: class_mix cases span one step (cheap to draw)
  const auto m = make_fuzz_model(config_of(kTwoClasses + "[fuzz]\nmax_requests = 1\n"));
  int class_mix = 0;
  for (std::uint64_t seed = 1; seed <= 2000; ++seed)
    class_mix += sample(gen_case(m), seed, 100).shape == "class_mix" ? 1 : 0;
  EXPECT_NEAR(class_mix, 1000, 70);
  // a model whose only shape is class_mix draws it every time
  const auto only = make_fuzz_model(config_of(R"([engine]
block_size = 1
num_blocks = 64
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 2
output = 3
rate = 0.5
budget = 2
[workload]
kind = "class_mix"
count = 10
[check]
properties = ["kv_no_overflow"]
[fuzz]
shapes = ["class_mix"]
)"));
  for (std::uint64_t seed = 1; seed <= 5; ++seed)
    EXPECT_EQ(sample(gen_case(only), seed, 10).shape, "class_mix");
}

// A five-case search on small_classless: prompts <= 16 and outputs <= 6 fit its 64-block pool,
// so no case is discarded (a discard is a case whose every request is unservable) and vLLM FCFS
// stays within capacity: all 5 cases run to a pass, counted as cases, none as discards.
TEST(FuzzSearchStatsByHand, FiveServableCasesAreFiveCases) {
  SearchParams p;
  p.seed = 7;
  p.runs = 5;
  p.max_size = 20;
  p.shrink = false;
  const auto r = search(small_classless(), p);
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_EQ(r.stats.cases, 5);
  EXPECT_EQ(r.stats.discarded, 0);
  EXPECT_EQ(r.stats.shrinks_tried, 0);
}

// ---------------------------------------------------------------------------------------------
// Stability.

TEST(StabilityByHand, OfferedLoadOfStreams) {
  ModelParams p;
  p.engine.block_size = 1;
  p.engine.num_blocks = 100;
  p.engine.lookahead = 1;
  // unlimited token budget: memory only. (10, 20): w = 20 (10 + 1) + 20 * 19 / 2 = 410 (P1's w);
  // 0.5 / step over 100 tokens: 2.05
  auto l = offered_load(p, {Stream{0.5, 10, 20}});
  EXPECT_DOUBLE_EQ(l.memory, 2.05);
  EXPECT_DOUBLE_EQ(l.tokens, 0.0);
  EXPECT_DOUBLE_EQ(l.rho(), 2.05);
  EXPECT_EQ(l.binding(), "memory");
  // a stream given only its rate is (1, 1): w = 1 (1 + 1) = 2; budget 64: tokens 1 per request
  p.engine.max_batched_tokens = 64;
  l = offered_load(p, {Stream{0.25}});
  EXPECT_DOUBLE_EQ(l.memory, 0.005);
  EXPECT_DOUBLE_EQ(l.tokens, 0.25 / 64.0);
  // two streams add: tokens (10 + 20 - 1) / 64 per request
  l = offered_load(p, {Stream{0.5, 10, 20}, Stream{0.25}});
  EXPECT_DOUBLE_EQ(l.memory, 2.055);
  EXPECT_DOUBLE_EQ(l.tokens, 0.5 * 29.0 / 64.0 + 0.25 / 64.0);
  // the token budget binds: (8, 8) at 1 / step, 16 tokens per step, a huge pool: 15 / 16
  p.engine.num_blocks = 1 << 20;
  p.engine.max_batched_tokens = 16;
  p.engine.lookahead = 0;
  l = offered_load(p, {Stream{1.0, 8, 8}});
  EXPECT_DOUBLE_EQ(l.tokens, 15.0 / 16.0);
  EXPECT_DOUBLE_EQ(l.rho(), 15.0 / 16.0);
  EXPECT_EQ(l.binding(), "tokens");
  LoadEstimate tie{0.5, 0.5};
  EXPECT_EQ(tie.binding(), "memory");
}

TEST(StabilityByHand, StreamsOfTheConfigWorkload) {
  const auto det = config_streams(test::fuzz_config("p4_sarathi"));  // 3 every 4 steps, (8, 8)
  ASSERT_EQ(det.size(), 1U);
  EXPECT_DOUBLE_EQ(det[0].rate, 0.75);
  EXPECT_EQ(det[0].prompt, 8);
  EXPECT_EQ(det[0].output, 8);
  const auto poi = config_streams(config_of(kClassless));
  ASSERT_EQ(poi.size(), 1U);
  EXPECT_DOUBLE_EQ(poi[0].rate, 0.5);
  EXPECT_EQ(poi[0].prompt, 4);
  EXPECT_EQ(poi[0].output, 8);
  const auto cls = config_streams(config_of(kExample2));
  ASSERT_EQ(cls.size(), 1U);  // deterministic: 4 per step
  EXPECT_DOUBLE_EQ(cls[0].rate, 4.0);
}

TEST(StabilityByHand, LeastSquaresSlope) {
  // x = 0, 1, 2; y = 0, 0, 3: n = 3, sx = 3, sy = 3, sxx = 5, sxy = 6: (18 - 9) / (15 - 9) = 1.5
  EXPECT_DOUBLE_EQ(ls_slope({0, 1, 2}, {0, 0, 3}), 1.5);
  EXPECT_DOUBLE_EQ(ls_slope({0, 1, 2, 3}, {3, 2, 1, 0}), -1.0);
  EXPECT_DOUBLE_EQ(ls_slope({5}, {7}), 0.0);
  EXPECT_DOUBLE_EQ(ls_slope({}, {}), 0.0);
  EXPECT_DOUBLE_EQ(ls_slope({2, 2}, {1, 5}), 0.0);  // no spread in x
}

std::string one_token_requests(int num_blocks, int burst, const std::string& stability) {
  return "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(num_blocks) +
         "\n[policy]\nname = \"p2_fcfs\"\n[workload]\nkind = \"deterministic\"\ncount = 10\n"
         "burst = " + std::to_string(burst) +
         "\ninterval = 1\nprompt = 1\noutput = 1\n[check]\nproperties = [\"kv_no_overflow\"]\n"
         "[fuzz.stability]\nhorizon = 100\n" + stability;
}

StabilityReport stability_of(const Config& c) { return check_stability(c, *make_fuzz_model(c)); }

// One request (1, 1) per step on a 4-block pool: each completes in its arrival step, nothing
// stays: slope 0 <= epsilon 0.05 (5 % of the rate): stable. Throughput over the second half:
// steps 50..99, completions 51 -> 100: 49 / 49 = 1. rho = 1 x 1 / 4.
TEST(StabilityByHand, OneRequestPerStepIsStable) {
  const auto r = stability_of(config_of(one_token_requests(4, 1, "")));
  EXPECT_EQ(r.drift, Drift::Stable);
  EXPECT_EQ(r.horizon, 100);
  EXPECT_DOUBLE_EQ(r.rate, 1.0);
  EXPECT_DOUBLE_EQ(r.epsilon, 0.05);
  EXPECT_DOUBLE_EQ(r.slope, 0.0);
  EXPECT_DOUBLE_EQ(r.throughput, 1.0);
  EXPECT_EQ(r.final_in_system, 0);
  EXPECT_DOUBLE_EQ(r.load.rho(), 0.25);
}

// Disabled, the experiment does not run: not applicable, over 0 steps (the report's JSON
// prints "horizon": 0; the configured 100 is not what ran), with nothing measured.
TEST(StabilityByHand, DisabledRunsNoSteps) {
  const auto r = stability_of(config_of(one_token_requests(4, 1, "enabled = false\n")));
  EXPECT_EQ(r.drift, Drift::NotApplicable);
  EXPECT_EQ(r.horizon, 0);
  EXPECT_DOUBLE_EQ(r.rate, 0.0);
  EXPECT_DOUBLE_EQ(r.slope, 0.0);
  EXPECT_DOUBLE_EQ(r.throughput, 0.0);
  EXPECT_EQ(r.final_in_system, 0);
}

// The boundary is inclusive ("slope > epsilon is drift", stability.h): with epsilon = 0 the flat
// run above (slope exactly 0: every request leaves in its arrival step) is still stable.
TEST(StabilityByHand, ZeroSlopeAtZeroEpsilonIsStable) {
  const auto r = stability_of(config_of(one_token_requests(4, 1, "epsilon = 0.0\n")));
  EXPECT_DOUBLE_EQ(r.epsilon, 0.0);
  EXPECT_DOUBLE_EQ(r.slope, 0.0);
  EXPECT_EQ(r.drift, Drift::Stable);
}

// Two per step on a 1-block pool: one is served per step, one more waits after every step
// (after step k: 2 (k + 1) arrived, k + 1 done): slope exactly 1. rho = 2 x 1 / 1 = 2 > 1: no
// scheduler carries it, so the drift is expected overload, not a bug.
TEST(StabilityByHand, OverloadDriftIsExpected) {
  const auto r = stability_of(config_of(one_token_requests(1, 2, "")));
  EXPECT_DOUBLE_EQ(r.slope, 1.0);
  EXPECT_DOUBLE_EQ(r.load.rho(), 2.0);
  EXPECT_DOUBLE_EQ(r.epsilon, 0.1);
  EXPECT_EQ(r.drift, Drift::ExpectedOverload);
  EXPECT_EQ(r.final_in_system, 100);
  EXPECT_DOUBLE_EQ(r.throughput, 1.0);
  // an explicit tolerance above the slope: stable
  const auto tolerant = stability_of(config_of(one_token_requests(1, 2, "epsilon = 1.5\n")));
  EXPECT_DOUBLE_EQ(tolerant.epsilon, 1.5);
  EXPECT_EQ(tolerant.drift, Drift::Stable);
  // disabled: not applicable
  const auto off = stability_of(config_of(one_token_requests(1, 2, "enabled = false\n")));
  EXPECT_EQ(off.drift, Drift::NotApplicable);
  EXPECT_EQ(to_string(off.drift), "not_applicable");
}

// Throughput over the second half with two steps in it. One request (1, 1) every 25 steps on a
// 4-block pool, horizon 100: ceil(0.04 x 100) = 4 requests, at steps 0, 25, 50, 75, each done
// in its arrival step; between them nothing is resident and the clock jumps to the next
// arrival, so the run has 4 steps. Second half: steps 50 and 75, done 3 -> 4: 1 / 25 = 0.04.
// Every 50 steps: 2 requests, 2 steps, one step in the second half: no throughput (0).
TEST(StabilityByHand, ThroughputOfASparseStream) {
  auto text = one_token_requests(4, 1, "");
  const std::string every = "interval = 1";
  ASSERT_NE(text.find(every), std::string::npos);
  text.replace(text.find(every), every.size(), "interval = 25");
  const auto r = stability_of(config_of(text));
  EXPECT_DOUBLE_EQ(r.rate, 0.04);
  EXPECT_DOUBLE_EQ(r.slope, 0.0);
  EXPECT_DOUBLE_EQ(r.throughput, 0.04);
  EXPECT_EQ(r.final_in_system, 0);
  EXPECT_EQ(r.drift, Drift::Stable);
  text.replace(text.find("interval = 25"), 13, "interval = 50");
  const auto two = stability_of(config_of(text));
  EXPECT_DOUBLE_EQ(two.rate, 0.02);
  EXPECT_DOUBLE_EQ(two.throughput, 0.0);
  EXPECT_EQ(two.drift, Drift::Stable);
}

// Ao et al. Example 2 at rho = M* / C = 4 x 3 / 12 = 1 exactly (carriable): FCFS's trap completes
// 3 per step against 4 arrivals, so the queue grows by about 1 per step: unstable.
TEST(StabilityByHand, Example2DriftsAtACarriableLoad) {
  const auto r = stability_of(config_of(kExample2 + "[fuzz.stability]\nhorizon = 200\n"));
  EXPECT_DOUBLE_EQ(r.load.rho(), 1.0);
  EXPECT_EQ(r.drift, Drift::Unstable);
  EXPECT_NEAR(r.slope, 1.0, 0.1);
  EXPECT_NEAR(r.throughput, 3.0, 0.1);
  EXPECT_EQ(to_string(r.drift), "unstable");
}

// ---------------------------------------------------------------------------------------------
// The report.

FuzzReport hand_report() {
  FuzzReport r;
  r.config_name = "hand";
  r.verdict = Verdict::bounded_ok(4);
  CorpusCheck a;
  a.file = "/x/a.itf.json";
  a.expected = {"violated", "no_preemption"};
  a.actual.verdict = Verdict::violated(1, PropertyKind::Safety, "p");
  a.actual.what = "no_preemption";
  a.matched = true;
  a.requests = 7;
  CorpusCheck b;
  b.file = "/x/b.itf.json";
  b.expected = {"violated", "starvation"};
  b.actual.verdict = Verdict::bounded_ok(3);
  b.matched = false;
  b.requests = 3;
  r.corpus = {a, b};
  r.search.stats.cases = 4;
  r.search.stats.discarded = 1;
  r.search.stats.shrinks_tried = 6;
  r.search.stats.shrinks_accepted = 2;
  r.search.stats.tags = {{"poisson", 3}, {"markov", 1}, {"preemption", 1}, {"high_occupancy", 2}};
  r.coverage = {{"preemption", 0.25, 0.1}, {"high_occupancy", 0.5, 0.75}};
  r.seconds = 2.0;
  return r;
}

TEST(FuzzReportByHand, TextCountsAndLines) {
  const auto r = hand_report();
  const auto text = format_report(r);
  const auto has = [&](const std::string& s) {
    EXPECT_NE(text.find(s), std::string::npos) << "missing: " << s << "\nin:\n" << text;
  };
  has("hand: ");
  has("corpus: 2 entries replayed first, 1 gave their expected verdict\n");
  has("ok   a.itf.json: expected violated no_preemption, got violated no_preemption (7 requests)\n");
  has("DIFF b.itf.json: expected violated starvation, got ok  (3 requests)\n");
  has("cases: 4 run, 1 discarded, 6 shrink steps tried (2 accepted)\n");
  has("speed: 2 cases/s (2.000 s, shrinking included)\n");
  has("preemption        25.0 %  (minimum 10.0 %)\n");
  has("high_occupancy    50.0 %  (minimum 75.0 %)  NOT MET\n");
  has("shapes: markov=1 poisson=3\n");
  has("stability: not applicable");
  EXPECT_EQ(text.find("RC_PARAMS"), std::string::npos);
  EXPECT_EQ(format_report(r, true).find("speed:"), std::string::npos);
  auto none = r;
  none.corpus[1].matched = true;
  EXPECT_NE(format_report(none).find("2 gave their expected verdict"), std::string::npos);
  none.corpus.clear();
  EXPECT_NE(format_report(none).find("corpus: 0 entries replayed first, 0 gave"),
            std::string::npos);
}

TEST(FuzzReportByHand, StabilityAndFailureLines) {
  auto r = hand_report();
  r.stability.drift = Drift::Unstable;
  r.stability.rate = 4.0;
  r.stability.load = {1.0, 0.0};
  r.stability.slope = 1.0;
  r.stability.epsilon = 0.2;
  r.stability.horizon = 200;
  r.stability.throughput = 3.0;
  r.stability.final_in_system = 100;
  Failure f;
  f.minimal = FuzzCase{"poisson", {Group{0, 7, 1, 2, 0}}};
  f.result.verdict = Verdict::violated(1, PropertyKind::Safety, "p");
  f.result.what = "no_preemption";
  f.reproduce = "reproduce=XYZ";
  f.tests_before = 3;
  f.reproduced = true;
  r.search.failure = f;
  r.replay_message = "REPRODUCED";
  r.counterexample = "/out/counterexample.itf.json";
  const auto text = format_report(r);
  const auto has = [&](const std::string& s) {
    EXPECT_NE(text.find(s), std::string::npos) << "missing: " << s << "\nin:\n" << text;
  };
  has("stability: unstable (rate 4.000/step, rho 1.000 binding memory, slope 1.0000 vs epsilon "
      "0.2000 requests/step over 200 steps, throughput 3.000/step, 100 in system at the end)\n");
  has("counterexample: no_preemption at step 1 after 3 passing cases, shrunk to 7 requests\n");
  has("  poisson seed=0 requests=7 [+0:7x(1,2,c0)]\n");
  has("  reproduce string re-checked\n");
  has("  trace replay: REPRODUCED\n");
  has("  written: /out/counterexample.itf.json\n");
  has("RC_PARAMS=\"reproduce=XYZ\"\n");
  EXPECT_EQ(text.find("kept in corpus"), std::string::npos);
  r.search.failure->reproduced = false;
  EXPECT_NE(format_report(r).find("reproduce string DID NOT REPRODUCE"), std::string::npos);
  // summary.json
  const auto j = nlohmann::json::parse(summary_json(r));
  EXPECT_EQ(j["config"], "hand");
  EXPECT_EQ(j["statistics"]["cases"], 4);
  EXPECT_EQ(j["statistics"]["discarded"], 1);
  EXPECT_EQ(j["statistics"]["shrinks_tried"], 6);
  EXPECT_DOUBLE_EQ(j["statistics"]["cases_per_second"].get<double>(), 2.0);
  EXPECT_EQ(j["coverage"]["preemption"]["met"], true);
  EXPECT_EQ(j["coverage"]["high_occupancy"]["met"], false);
  EXPECT_DOUBLE_EQ(j["coverage"]["high_occupancy"]["minimum"].get<double>(), 0.75);
  EXPECT_EQ(j["stability"]["drift"], "unstable");
  EXPECT_EQ(j["stability"]["horizon"], 200);
  ASSERT_EQ(j["corpus"].size(), 2U);
  EXPECT_EQ(j["corpus"][0]["file"], "a.itf.json");
  EXPECT_EQ(j["corpus"][0]["matched"], true);
  EXPECT_EQ(j["corpus"][1]["matched"], false);
  EXPECT_EQ(j["counterexample"]["property"], "no_preemption");
  EXPECT_EQ(j["counterexample"]["step"], 1);
  EXPECT_EQ(j["counterexample"]["requests"], 7);
  EXPECT_EQ(j["counterexample"]["reproduce"], "reproduce=XYZ");
}

}  // namespace
}  // namespace kvcheck::fuzz
