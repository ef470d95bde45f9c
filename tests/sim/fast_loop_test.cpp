// The event-skipping loop (SimOptions::skip_steady) against the plain stepper: on many random
// small workloads for every policy and on a slice of the Azure trace, the outcome, every metric
// and every final per-request state must be equal.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/simulator.h"
#include "sim/steady_skip.h"

namespace kvcheck {
namespace {

/// splitmix64 draws for the random cases.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::int64_t in(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool coin() { return (next() & 1U) != 0; }
};

/// Records the final per-request states and counts the steady iterations it was handed.
class FinalStates final : public StepObserver {
 public:
  void on_step(const ConcreteView&) override {}
  bool accepts_steady_runs() const override { return true; }
  void on_steady_run(const ConcreteView&, const SteadyRun& run) override {
    skipped += static_cast<std::int64_t>(run.steps.size());
  }
  void on_finish(const ConcreteView& v) override {
    for (std::int64_t i = 0; i < v.num_requests(); ++i)
      states.push_back(v.state(static_cast<ConcreteView::Ref>(i)));
    now = v.now();
    step = v.step();
  }
  std::vector<RequestState> states;
  double now = 0.0;
  std::int64_t step = 0, skipped = 0;
};

struct Run {
  SimOutcome outcome;
  Metrics metrics;
  FinalStates final;
};

Run run(const ModelParams& p, const TimeModel& t, const Workload& w, SimOptions opts, bool fast,
        std::uint64_t seed) {
  Run r;
  SeededChoices choices(seed);
  MetricsCollector metrics(p, 64);
  StepObserver* obs[] = {&metrics, &r.final};
  opts.skip_steady = fast;
  r.outcome = simulate(p, t, w, choices, opts, obs);
  r.metrics = metrics.metrics();
  return r;
}

void expect_same_state(const RequestState& a, const RequestState& b, std::size_t i) {
  SCOPED_TRACE("request " + std::to_string(i));
  EXPECT_EQ(a.computed, b.computed);
  EXPECT_EQ(a.generated, b.generated);
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.sched, b.sched);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.admit_seq, b.admit_seq);
  EXPECT_EQ(a.preemptions, b.preemptions);
  EXPECT_EQ(a.evictions, b.evictions);
  EXPECT_EQ(a.wasted_tokens, b.wasted_tokens);
  EXPECT_EQ(a.arrived_step, b.arrived_step);
  EXPECT_EQ(a.first_token_step, b.first_token_step);
  EXPECT_EQ(a.finish_step, b.finish_step);
  EXPECT_EQ(a.arrived_time, b.arrived_time);
  EXPECT_EQ(a.first_token_time, b.first_token_time);
  EXPECT_EQ(a.finish_time, b.finish_time);
}

/// Runs plain and fast and checks they agree; returns the iterations the fast run skipped.
std::int64_t expect_equal_runs(const ModelParams& p, const TimeModel& t, const Workload& w,
                               const SimOptions& opts, std::uint64_t seed) {
  const auto plain = run(p, t, w, opts, false, seed);
  const auto fast = run(p, t, w, opts, true, seed);
  EXPECT_EQ(plain.final.skipped, 0);
  EXPECT_EQ(plain.outcome.steps, fast.outcome.steps);
  EXPECT_EQ(plain.outcome.finished, fast.outcome.finished);
  EXPECT_EQ(plain.outcome.stalled, fast.outcome.stalled);
  EXPECT_EQ(plain.outcome.hit_max_steps, fast.outcome.hit_max_steps);
  EXPECT_EQ(plain.outcome.violations.size(), fast.outcome.violations.size());
  for (std::size_t i = 0; i < plain.outcome.violations.size() &&
                          i < fast.outcome.violations.size(); ++i) {
    EXPECT_EQ(plain.outcome.violations[i].id, fast.outcome.violations[i].id);
    EXPECT_EQ(plain.outcome.violations[i].step, fast.outcome.violations[i].step);
  }
  EXPECT_EQ(to_string(plain.outcome.verdict()), to_string(fast.outcome.verdict()));
  EXPECT_TRUE(plain.metrics == fast.metrics);
  EXPECT_EQ(plain.metrics.series, fast.metrics.series);
  EXPECT_EQ(plain.metrics.ttft_seconds, fast.metrics.ttft_seconds);
  EXPECT_EQ(plain.metrics.kv_util_mean, fast.metrics.kv_util_mean);
  EXPECT_EQ(plain.final.now, fast.final.now);
  EXPECT_EQ(plain.final.step, fast.final.step);
  EXPECT_EQ(plain.final.states.size(), fast.final.states.size());
  for (std::size_t i = 0; i < plain.final.states.size() && i < fast.final.states.size(); ++i)
    expect_same_state(plain.final.states[i], fast.final.states[i], i);
  return fast.final.skipped;
}

ModelParams random_params(Rng& g, PolicyKind kind) {
  ModelParams p;
  p.policy.kind = kind;
  auto& e = p.engine;
  e.block_size = std::vector<std::int64_t>{1, 2, 4, 16}[static_cast<std::size_t>(g.in(0, 3))];
  e.num_blocks = g.in(4, 120);
  e.lookahead = g.in(0, 1);
  e.max_num_seqs = g.coin() ? kUnlimited : g.in(1, 8);
  e.max_batched_tokens = g.coin() ? kUnlimited : g.in(4, 64);
  e.chunked_prefill = g.coin();
  e.requeue = g.coin() ? Requeue::Front : Requeue::Back;
  p.policy.watermark_blocks = g.in(0, 2);
  p.policy.admit_after_preempt = g.coin();
  p.policy.flow_budget_min = g.in(0, 2);
  p.policy.flow_budget_max = p.policy.flow_budget_min + g.in(0, 3);
  p.policy.max_batch_seqs = g.coin() ? kUnlimited : g.in(1, 8);
  const auto nclasses = g.in(1, 3);
  for (std::int64_t c = 0; c < nclasses; ++c) {
    ClassSpec k;
    k.name = "c";  // not "c" + to_string: g++ 12 -O3 reports a false -Wrestrict there
    k.name += std::to_string(c);
    k.prompt = g.in(1, 12);
    k.output = g.in(1, 30);
    k.rate = 0.5;
    k.budget = g.in(0, 3);
    k.threshold = g.in(0, 3);
    p.classes.push_back(k);
  }
  return p;
}

TimeModel random_time(Rng& g) {
  TimeModel t;
  switch (g.in(0, 3)) {
    case 0: t.kind = TimeModelKind::Unit; t.unit = 0.5; break;
    case 1: t.kind = TimeModelKind::P2Linear; t.d0 = 0.3; t.d1 = 0.013; break;
    case 2: t.kind = TimeModelKind::P4Step; t.c = 0.2; t.a = 0.07; t.b0 = 8; break;
    default:
      t.kind = TimeModelKind::Linear;
      t.la = 0.0075; t.lb = 0.00018; t.lc = 0.0002; t.ld = 0.0000026;
  }
  return t;
}

Workload random_workload(Rng& g, const ModelParams& p) {
  Workload w;
  w.clock = g.coin() ? ArrivalClock::Steps : ArrivalClock::Timed;
  const auto n = g.in(1, 30);
  std::int64_t step = 0;
  double time = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    Request r;
    step += g.coin() ? 0 : g.in(0, 40);
    time += g.coin() ? 0.0 : static_cast<double>(g.in(0, 4000)) / 1000.0;
    r.arrival_step = step;
    r.arrival_time = w.clock == ArrivalClock::Timed ? time : static_cast<double>(step);
    r.klass = g.in(0, static_cast<std::int64_t>(p.classes.size()) - 1);
    const bool by_class = p.policy.kind == PolicyKind::P2Wait || g.in(0, 3) == 0;
    r.prompt = by_class ? p.classes[static_cast<std::size_t>(r.klass)].prompt : g.in(1, 24);
    r.output = by_class ? p.classes[static_cast<std::size_t>(r.klass)].output : g.in(1, 80);
    w.requests.push_back(r);
  }
  return w;
}

SimOptions all_properties(std::int64_t max_steps, bool stop) {
  SimOptions o;
  for (const auto& pi : kProperties) o.properties.push_back(pi.id);
  o.max_steps = max_steps;
  o.max_idle_steps = 300;
  o.stop_at_violation = stop;
  return o;
}

class FastLoopRandom : public ::testing::TestWithParam<PolicyKind> {};

TEST_P(FastLoopRandom, EqualsPlainStepperOnRandomWorkloads) {
  const auto kind = GetParam();
  std::int64_t skipped = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng g{seed * 7919 + static_cast<std::uint64_t>(kind)};
    const auto p = random_params(g, kind);
    const auto t = random_time(g);
    const auto w = random_workload(g, p);
    const auto max_steps = g.coin() ? 5000 : g.in(1, 200);
    skipped += expect_equal_runs(p, t, w, all_properties(max_steps, g.coin()), seed);
    if (::testing::Test::HasFailure()) break;
  }
  // The comparison is only meaningful where the fast loop actually skips.
  RecordProperty("skipped_iterations", std::to_string(skipped));
  if (policy_allows_skipping(kind))
    EXPECT_GT(skipped, 0);
  else
    EXPECT_EQ(skipped, 0);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, FastLoopRandom, ::testing::ValuesIn(all_policy_kinds()),
                         [](const auto& p) { return std::string(to_string(p.param)); });

// Closed loop (Workload::max_concurrency): a due request gated by the concurrency cap must not
// be skipped over, and a gated one is no event (only a completion opens a slot), so runs are
// still skipped while it waits. Same random cases, each with a cap of 1 to 4.
TEST_P(FastLoopRandom, EqualsPlainStepperOnClosedLoopWorkloads) {
  const auto kind = GetParam();
  std::int64_t skipped = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng g{seed * 104729 + static_cast<std::uint64_t>(kind)};
    const auto p = random_params(g, kind);
    const auto t = random_time(g);
    auto w = random_workload(g, p);
    w.max_concurrency = g.in(1, 4);
    const auto max_steps = g.coin() ? 5000 : g.in(1, 200);
    skipped += expect_equal_runs(p, t, w, all_properties(max_steps, g.coin()), seed);
    if (::testing::Test::HasFailure()) break;
  }
  if (policy_allows_skipping(kind))
    EXPECT_GT(skipped, 0);
  else
    EXPECT_EQ(skipped, 0);
}

/// The engine of configs/vllm_fcfs_azure_conv.toml (kept in step with it by hand).
ModelParams azure_engine(PolicyKind kind) {
  ModelParams p;
  p.policy.kind = kind;
  p.engine.block_size = 16;
  p.engine.num_blocks = 8576;
  p.engine.max_num_seqs = 256;
  p.engine.max_batched_tokens = 8192;
  p.engine.chunked_prefill = true;
  p.policy.max_batch_seqs = 256;
  return p;
}

TimeModel azure_time() {
  TimeModel t;
  t.kind = TimeModelKind::Linear;
  t.la = 0.0075;
  t.lb = 0.000018;
  t.lc = 0.00002;
  t.ld = 0.00000026;
  return t;
}

/// Every property but alg1_memory_bound (0 without classes, so violated at once).
SimOptions trace_properties() {
  auto o = all_properties(10'000'000, false);
  std::erase(o.properties, PropertyId::Alg1MemoryBound);
  return o;
}

const Workload& azure_slice() {
  static const Workload w = load_azure_csv(
      std::string(KVCHECK_SOURCE_DIR) + "/data/azure-llm-2023/AzureLLMInferenceTrace_conv.csv",
      1.0, 1500);
  return w;
}

TEST(FastLoopAzure, EqualsPlainStepperOnTraceSlice) {
  for (auto kind : {PolicyKind::VllmFcfs, PolicyKind::Sarathi, PolicyKind::P2Fcfs}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    EXPECT_GT(expect_equal_runs(azure_engine(kind), azure_time(), azure_slice(),
                                trace_properties(), 1),
              1000);
  }
}

TEST(FastLoopAzure, EqualsPlainStepperUnderMemoryPressure) {
  // A pool 40x smaller and time compressed 20x: preemptions, long queues, blocked heads.
  auto p = azure_engine(PolicyKind::VllmFcfs);
  p.engine.num_blocks = 600;
  auto w = azure_slice();
  w.requests.resize(400);
  for (auto& r : w.requests) r.arrival_time /= 20.0;
  const auto plain = run(p, azure_time(), w, trace_properties(), false, 1);
  EXPECT_GT(plain.metrics.preemptions, 0);  // the scenario really is under pressure
  EXPECT_GT(plain.metrics.waiting_max, 10);
  EXPECT_GT(expect_equal_runs(p, azure_time(), w, trace_properties(), 1), 0);
}

// The trace slice under a closed loop of 64 (vllm bench serve --max-concurrency 64): the
// arrivals come faster than 64 slots free, so most of the time every slot is taken and the
// pending arrivals are gated.
TEST(FastLoopAzure, EqualsPlainStepperUnderAClosedLoop) {
  auto w = azure_slice();
  w.requests.resize(600);
  for (auto& r : w.requests) r.arrival_time /= 20.0;
  w.max_concurrency = 64;
  EXPECT_GT(expect_equal_runs(azure_engine(PolicyKind::VllmFcfs), azure_time(), w,
                              trace_properties(), 1),
            1000);
}

/// Premise (b) of the skipper (sim/steady_skip.cpp): with an empty queue the iteration of an
/// arrival or a completion already starts a steady run, without a plain witness iteration.
/// Two requests arrive together (outputs 10 and 30, unit time): iteration 0 admits and
/// prefills both, iteration 9 completes the first, iteration 29 the second; all other 27
/// iterations are skipped.
TEST(FastLoopRules, EmptyQueueEventsStartSteadyRunsAtOnce) {
  for (auto kind : all_policy_kinds()) {
    if (!policy_allows_skipping(kind)) continue;
    SCOPED_TRACE(std::string(to_string(kind)));
    ModelParams p;
    p.policy.kind = kind;
    p.engine.block_size = 4;
    p.engine.num_blocks = 100;
    ClassSpec c;
    c.name = "c0";
    c.prompt = 6;
    c.output = 30;
    c.budget = 2;  // p1_class_budgets admits both at once
    p.classes.push_back(c);
    Workload w;
    w.requests = {Request{0, 0.0, 6, 10, 0}, Request{0, 0.0, 5, 30, 0}};
    TimeModel t;
    SimOptions o = all_properties(1000, false);
    std::erase(o.properties, PropertyId::Alg1MemoryBound);
    EXPECT_EQ(expect_equal_runs(p, t, w, o, 1), 27);
    const auto fast = run(p, t, w, o, true, 1);
    EXPECT_EQ(fast.outcome.steps, 30);
    EXPECT_TRUE(fast.outcome.violations.empty());
  }
}

// A request still in (chunked) prefill is not steady: only once it is past its prompt may the
// skipper start. vLLM FCFS, chunked prefill, 4 tokens per iteration, one request (prompt 10,
// output 20), pool 100 of 1-token blocks:
//   steps 0, 1: prefill chunks of 4 (generated 0): no skip;
//   step 2: the last 2 prompt tokens, the first output token (generated 1): the queue is empty
//           and the request is past its prompt, so a steady run starts;
//   steps 3..20 (18 iterations: up to one before the completion, 20 - 1 - 1) are skipped;
//   step 21 decodes token 20 and completes: 22 steps in all.
TEST(FastLoopRules, ChunkedPrefillIsNotSteadyUntilThePromptIsDone) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  p.engine.chunked_prefill = true;
  p.engine.max_batched_tokens = 4;
  Workload w;
  w.requests = {Request{0, 0.0, 10, 20, 0}};
  TimeModel t;
  SimOptions o = all_properties(1000, false);
  std::erase(o.properties, PropertyId::Alg1MemoryBound);  // no classes: no Alg. 1 bound
  EXPECT_EQ(expect_equal_runs(p, t, w, o, 1), 18);
  EXPECT_EQ(run(p, t, w, o, true, 1).outcome.steps, 22);
}

/// The length of every steady run the skipper hands over, in order.
class RunLengths final : public StepObserver {
 public:
  void on_step(const ConcreteView&) override {}
  bool accepts_steady_runs() const override { return true; }
  void on_steady_run(const ConcreteView&, const SteadyRun& run) override {
    lengths.push_back(static_cast<std::int64_t>(run.steps.size()));
  }
  std::vector<std::int64_t> lengths;
};

// A pool that is exactly full is not short: the skip runs up to the iteration whose blocks
// equal the pool. vLLM FCFS, 1-token blocks, pool 18; A and B (prompt 1, output 10) at step 0:
//   step 0: both prefill (1 block each, generated 1): the queue is empty, a steady run starts;
//   skipped iteration j (step j + 1) reserves 2 (j + 2) blocks; the run may last 10 - 1 - 1 = 8
//   iterations (steps 1..8), the last of which reserves 2 x 9 = 18 = the pool: still skipped.
TEST(FastLoopRules, AnExactlyFullPoolIsNotAShortage) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 18;
  Workload w;
  w.requests = {Request{0, 0.0, 1, 10, 0}, Request{0, 0.0, 1, 10, 0}};
  TimeModel t;
  SeededChoices choices(1);
  SimOptions o;
  o.skip_steady = true;
  RunLengths runs;
  StepObserver* obs[] = {&runs};
  (void)simulate(p, t, w, choices, o, obs);
  ASSERT_FALSE(runs.lengths.empty());
  EXPECT_EQ(runs.lengths.front(), 8);
}

// Premise (a) by hand: with a queue, the skip starts after one steady iteration, one in which
// every running request decoded one token (generated >= 2 after it). vLLM FCFS, 1-token
// blocks, pool 20; A (prompt 1, output 10) and B (prompt 20, output 1) at step 0:
//   step 0: A prefills (1 block); B needs 20 of the 19 free: the queue head is blocked;
//   step 1: A decodes (generated 2), B still blocked: a steady iteration, the witness;
//   steps 2..8: skipped (10 - 2 - 1 = 7 iterations: up to one before A's completion);
//   step 9: A completes; B is admitted after it.
TEST(FastLoopRules, AQueueWaitsForOneSteadyIterationThenSkips) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 20;
  Workload w;
  w.requests = {Request{0, 0.0, 1, 10, 0}, Request{0, 0.0, 20, 1, 0}};
  TimeModel t;
  SeededChoices choices(1);
  SimOptions o;
  o.skip_steady = true;
  RunLengths runs;
  StepObserver* obs[] = {&runs};
  const auto out = simulate(p, t, w, choices, o, obs);
  ASSERT_FALSE(runs.lengths.empty());
  EXPECT_EQ(runs.lengths.front(), 7);
  EXPECT_TRUE(out.finished);
}

/// Runs vLLM FCFS on w with the event-skipping loop; returns the steady run lengths in order.
std::vector<std::int64_t> vllm_run_lengths(const ModelParams& p, const Workload& w,
                                           SimOutcome* out = nullptr) {
  TimeModel t;
  SeededChoices choices(1);
  SimOptions o;
  o.skip_steady = true;
  RunLengths runs;
  StepObserver* obs[] = {&runs};
  const auto r = simulate(p, t, w, choices, o, obs);
  if (out) *out = r;
  return runs.lengths;
}

// The shortest steady run, one iteration, is skipped like any other. vLLM FCFS, 1-token blocks,
// pool 100; one request (prompt 1, output 3) at step 0:
//   step 0: prefill (generated 1): the queue is empty, a steady run may start;
//   it may last up to one iteration before the completion: 3 - 1 - 1 = 1 (step 1);
//   step 2 decodes token 3 and completes: 3 steps, one steady run of length 1.
TEST(FastLoopRules, AOneIterationSteadyRunIsSkipped) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  Workload w;
  w.requests = {Request{0, 0.0, 1, 3, 0}};
  SimOutcome out;
  EXPECT_EQ(vllm_run_lengths(p, w, &out), (std::vector<std::int64_t>{1}));
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.steps, 3);
}

// Premise (a): an arrival into a non-empty queue is an event, even when nothing is admitted,
// rejected or completed in that iteration. As AQueueWaitsForOneSteadyIterationThenSkips, but
// B (prompt 20, output 1) arrives at step 1; vLLM FCFS, 1-token blocks, pool 20; A (prompt 1,
// output 10) at step 0:
//   step 0: A prefills (generated 1); the queue is empty but B arrives at step 1: no skip;
//   step 1: B arrives, needs 20 blocks of the 18 free: blocked (A decodes, generated 2); the
//           arrival makes this iteration no witness;
//   step 2: A decodes (generated 3), B still blocked: the steady witness;
//   steps 3..8 skipped (10 - 3 - 1 = 6 iterations, up to one before A's completion);
//   step 9: A completes (generated 10); step 10: B is admitted and completes: 11 steps.
TEST(FastLoopRules, AnArrivalIntoAQueueIsNoSteadyWitness) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 20;
  Workload w;
  w.requests = {Request{0, 0.0, 1, 10, 0}, Request{1, 1.0, 20, 1, 0}};
  SimOutcome out;
  EXPECT_EQ(vllm_run_lengths(p, w, &out), (std::vector<std::int64_t>{6}));
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.steps, 11);
}

// Premise (a): with a queue, a request still in its prompt is not steady even when it gets one
// token per iteration (a one-token chunk is a prefill, not a decode). vLLM FCFS, chunked
// prefill, 2 tokens per iteration, max_num_seqs 2, pool 100 of 1-token blocks; at step 0
// A (prompt 1, output 20), B (prompt 5, output 10), C (prompt 1, output 1), in that order:
//   step 0: A admitted, prefill 1 (generated 1); B admitted, first chunk 1 (budget used up);
//           C waits (no budget) -- admissions: no witness;
//   steps 1..3: A decodes, B gets 1 prompt token each (computed 2, 3, 4; generated 0): B is in
//           its prompt, no witness (C waits on the budget and on max_num_seqs);
//   step 4: B's last prompt token (generated 1): not yet a decode, no witness;
//   step 5: A (generated 6) and B (generated 2) decode one token each, C waits: the witness;
//   steps 6..12 skipped: up to one before B's completion, 10 - 2 - 1 = 7 (A's 20 - 6 - 1 = 13);
//   step 13: B completes (generated 10); the budget went to A and B, C still waits;
//   step 14: A decodes (generated 15), C admitted, prefill 1 = its output: completes; the queue
//            is now empty and A is past its prompt (premise (b));
//   steps 15..18 skipped (20 - 15 - 1 = 4); step 19: A completes: 20 steps.
TEST(FastLoopRules, AOneTokenPrefillChunkIsNotADecode) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  p.engine.chunked_prefill = true;
  p.engine.max_batched_tokens = 2;
  p.engine.max_num_seqs = 2;
  Workload w;
  w.requests = {Request{0, 0.0, 1, 20, 0}, Request{0, 0.0, 5, 10, 0}, Request{0, 0.0, 1, 1, 0}};
  SimOutcome out;
  EXPECT_EQ(vllm_run_lengths(p, w, &out), (std::vector<std::int64_t>{7, 4}));
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.steps, 20);
}

/// A queue that is not empty still needs the plain witness (premise (a)): under memory
/// pressure a blocked head must stay blocked, which one steady iteration demonstrates.
TEST(FastLoopRules, NonEmptyQueueNeedsAQuietWitness) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.block_size = 4;
  p.engine.num_blocks = 12;  // 48 tokens: the second request waits for the first
  Workload w;
  w.requests = {Request{0, 0.0, 8, 20, 0}, Request{0, 0.0, 8, 20, 0}};
  TimeModel t;
  SimOptions o = all_properties(1000, false);
  std::erase(o.properties, PropertyId::Alg1MemoryBound);
  const auto skipped = expect_equal_runs(p, t, w, o, 1);
  const auto plain = run(p, t, w, o, false, 1);
  EXPECT_GT(plain.metrics.waiting_max, 0);
  EXPECT_GT(skipped, 0);
}

/// Block sizes over 256 keep the skipper's phase table sparse (sorted (phase, count) pairs).
/// vLLM FCFS, block_size 300, 10 blocks, lookahead 0; A (prompt 1) and B (prompt 150), both
/// output 600, arrive at step 0 and prefill together; each is done after step 599.
/// Reserved blocks at step s (computed tokens after the step, rounded up to blocks):
///   A: ceil((1 + s) / 300)   s = 0..599 -> x = 1..600:   300 x 1 + 300 x 2           =  900
///   B: ceil((150 + s) / 300) s = 0..599 -> x = 150..749: 151 x 1 + 300 x 2 + 149 x 3 = 1198
/// KV mean 2098 / 600 / 10; max 2 + 3 = 5 blocks (s >= 451). A grows at s = 299, B at 151
/// and 451: two different phases, which must not be merged. Steps 1..598 are skipped (after
/// step 0 the queue is empty; the completions at 599 are an event).
TEST(FastLoopRules, SparsePhasesGrowEachRequestAtItsOwnStep) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.block_size = 300;
  p.engine.num_blocks = 10;
  Workload w;
  w.requests = {Request{0, 0.0, 1, 600, 0}, Request{0, 0.0, 150, 600, 0}};
  TimeModel t;
  SimOptions o = all_properties(1000, false);
  std::erase(o.properties, PropertyId::Alg1MemoryBound);
  for (bool fast : {false, true}) {
    SCOPED_TRACE(fast ? "event-skipping loop" : "plain stepper");
    const auto r = run(p, t, w, o, fast, 1);
    EXPECT_TRUE(r.outcome.finished);
    EXPECT_EQ(r.outcome.steps, 600);
    EXPECT_EQ(r.final.skipped, fast ? 598 : 0);
    EXPECT_EQ(r.metrics.kv_blocks_max, 5);
    EXPECT_DOUBLE_EQ(r.metrics.kv_util_mean, 2098.0 / 600.0 / 10.0);
    EXPECT_DOUBLE_EQ(r.metrics.kv_util_max, 0.5);
  }
}

/// Lookahead shifts the step at which a reservation grows, in both forms of the skipper's phase
/// (a mask for power-of-two block sizes, two divisions otherwise). vLLM FCFS, lookahead 1,
/// pool 100; one request, prompt 2, output 8, at step 0; unit time. At step s it reserves
/// 2 + s tokens computed before the step plus the one it processes plus 1 of lookahead,
/// i.e. 3 + s tokens:
///   block_size 3: ceil((3 + s) / 3) for s = 0..7: 1 2 2 2 3 3 3 4 -> sum 20, max 4
///   block_size 4: ceil((3 + s) / 4) for s = 0..7: 1 1 2 2 2 2 3 3 -> sum 16, max 3
/// Steps 1..6 are skipped (after step 0 the queue is empty; the completion at 7 is an event).
TEST(FastLoopRules, LookaheadShiftsEachBlockBoundary) {
  struct Case {
    std::int64_t block_size, kv_sum, kv_max;
  };
  for (const Case c : {Case{3, 20, 4}, Case{4, 16, 3}}) {
    ModelParams p;
    p.policy.kind = PolicyKind::VllmFcfs;
    p.engine.block_size = c.block_size;
    p.engine.lookahead = 1;
    p.engine.num_blocks = 100;
    Workload w;
    w.requests = {Request{0, 0.0, 2, 8, 0}};
    TimeModel t;
    SimOptions o = all_properties(1000, false);
    std::erase(o.properties, PropertyId::Alg1MemoryBound);
    for (bool fast : {false, true}) {
      SCOPED_TRACE("block_size " + std::to_string(c.block_size) +
                   (fast ? ", event-skipping loop" : ", plain stepper"));
      const auto r = run(p, t, w, o, fast, 1);
      EXPECT_TRUE(r.outcome.finished);
      EXPECT_EQ(r.outcome.steps, 8);
      EXPECT_EQ(r.final.skipped, fast ? 6 : 0);
      EXPECT_EQ(r.metrics.kv_blocks_max, c.kv_max);
      EXPECT_DOUBLE_EQ(r.metrics.kv_util_mean, static_cast<double>(c.kv_sum) / 8.0 / 100.0);
    }
  }
}

/// A timed arrival exactly at an iteration's start is admitted by that iteration: a skipped run
/// stops before it. vLLM FCFS, pool 100, unit time 1 s, timed clock; A (prompt 2, output 10) at
/// t = 0, B (prompt 1, output 2) at t = 3:
///   step 0 [0, 1): A prefill.  steps 1, 2: A decodes (skipped: the queue is empty after 0).
///   step 3 [3, 4): B arrives at its start, prefill: first token at 4, TTFT 1.
///   step 4: B's 2nd token, done at 5 (end-to-end 2); steps 5..8 skipped; step 9: A done at 10.
/// 6 iterations skipped; TTFT 1 and 1; end-to-end 10 and 2.
TEST(FastLoopRules, TimedArrivalAtAStepStartStopsTheSkip) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  Workload w;
  w.clock = ArrivalClock::Timed;
  w.requests = {Request{0, 0.0, 2, 10, 0}, Request{0, 3.0, 1, 2, 0}};
  TimeModel t;
  SimOptions o = all_properties(1000, false);
  std::erase(o.properties, PropertyId::Alg1MemoryBound);
  for (bool fast : {false, true}) {
    SCOPED_TRACE(fast ? "event-skipping loop" : "plain stepper");
    const auto r = run(p, t, w, o, fast, 1);
    EXPECT_TRUE(r.outcome.finished);
    EXPECT_EQ(r.outcome.steps, 10);
    EXPECT_EQ(r.final.skipped, fast ? 6 : 0);
    ASSERT_EQ(r.final.states.size(), 2U);
    EXPECT_EQ(r.final.states[1].arrived_step, 3);
    EXPECT_EQ(r.final.states[1].first_token_step, 3);
    EXPECT_DOUBLE_EQ(r.final.states[1].first_token_time, 4.0);
    EXPECT_DOUBLE_EQ(r.final.states[1].finish_time, 5.0);
    EXPECT_DOUBLE_EQ(r.metrics.ttft_seconds.max, 1.0);
    EXPECT_DOUBLE_EQ(r.metrics.e2e_seconds.mean, 6.0);
    EXPECT_DOUBLE_EQ(r.final.now, 10.0);
  }
}

/// With alg1_memory_bound checked, a skipped run stops before the KV tokens exceed the bound.
/// One class (prompt 2, output 4, budget 1): bound 1 x (2 x 4 + (4 + 16) / 2) = 18 tokens
/// (Dong & Cao's w_k). vLLM FCFS ignores the classes; one request, prompt 2, output 30, block
/// size 1, pool 100. Step s reserves 2 + s tokens, so 19 > 18 first at step 17.
///   skipping: after step 0, steps 1..16 (3 .. 18 tokens) are skipped; 17 runs plain and fails
///   the property; from then on every next iteration would exceed the bound: no more skips.
TEST(FastLoopRules, Alg1BoundStopsTheSkipBeforeItIsExceeded) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  p.classes = {{"c", 2, 4, 1.0, 1}};
  Workload w;
  w.requests = {Request{0, 0.0, 2, 30, 0}};
  TimeModel t;
  SimOptions o;
  o.properties = {PropertyId::KvNoOverflow, PropertyId::Alg1MemoryBound};
  o.max_steps = 1000;
  o.stop_at_violation = false;
  for (bool fast : {false, true}) {
    SCOPED_TRACE(fast ? "event-skipping loop" : "plain stepper");
    const auto r = run(p, t, w, o, fast, 1);
    EXPECT_TRUE(r.outcome.finished);
    EXPECT_EQ(r.outcome.steps, 30);
    EXPECT_EQ(r.final.skipped, fast ? 16 : 0);
    ASSERT_EQ(r.outcome.violations.size(), 1U);
    EXPECT_EQ(r.outcome.violations[0].id, PropertyId::Alg1MemoryBound);
    EXPECT_EQ(r.outcome.violations[0].step, 17);
  }
}

TEST(FastLoopRules, FlowControlAndWaitNeverSkip) {
  EXPECT_FALSE(policy_allows_skipping(PolicyKind::P1FlowControl));
  EXPECT_FALSE(policy_allows_skipping(PolicyKind::P2Wait));
  EXPECT_TRUE(policy_allows_skipping(PolicyKind::VllmFcfs));
}

/// An observer that cannot take steady runs (like the trace recorder) switches skipping off.
TEST(FastLoopRules, ObserverWithoutSteadyRunsDisablesSkipping) {
  struct PerStep final : StepObserver {
    void on_step(const ConcreteView&) override { ++steps; }
    std::int64_t steps = 0;
  } per_step;
  FinalStates final;
  StepObserver* obs[] = {&per_step, &final};
  SimOptions o = trace_properties();
  o.skip_steady = true;
  SeededChoices ch(1);
  const auto out = simulate(azure_engine(PolicyKind::VllmFcfs), azure_time(), azure_slice(), ch,
                            o, obs);
  EXPECT_EQ(final.skipped, 0);
  EXPECT_EQ(per_step.steps, out.steps);
}

}  // namespace
}  // namespace kvcheck
