// The Z3 backend's verdict paths at their edges, on models small enough to compute by hand
// (issue 19: fast tests that kill mutants in checkers/z3/bmc.cpp, k_induction.cpp, seed_search.cpp,
// unroller.cpp, bmc_session.cpp, vacuity.cpp, buffer_search.cpp). Every expected depth, step and
// value below is derived in the comments from the model's rules, never from another run of the
// code under test.
//
// The "ages" model (Dong & Cao Algorithm 1, p1_class_budgets, no memory check): block_size 1,
// lookahead 0, one class (prompt 1, output 3) with budget 1, 2 request slots, arrivals in [0, 3].
// A request admitted at step a reserves computed + n tokens (= blocks) at each step it runs:
//   age 0 (step a):     prefill 1 token          -> 1 block  (first token sampled, generated 1)
//   age 1 (step a + 1): decode, computed 1 + 1   -> 2 blocks (generated 2)
//   age 2 (step a + 2): decode, computed 2 + 1   -> 3 blocks (generated 3 = output: done,
//                                                   released at the end of the step)
// Its largest footprint is 1 + 3 - 1 = 3 blocks, so no request is rejected when M >= 3.
// Budget 1 admits at most one request per step, so two running requests have different ages;
// the largest plan is ages 2 and 1 together: 3 + 2 = 5 blocks, first possible at step 2 (A
// admitted at step 0, B at step 1). Before step 2 a plan holds at most 2 + 1 = 3 blocks.
//   M = 4: kv_no_overflow fails first at step 2 (5 > 4): BMC depth 3 VIOLATED at step 2,
//          depth 2 BOUNDED_OK(2).
//   M = 5: no plan ever exceeds 5: safe at every depth.
//   M = 3: also fails first at step 2 (5 > 3; step 1's 3 <= 3).
//   M = 2: every request is rejected at arrival (footprint 3 > 2): nothing is ever scheduled.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "checkers/z3/bmc.h"
#include "checkers/z3/buffer_search.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/deadline.h"
#include "checkers/z3/k_induction.h"
#include "checkers/z3/seed_search.h"
#include "checkers/z3/vacuity.h"
#include "io/config.h"
#include "io/input_error.h"

namespace kvcheck {
namespace {

ModelParams ages_model(std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = blocks;
  p.engine.lookahead = 0;
  p.classes = {{"c", 1, 3, 1.0, 1}};
  return p;
}

BmcSpec ages_spec(std::int64_t depth) {
  BmcSpec s;
  s.slots = 2;
  s.per_class = true;
  s.arrival_lo = 0;
  s.arrival_hi = 3;
  s.depth = depth;
  s.max_k = depth;
  s.properties = {PropertyId::KvNoOverflow};
  return s;
}

/// The solver alone, every resource-triggered path off unless a test turns it on.
SolverOptions plain() {
  SolverOptions o;
  o.seed_runs = 0;
  o.alloc_after_work = -1;
  o.lemma_after_work = -1;
  return o;
}

/// vLLM FCFS checks free blocks before every reservation: on 6 one-token blocks, prompts 1..2,
/// `slots` requests arriving at steps 0..arrival_hi, kv_no_overflow holds at every depth.
ModelParams guarded_model() {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 6;
  return p;
}
BmcSpec guarded_spec(int slots, std::int64_t arrival_hi) {
  BmcSpec spec;
  spec.slots = slots;
  spec.prompt_hi = 2;
  spec.arrival_hi = arrival_hi;
  spec.properties = {PropertyId::KvNoOverflow};
  return spec;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

/// The hand facts of the M = 4 counterexample: kv_no_overflow at step 2, two requests, the first
/// arriving at step 0 and the second by step 1 (ages 2 and 1 at step 2), replayed concretely.
void expect_ages_overflow(const ModelParams& p, const BmcResult& r) {
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.depth, 2);
  EXPECT_EQ(r.verdict.reason, "kv_no_overflow");
  ASSERT_TRUE(r.cex.has_value());
  EXPECT_EQ(r.cex->step, 2);
  ASSERT_EQ(r.cex->workload.requests.size(), 2U);
  EXPECT_EQ(r.cex->workload.requests[0].arrival_step, 0);
  EXPECT_LE(r.cex->workload.requests[1].arrival_step, 1);
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, *r.cex, {}).reproduced);
}

// BMC, seed search off: the shortest violation is exactly at the last requested depth (k = 2:
// depth 3 VIOLATED at step 2, depth 2 BOUNDED_OK(2)), and the safe twin is BOUNDED_OK at 3.
TEST(BmcEdges, ShortestViolationAtTheLastRequestedDepth) {
  const auto p = ages_model(4);
  expect_ages_overflow(p, run_bmc(p, ages_spec(3), 3, plain()));
  const auto shorter = run_bmc(p, ages_spec(2), 2, plain());
  EXPECT_EQ(shorter.verdict.kind, VerdictKind::BoundedOk) << to_string(shorter.verdict);
  EXPECT_EQ(shorter.verdict.depth, 2);
  EXPECT_FALSE(shorter.cex.has_value());
  const auto safe = run_bmc(ages_model(5), ages_spec(3), 3, plain());
  EXPECT_EQ(safe.verdict.kind, VerdictKind::BoundedOk) << to_string(safe.verdict);
  EXPECT_EQ(safe.verdict.depth, 3);
  EXPECT_EQ(safe.verdict.reason, "");  // nothing closed it early: every depth was queried
}

// The resource-triggered paths forced on (threshold 0: after the first depth) change no verdict:
// Alg. 1 checks no memory, so neither the allocation invariant nor the lemmas can close the
// unsafe model, and the minimal violation stays at step 2.
TEST(BmcEdges, ForcedAllocationAndLemmasKeepTheMinimalViolation) {
  const auto p = ages_model(4);
  for (const auto& [alloc, lemma] : {std::pair{0, -1}, std::pair{-1, 0}}) {
    auto o = plain();
    o.alloc_after_work = alloc;
    o.lemma_after_work = lemma;
    SCOPED_TRACE("alloc_after_work " + std::to_string(alloc) + ", lemma_after_work " +
                 std::to_string(lemma));
    expect_ages_overflow(p, run_bmc(p, ages_spec(3), 3, o));
  }
}

// vLLM FCFS checks free blocks before every reservation, so the pool never overflows (any pool;
// here 6 blocks, prompts 1..2, outputs 1..3, 2 slots). Forced allocation invariant: BMC closes
// after depth 1 ("closed at depth 1", the invariant named) with BOUNDED_OK for the whole depth;
// forced lemmas (allocation off): closed at depth 1 by the lemmas; both off: every depth queried,
// no "closed" reason. Never closed after the last depth: a depth-1 run is plain.
TEST(BmcEdges, ResourceTriggersCloseASafeGuardedModelOnlyWhenOn) {
  const auto p = guarded_model();
  const auto spec = guarded_spec(2, 2);
  auto alloc = plain();
  alloc.alloc_after_work = 0;
  const auto a = run_bmc(p, spec, 4, alloc);
  EXPECT_EQ(a.verdict.kind, VerdictKind::BoundedOk);
  EXPECT_EQ(a.verdict.depth, 4);
  EXPECT_TRUE(starts_with(a.verdict.reason, "closed at depth 1: "));
  EXPECT_NE(a.verdict.reason.find("allocation invariant"), std::string::npos) << a.verdict.reason;
  auto lemmas = plain();
  lemmas.lemma_after_work = 0;
  const auto l = run_bmc(p, spec, 4, lemmas);
  EXPECT_EQ(l.verdict.kind, VerdictKind::BoundedOk);
  EXPECT_EQ(l.verdict.depth, 4);
  EXPECT_TRUE(starts_with(l.verdict.reason, "closed at depth 1: ")) << l.verdict.reason;
  EXPECT_NE(l.verdict.reason.find("invariants proved inductive"), std::string::npos);
  const auto off = run_bmc(p, spec, 4, plain());
  EXPECT_EQ(off.verdict.kind, VerdictKind::BoundedOk);
  EXPECT_EQ(off.verdict.depth, 4);
  EXPECT_EQ(off.verdict.reason, "");
  auto both = plain();
  both.alloc_after_work = 0;
  both.lemma_after_work = 0;
  const auto last = run_bmc(p, spec, 1, both);  // t + 1 < depth never holds: no closure
  EXPECT_EQ(last.verdict.kind, VerdictKind::BoundedOk);
  EXPECT_EQ(last.verdict.depth, 1);
  EXPECT_EQ(last.verdict.reason, "");
}

// prove proves the well-formedness lemmas before its step case when lemma_after_work >= 0:
// 0 means "first", not "off" (-1 is off). The claim counts the lemmas it was strengthened by.
TEST(ProveEdges, LemmaThresholdZeroProvesTheLemmasFirstAndMinusOneSkipsThem) {
  const auto p = guarded_model();
  auto spec = guarded_spec(2, 2);
  spec.max_k = 4;
  const auto lemmas_in = [](const std::string& claim) -> long long {
    const auto end = claim.find(" lemmas proved inductive first");
    if (end == std::string::npos) return -1;
    const auto from = claim.rfind(" and ", end) + 5;
    return std::stoll(claim.substr(from, end - from));
  };
  auto first = plain();
  first.lemma_after_work = 0;
  const auto with = prove_k_induction(p, spec, first);
  ASSERT_EQ(with.verdict.kind, VerdictKind::Proved) << to_string(with.verdict);
  EXPECT_GT(lemmas_in(with.claim), 0) << with.claim;
  const auto without = prove_k_induction(p, spec, plain());
  if (without.verdict.kind == VerdictKind::Proved) {
    EXPECT_EQ(lemmas_in(without.claim), 0);
  }
}

// The triggers are inclusive: "once a depth's query consumes >= alloc_after_work (lemma_after_work)
// units" (bmc_session.h, docs/z3-backend.md). The model above with 1 slot arriving at step 0 or
// 1 (cheaper), progress on: the line of depth 0's query ("bmc_depth_0: unsat in ... s, N units")
// names its units N. Rerun to depth 2 (a fresh session, the same queries, the same units): a
// threshold of exactly N closes at depth 1, N + 1 leaves a plain BOUNDED_OK (depth 1 is the
// last: never closed there).
TEST(BmcEdges, ResourceTriggersIncludeTheirThreshold) {
  const auto p = guarded_model();
  const auto spec = guarded_spec(1, 1);
  std::ostringstream log;
  auto measured = plain();
  measured.progress = &log;
  (void)run_bmc(p, spec, 1, measured);
  const auto text = log.str();
  const auto line = text.find("bmc_depth_0: ");
  ASSERT_NE(line, std::string::npos) << text;
  const auto units_at = text.find(" units", line);
  ASSERT_NE(units_at, std::string::npos) << text;
  const auto from = text.rfind(", ", units_at);
  ASSERT_NE(from, std::string::npos) << text;
  const std::int64_t n = std::stoll(text.substr(from + 2, units_at - from - 2));
  ASSERT_GT(n, 0) << text;
  for (const bool alloc : {true, false}) {
    const auto with = [&](std::int64_t threshold) {
      auto o = plain();
      (alloc ? o.alloc_after_work : o.lemma_after_work) = threshold;
      return run_bmc(p, spec, 2, o).verdict.reason;  // depth 2: only depth 0 can close it
    };
    SCOPED_TRACE(std::string(alloc ? "alloc_after_work" : "lemma_after_work") + " around " +
                 std::to_string(n) + " units");
    EXPECT_TRUE(starts_with(with(n), "closed at depth 1: ")) << n;
    EXPECT_EQ(with(n + 1), "") << n;  // every depth queried, nothing closed it
  }
}

// A query's units are its own work: what the solver's resource count grew by during that
// check ("N units (T in this session)" on each progress line, bmc_session.h), not the running
// total T. Between two depths' checks the solver also works on the new step's assertions, so a
// depth's own units are at most the growth of T since the previous depth, and never T itself.
// The resource triggers compare the own work with their threshold; a total would make every
// later depth "slow".
TEST(BmcEdges, EachQuerysUnitsAreItsOwnWorkNotTheSessionTotal) {
  const auto p = guarded_model();
  const auto spec = guarded_spec(2, 2);
  std::ostringstream log;
  auto o = plain();
  o.progress = &log;
  (void)run_bmc(p, spec, 4, o);
  std::istringstream lines(log.str());
  std::uint64_t previous = 0;
  int depths = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto units = line.find(" units (");
    if (line.rfind("bmc_depth_", 0) != 0 || units == std::string::npos) continue;
    const auto from = line.rfind(", ", units) + 2;
    const auto own = std::stoull(line.substr(from, units - from));
    const auto total = std::stoull(line.substr(units + 8));
    ASSERT_GT(total, previous) << line;
    EXPECT_GT(own, 0U) << line;
    EXPECT_LE(own, total - previous) << line;
    previous = total;
    ++depths;
  }
  EXPECT_EQ(depths, 4) << log.str();
}

// A resource limit of 1 unit per query: every query is unknown, so check and prove are UNKNOWN,
// never BOUNDED_OK / PROVED / VIOLATED, on the safe and the unsafe model alike (the simulated
// non-vacuity witness keeps the solver out of the vacuity check, so the limit bites in BMC).
TEST(BmcEdges, ExhaustedResourceLimitIsUnknownNeverAPass) {
  for (const std::int64_t m : {4, 5}) {
    const auto p = ages_model(m);
    auto o = plain();
    o.seed_runs = 50;
    o.rlimit = 1;
    const auto b = run_bmc(p, ages_spec(3), 3, o);
    EXPECT_EQ(b.verdict.kind, VerdictKind::Unknown) << "M = " << m << ": " << to_string(b.verdict);
    EXPECT_TRUE(starts_with(b.verdict.reason, "solver unknown at depth 0")) << b.verdict.reason;
    EXPECT_EQ(to_exit_code(b.verdict), ExitCode::Inconclusive);
    const auto k = prove_k_induction(p, ages_spec(3), o);
    EXPECT_EQ(k.verdict.kind, VerdictKind::Unknown) << "M = " << m << ": " << to_string(k.verdict);
  }
}

// prove, seed search off: the unsafe model is VIOLATED at step 2 by the base case (max_k 3
// reaches it). (The safe M = 5 twin is PROVED with the same options in BufferEdges below.)
TEST(KInductionEdges, ProveUnsafeIsViolatedAtTheHandStep) {
  const auto unsafe = ages_model(4);
  const auto u = prove_k_induction(unsafe, ages_spec(3), plain());
  ASSERT_EQ(u.verdict.kind, VerdictKind::Violated) << to_string(u.verdict);
  EXPECT_EQ(u.verdict.depth, 2);
  EXPECT_EQ(u.verdict.reason, "kv_no_overflow");
  ASSERT_TRUE(u.cex.has_value());
  EXPECT_TRUE(confirm_counterexample(unsafe, TimeModel{}, *u.cex, {}).reproduced);
}

// Base case vs step case: on the unsafe model the property holds for 2 steps from the initial
// state (steps 0 and 1), but it is not inductive (the reachable run A at step 0, B at step 1
// is itself a path of 2 good steps followed by a bad one). With max_k = 2 the base cases pass
// and no step case may: UNKNOWN, never PROVED, and no violation claimed.
TEST(KInductionEdges, HoldsForKStepsButNotKInductiveIsNotProved) {
  auto spec = ages_spec(2);
  spec.max_k = 2;
  const auto r = prove_k_induction(ages_model(4), spec, plain());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown) << to_string(r.verdict);
  EXPECT_TRUE(starts_with(r.verdict.reason, "not k-inductive for k <= 2")) << r.verdict.reason;
  EXPECT_FALSE(r.cex.has_value());
}

// A [bmc] invariant that holds after step 0 from the initial state (time 1, every computed <= 1)
// and excludes every one-step overflow from the states it allows (two requests of age <= 1 grow
// to at most 2 + 2 blocks... + 0 admitted, <= 4), but is not inductive (time reaches 2): the
// step case must prove the invariant of its post-state too, so this is never PROVED, although
// the model overflows at step 2. The base case at step 1 (time 2) finds the invariant false.
TEST(KInductionEdges, NonInductiveInvariantIsNeverAProof) {
  auto spec = ages_spec(3);
  spec.invariants = {"(and (<= time 1) (<= computed_0 1) (<= computed_1 1))"};
  const auto r = prove_k_induction(ages_model(4), spec, plain());
  EXPECT_NE(r.verdict.kind, VerdictKind::Proved) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown) << to_string(r.verdict);
  EXPECT_TRUE(starts_with(r.verdict.reason, "a [bmc] invariant does not hold at step 1"))
      << r.verdict.reason;
}

// Houdini never assumes a wrong candidate: "slots 0 and 1 never run together" holds initially
// and after step 0 (one admission per step), but not after step 1 (A admitted at 0, B at 1:
// both running), and that state is the one the step-2 overflow needs. Offered as a lemma, it
// must be dropped, and BMC with the proved lemmas assumed still finds the overflow at exactly
// step 2 (depths 0 and 1 unsat). (The pool counter itself is no such candidate: the engine's
// eviction repairs every plan, so the post-state counter never exceeds the pool.)
TEST(LemmaEdges, WrongCandidateIsNeverAssumed) {
  const auto p = ages_model(4);
  const auto spec = ages_spec(3);
  BmcSession s(p, spec, plain(), false);
  SymbolicScope scope(s.ctx());
  s.add_lemma_candidates([](const SymState& st) {
    const auto run = Symbolic::lit(status_code(Status::Running));
    return std::vector<Unroller::Part>{
        {"never_both_running", !(st.slots[0].status == run && st.slots[1].status == run)}};
  });
  const auto names = s.prove_lemmas(20'000'000, 0);
  EXPECT_EQ(std::find(names.begin(), names.end(), "never_both_running"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "run_blocks_1"), names.end());
  // True queue-order facts are kept: requests arrive in slot order, are admitted FIFO and run
  // in admission order, so a running slot's position is the number of running slots before it.
  EXPECT_NE(std::find(names.begin(), names.end(), "run_rank_0"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "run_rank_1"), names.end());
  for (std::int64_t t = 0; t < 3; ++t) {
    const auto props = s.extend(false);
    const auto r = s.query(!props[0], "lemma_edge_" + std::to_string(t));
    EXPECT_EQ(r.result, t == 2 ? z3::sat : z3::unsat) << "step " << t;
  }
}

// Seed search (Z3-free): on the M = 4 model its witness is at the minimal step 2 (nothing can
// overflow earlier, above), inside the bounds, replays concretely; within 2 steps it finds
// nothing, and on the safe M = 5 model nothing at all. BMC with the seed search on reports the
// same minimal step as with it off.
TEST(SeedEdges, WitnessIsAtTheHandComputedMinimalStep) {
  const auto p = ages_model(4);
  const auto spec = ages_spec(3);
  const auto hint = seed_search(p, spec, 3, 200, 1);
  ASSERT_TRUE(hint.has_value());
  EXPECT_EQ(hint->step, 2);
  EXPECT_EQ(hint->property, PropertyId::KvNoOverflow);
  EXPECT_TRUE(within_spec(p, spec, hint->workload));
  const Counterexample cex{hint->workload, hint->picks, hint->property, hint->step};
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, cex, {}).reproduced);
  EXPECT_FALSE(seed_search(p, spec, 2, 200, 1).has_value());
  EXPECT_FALSE(seed_search(ages_model(5), spec, 3, 200, 1).has_value());
  // within_spec: BMC's slots are in arrival order, so an out-of-order workload is not one of
  // the workloads it quantifies over; the same two requests in order are.
  Workload w;
  w.requests = {Request{1, 1.0, 1, 3, 0}, Request{0, 0.0, 1, 3, 0}};
  EXPECT_FALSE(within_spec(p, spec, w));
  std::swap(w.requests[0], w.requests[1]);
  EXPECT_TRUE(within_spec(p, spec, w));
  // per_class off on a model with classes: lengths are checked against the spec's ranges, not
  // the class's own (1, 3). Ranges prompt [1, 4], output [1, 2]: (2, 2) is inside although it
  // is not the class's; the class's own (1, 3) is outside (output 3 > 2).
  auto ranged = spec;
  ranged.per_class = false;
  ranged.prompt_lo = 1;
  ranged.prompt_hi = 4;
  ranged.output_lo = 1;
  ranged.output_hi = 2;
  Workload lengths;
  lengths.requests = {Request{0, 0.0, 2, 2, 0}};
  EXPECT_TRUE(within_spec(p, ranged, lengths));
  lengths.requests = {Request{0, 0.0, 1, 3, 0}};
  EXPECT_FALSE(within_spec(p, ranged, lengths));
  // per_class on, the same model: exactly the class's (1, 3), and (2, 2) is not one
  EXPECT_TRUE(within_spec(p, spec, lengths));
  lengths.requests = {Request{0, 0.0, 2, 2, 0}};
  EXPECT_FALSE(within_spec(p, spec, lengths));
  auto seeded = plain();
  seeded.seed_runs = 200;
  expect_ages_overflow(p, run_bmc(p, spec, 3, seeded));
  const auto k = prove_k_induction(p, spec, seeded);
  ASSERT_EQ(k.verdict.kind, VerdictKind::Violated) << to_string(k.verdict);
  EXPECT_EQ(k.verdict.depth, 2);
}

// The depth is a step index, not a count of simulated iterations (the simulator skips idle
// steps up to the next arrival). Arrivals in [1, 3]: the first admission is at step 1, so the
// largest plan by step 2 is ages 1 and 0, 2 + 1 = 3 blocks, and the overflow (ages 2 and 1) is
// first possible at step 3. Within depth 3 (steps 0..2) there is no witness and the peak plan is
// 3; within depth 4 the witness is at step 3 and the peak is 5.
TEST(SeedEdges, DepthCountsStepsNotSimulatedIterations) {
  const auto p = ages_model(4);
  auto spec = ages_spec(3);
  spec.arrival_lo = 1;
  EXPECT_FALSE(seed_search(p, spec, 3, 200, 1).has_value());
  const auto deeper = seed_search(p, spec, 4, 200, 1);
  ASSERT_TRUE(deeper.has_value());
  EXPECT_EQ(deeper->step, 3);
  EXPECT_EQ(peak_demand(ages_model(6), spec, 3, 100, 1), 3);
  EXPECT_EQ(peak_demand(ages_model(6), spec, 4, 100, 1), 5);
}

// Dong & Cao Alg. 2 (p1_flow_control; confirm_test's schedule): B_t in {1, 2} drawn per step,
// 3 blocks, lookahead 0, two requests (prompt 1, output 3). Step 0: nothing runs, so nothing can
// be preempted; with B_0 = 2 both are admitted (1 + 1 blocks). Step 1: U = (1 + 1) * 2 = 4 > 3
// preempts the newer one: no_preemption fails first at step 1, after the pick at step 0. The
// witness carries that pick (B_0 = 2) and replays.
TEST(SeedEdges, FlowControlWitnessCarriesTheStepZeroPick) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1FlowControl;
  p.policy.flow_budget_min = 1;
  p.policy.flow_budget_max = 2;
  p.engine.num_blocks = 3;
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_hi = 1;
  spec.output_lo = 3;
  spec.arrival_hi = 0;
  spec.allow_absent = false;
  spec.properties = {PropertyId::NoPreemption};
  const auto hint = seed_search(p, spec, 3, 200, 1);
  ASSERT_TRUE(hint.has_value());
  EXPECT_EQ(hint->step, 1);
  EXPECT_EQ(hint->property, PropertyId::NoPreemption);
  ASSERT_EQ(hint->picks.size(), 2U);
  ASSERT_FALSE(hint->picks[0].empty());
  EXPECT_EQ(hint->picks[0][0], 2);
  const Counterexample cex{hint->workload, hint->picks, hint->property, hint->step};
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, cex, {}).reproduced);
  // the solver alone: the same step, and nothing within 1 step
  const auto r = run_bmc(p, spec, 3, plain());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_EQ(r.verdict.depth, 1);
  EXPECT_EQ(run_bmc(p, spec, 1, plain()).verdict.kind, VerdictKind::BoundedOk);
}

// The largest plan any workload of the ages model reaches is 5 blocks (ages 2 and 1, above);
// with M = 6 nothing is evicted, so that is the peak demand over enough random workloads. A
// single burst of 2 requests also reaches it, so the check is: never above 5, and 5 is seen.
TEST(SeedEdges, PeakDemandIsTheHandComputedLargestPlan) {
  EXPECT_EQ(peak_demand(ages_model(6), ages_spec(4), 4, 100, 1), 5);
  EXPECT_EQ(peak_demand(ages_model(6), ages_spec(2), 2, 100, 1), 3);  // steps 0, 1: <= 2 + 1
}

// Vacuity: with 2 blocks every request (footprint 3) is rejected at arrival, so no workload
// schedules anything: vacuous (by simulation and then by the solver). With 4 blocks work is
// scheduled at step 0 (a request arriving at 0 is admitted at once). Arrivals pinned to step 3:
// a depth-3 check (steps 0..2) schedules nothing, a depth-4 check schedules at step 3.
TEST(VacuityEdges, NothingScheduledIsVacuousSomethingScheduledIsNot) {
  for (const std::int64_t runs : {0, 50}) {
    auto o = plain();
    o.seed_runs = runs;
    SCOPED_TRACE("seed_runs " + std::to_string(runs));
    const auto none = run_bmc(ages_model(2), ages_spec(3), 3, o);
    EXPECT_TRUE(none.vacuous);
    EXPECT_EQ(none.verdict.kind, VerdictKind::Unknown);
    EXPECT_TRUE(starts_with(none.verdict.reason, "vacuous: ")) << none.verdict.reason;
    EXPECT_EQ(check_activity(ages_model(4), ages_spec(3), 3, o).activity, Activity::Exercised);
    auto late = ages_spec(3);
    late.arrival_lo = late.arrival_hi = 3;
    EXPECT_EQ(check_activity(ages_model(4), late, 3, o).activity, Activity::Vacuous);
    const auto late_bmc = run_bmc(ages_model(4), late, 3, o);
    EXPECT_TRUE(late_bmc.vacuous) << to_string(late_bmc.verdict);
    EXPECT_EQ(check_activity(ages_model(4), late, 4, o).activity, Activity::Exercised);
    const auto pr = prove_k_induction(ages_model(2), ages_spec(3), o);
    EXPECT_TRUE(pr.vacuous);
    EXPECT_EQ(pr.verdict.kind, VerdictKind::Unknown);
  }
}

// kvcheck buffer over engine.num_blocks in [4, 6] on the ages model: 4 overflows at step 2, 5 is
// the smallest safe pool (PROVED with the seed search off); BMC at 4 gives the trace.
TEST(BufferEdges, SmallestSafePoolWithATraceOneBelow) {
  const std::string text = R"([meta]
name = "ages"
[engine]
block_size = 1
num_blocks = 4
lookahead = 0
[policy]
name = "p1_class_budgets"
[[classes]]
name = "c"
prompt = 1
output = 3
rate = 1.0
budget = 1
[workload]
kind = "class_mix"
count = 4
seed = 1
[check]
properties = ["kv_no_overflow"]
[bmc]
slots = 2
arrival = [0, 3]
depth = 3
max_k = 3
)";
  const auto cfg = parse_config(text, "ages.toml");
  const auto spec = parse_bmc_spec(cfg);
  const auto r = search_buffer(cfg, spec, "engine.num_blocks", 4, 6, plain());
  ASSERT_TRUE(r.value.has_value()) << to_string(r.proof.verdict);
  EXPECT_EQ(*r.value, 5);
  ASSERT_EQ(r.tried.size(), 2U);  // 4, 5
  EXPECT_EQ(r.tried[0].second.kind, VerdictKind::Violated);
  EXPECT_EQ(r.tried[0].second.depth, 2);
  EXPECT_EQ(r.proof.verdict.kind, VerdictKind::Proved);  // safe by hand, prove with seeds off
  EXPECT_GE(r.proof.k, 1);
  EXPECT_LE(r.proof.k, 3);
  ASSERT_TRUE(r.below.has_value());
  expect_ages_overflow(ages_model(4), *r.below);
}

// prove's resource-triggered first step, forced on and off: vLLM FCFS checks free blocks before
// every reservation, so the allocation invariant (pool counter <= pool, sizes >= 0, checked
// action by action) is inductive and implies kv_no_overflow: with the trigger at 0 work units
// prove must take that path and say so; off (-1), plain k-induction proves it and the claim must
// not name the invariant.
BmcSpec vllm_two_slots() {
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_hi = 2;
  spec.arrival_hi = 2;
  spec.max_k = 4;
  spec.properties = {PropertyId::KvNoOverflow};
  return spec;
}

ModelParams vllm_fcfs_pool(std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = blocks;
  return p;
}

TEST(ProveTriggers, AllocationInvariantIsTheProofWhenForcedOn) {
  auto o = plain();
  o.alloc_after_work = 0;
  const auto r = prove_k_induction(vllm_fcfs_pool(6), vllm_two_slots(), o);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved);
  EXPECT_EQ(r.verdict.reason, "inductive invariant, k = 1");
  EXPECT_NE(r.claim.find("inductive invariant"), std::string::npos) << r.claim;
}

TEST(ProveTriggers, PlainKInductionWhenTheTriggerIsOff) {
  auto o = plain();
  o.alloc_after_work = -1;
  const auto r = prove_k_induction(vllm_fcfs_pool(6), vllm_two_slots(), o);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  EXPECT_NE(r.verdict.reason, "inductive invariant, k = 1");
  EXPECT_EQ(r.claim.find("pool counter"), std::string::npos) << r.claim;
}

// --- run 4's survivors (issue 19) ------------------------------------------------------------

// docs/z3-backend.md: "`check` (and `prove`'s base case) simulate `--seed-runs` (default 2000)
// random concrete workloads". The command line's default is the library's (cli/z3_support.h),
// and the gate runs with the library's.
TEST(SolverDefaults, SeedRunsIsTheDocumented2000) { EXPECT_EQ(SolverOptions{}.seed_runs, 2000); }

// The seed search runs exactly when seed_runs > 0 (bmc_session.h: "0 = off"). On the ages model
// with M = 4 it finds the step-2 overflow (a burst of two at step 0 is one of its shapes), and
// BMC reports it at depth 2 after depths 0 and 1 were unsat; with the search off the progress
// stream never mentions it. Both ways the verdict is the hand one.
TEST(SeedEdges, TheSeedSearchRunsExactlyWhenSeedRunsArePositive) {
  for (const std::int64_t runs : {0, 1, 50}) {
    SCOPED_TRACE("seed_runs " + std::to_string(runs));
    auto o = plain();
    o.seed_runs = runs;
    std::ostringstream progress;
    o.progress = &progress;
    const auto r = run_bmc(ages_model(4), ages_spec(3), 3, o);
    expect_ages_overflow(ages_model(4), r);
    const auto text = progress.str();
    EXPECT_EQ(text.find("seed search: ") != std::string::npos, runs > 0) << text;
    if (runs == 50) {
      EXPECT_NE(text.find("bmc_depth_2: the seed search's witness (depths < 2 are unsat)"),
                std::string::npos)
          << text;
    }
  }
}

// The seed search keeps looking past a later witness for an earlier one and stops early only
// at step 0, where nothing is shorter. Orca plans every waiting prefill without a memory
// check: pool 6 blocks of 1 token, no lookahead, 3 slots, prompts and outputs 1..3, arrivals
// 0..3. At step 0 only three arrivals whose prompts sum to 7 or more overflow (two prompts hold
// at most 6 blocks), so step 0 is the minimal step, and over 2000 workloads the search finds it,
// for every seed (some find a later step first).
TEST(SeedEdges, TheSearchReturnsTheEarliestStepOverAllRuns) {
  ModelParams p;
  p.policy.kind = PolicyKind::Orca;
  p.engine.num_blocks = 6;
  p.engine.lookahead = 0;
  BmcSpec spec;
  spec.slots = 3;
  spec.prompt_lo = 1, spec.prompt_hi = 3, spec.output_lo = 1, spec.output_hi = 3;
  spec.arrival_lo = 0, spec.arrival_hi = 3;
  spec.properties = {PropertyId::KvNoOverflow};
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const auto hint = seed_search(p, spec, 4, 2000, seed);
    ASSERT_TRUE(hint.has_value()) << "seed " << seed;
    EXPECT_EQ(hint->step, 0) << "seed " << seed;
    std::int64_t at_zero = 0, prompts = 0;
    for (const auto& r : hint->workload.requests)
      if (r.arrival_step == 0) ++at_zero, prompts += r.prompt;
    EXPECT_EQ(at_zero, 3) << "seed " << seed;
    EXPECT_GE(prompts, 7) << "seed " << seed;
  }
}

// Non-vacuity asks simulation first whenever seed_runs > 0 (even 1: vacuity.cpp runs its own
// 200 workloads), the solver only with the seed search off (no simulated workload at all).
// On the ages model with M = 4 any request arriving by step 2 is scheduled within a 3-step
// horizon, and with arrivals pinned to step 0 every workload is, so both find work; the detail
// says which did.
TEST(VacuityEdges, SimulationFirstWheneverSeedRunsArePositive) {
  auto at_zero = ages_spec(3);
  at_zero.arrival_hi = 0;
  for (const auto& spec : {ages_spec(3), at_zero}) {
    for (const std::int64_t runs : {0, 1, 2000}) {
      SCOPED_TRACE("seed_runs " + std::to_string(runs) + ", last arrival " +
                   std::to_string(spec.arrival_hi));
      auto o = plain();
      o.seed_runs = runs;
      const auto a = check_activity(ages_model(4), spec, 3, o);
      EXPECT_EQ(a.activity, Activity::Exercised);
      EXPECT_TRUE(starts_with(a.detail, runs > 0 ? "simulated workload " : "the solver found "))
          << a.detail;
    }
  }
}

// within_spec's class index: with two [[classes]] (per_class: each request has its class's
// exact shape) the indices 0 and 1 are inside the bounds, 2 and -1 are not.
TEST(SeedEdges, WithinSpecAcceptsEveryClassIndexAndNoOther) {
  ModelParams p = ages_model(8);
  p.classes = {{"a", 1, 3, 1.0, 1}, {"b", 2, 2, 1.0, 1}};
  auto spec = ages_spec(3);
  const auto one = [](std::int64_t klass, std::int64_t prompt, std::int64_t output) {
    Workload w;
    w.requests.push_back({0, 0.0, prompt, output, klass});
    return w;
  };
  EXPECT_TRUE(within_spec(p, spec, one(0, 1, 3)));
  EXPECT_TRUE(within_spec(p, spec, one(1, 2, 2)));
  EXPECT_FALSE(within_spec(p, spec, one(1, 1, 3)));  // class b's shape is (2, 2)
  EXPECT_FALSE(within_spec(p, spec, one(2, 2, 2)));
  EXPECT_FALSE(within_spec(p, spec, one(-1, 1, 3)));
}

// `buffer --param classes.<name>.<key>`: the value lands in that class's [[classes]] entry and
// nowhere else (the second of two classes, so the entry is found by name, not position); a
// class name that does not exist is the documented one-line --param error.
TEST(BufferEdges, AClassParameterChangesThatClassOnly) {
  const std::string text = R"([meta]
name = "two_classes"
[engine]
block_size = 1
num_blocks = 16
lookahead = 0
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 1
output = 3
rate = 0.5
budget = 1
[[classes]]
name = "b"
prompt = 2
output = 2
rate = 0.5
budget = 2
[workload]
kind = "class_mix"
count = 4
seed = 1
)";
  const auto cfg = parse_config(text, "two_classes.toml");
  const auto m = with_param(cfg, "classes.b.budget", 5, "--param");
  ASSERT_EQ(m.classes.size(), 2U);
  EXPECT_EQ(m.classes[0].name, "a");
  EXPECT_EQ(m.classes[0].budget, 1);
  EXPECT_EQ(m.classes[1].name, "b");
  EXPECT_EQ(m.classes[1].budget, 5);
  EXPECT_EQ(with_param(cfg, "classes.a.budget", 3, "--param").classes[0].budget, 3);
  try {
    (void)with_param(cfg, "classes.zz.budget", 3, "--param");
    ADD_FAILURE() << "an unknown class was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "--param");
    EXPECT_TRUE(starts_with(e.reason(), "unknown parameter \"classes.zz.budget\"")) << e.reason();
  }
}

// Heartbeat (deadline.h): the first line comes one period after the start, so a call shorter
// than the period prints nothing (with the default 5 s: nothing within 300 ms); with a 50 ms
// period a 1 s call prints lines naming what runs. The period is the documented 5 s.
TEST(HeartbeatEdges, FirstLineOnePeriodAfterTheStart) {
  EXPECT_EQ(kHeartbeatPeriod, std::chrono::seconds(5));
  std::ostringstream quiet, busy;
  {
    const Heartbeat beat(&quiet, "depth 3");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_EQ(quiet.str(), "");
  {
    const Heartbeat beat(&busy, "depth 3", std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(busy.str().rfind("  ... depth 3: still solving after 0 s\n", 0), 0U) << busy.str();
}

// prove's claim names every bound of its scope (k_induction.h describe_scope), the arrival cap
// included from 1 on (0 means no cap and is not mentioned).
TEST(ProveClaim, TheScopeNamesEveryBound) {
  auto spec = ages_spec(3);
  spec.per_class = false;
  spec.prompt_lo = 1, spec.prompt_hi = 3, spec.output_lo = 2, spec.output_hi = 2;
  spec.max_arrivals_per_step = 0;
  EXPECT_EQ(describe_scope(spec),
            "for all workloads of <= 2 requests with prompt in [1, 3], output in [2, 2], "
            "arrival steps in [0, 3]");
  spec.max_arrivals_per_step = 1;
  EXPECT_EQ(describe_scope(spec),
            "for all workloads of <= 2 requests with prompt in [1, 3], output in [2, 2], "
            "arrival steps in [0, 3], <= 1 arrivals per step");
}

}  // namespace
}  // namespace kvcheck
