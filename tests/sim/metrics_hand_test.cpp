// Metrics of a tiny run computed by hand (issue 19): every latency, throughput and KV number
// below is derived in the comments from the engine rules in docs/architecture.md, never read
// back from the code.
#include <gtest/gtest.h>

#include <vector>

#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = arrival;
  r.arrival_time = static_cast<double>(arrival);
  r.prompt = prompt;
  r.output = output;
  return r;
}

// vLLM FCFS, block_size 1, 10 blocks, lookahead 0, every iteration 0.5 s (unit time model).
//   A: arrives at step 0, prompt 2, output 3.   B: arrives at step 2, prompt 1, output 2.
//
// step | starts | batch                   | reserved blocks | after
//   0  |  0.0   | A prefill 2             | A 2 = 2         | A gen 1 (first token, t = 0.5)
//   1  |  0.5   | A decode 1              | A 3 = 3         | A gen 2
//   2  |  1.0   | A decode 1, B prefill 1 | A 4 + B 1 = 5   | A gen 3 = done, t = 1.5;
//      |        |                         |                 | B gen 1, t = 1.5
//   3  |  1.5   | B decode 1              | B 2 = 2         | B gen 2 = done (t = 2.0)
// (reserved blocks = computed + n tokens, block_size 1)
// B arrives at the start of step 2, t = 1.0.
//   TTFT:        A 0.5 - 0.0 = 0.5,  B 1.5 - 1.0 = 0.5       (iterations, inclusive: 1, 1)
//   end-to-end:  A 1.5 - 0.0 = 1.5,  B 2.0 - 1.0 = 1.0       (iterations: 3, 2); mean 1.25
//   (from the first token instead it would be 1.0 and 0.5)
//   per-output-token time after the first (TPOT): A (1.5 - 0.5) / 2 = 0.5, B (2.0 - 1.5) / 1 = 0.5
//   tokens: prefill 2 + 1 = 3, decode 1 + 1 + 1 = 3; output tokens 3 + 2 = 5; 4 iterations, 2.0 s
//   KV: sum of reserved blocks 2 + 3 + 5 + 2 = 12 -> mean 12 / 4 / 10 = 0.3; max 5 / 10 = 0.5
struct HandRun {
  ModelParams params;
  TimeModel time;
  Workload workload;
  HandRun() {
    params.policy.kind = PolicyKind::VllmFcfs;
    params.engine.block_size = 1;
    params.engine.num_blocks = 10;
    time.unit = 0.5;
    workload.requests = {req(0, 2, 3), req(2, 1, 2)};
  }
  Metrics run(bool skip_steady) const {
    MetricsCollector m(params);
    StepObserver* obs[] = {&m};
    SeededChoices ch(1);
    SimOptions o;
    o.skip_steady = skip_steady;
    const auto out = simulate(params, time, workload, ch, o, obs);
    EXPECT_TRUE(out.finished);
    return m.metrics();
  }
};

void expect_hand_numbers(const Metrics& m) {
  EXPECT_EQ(m.iterations, 4);
  EXPECT_EQ(m.busy_iterations, 4);
  EXPECT_DOUBLE_EQ(m.sim_seconds, 2.0);
  EXPECT_EQ(m.requests, 2);
  EXPECT_EQ(m.completed, 2);
  EXPECT_EQ(m.unfinished, 0);
  // latency, seconds
  EXPECT_EQ(m.ttft_seconds.count, 2);
  EXPECT_DOUBLE_EQ(m.ttft_seconds.mean, 0.5);
  EXPECT_DOUBLE_EQ(m.ttft_seconds.max, 0.5);
  EXPECT_EQ(m.e2e_seconds.count, 2);
  EXPECT_DOUBLE_EQ(m.e2e_seconds.mean, 1.25);
  EXPECT_DOUBLE_EQ(m.e2e_seconds.p50, 1.0);  // nearest rank of {1.0, 1.5}
  EXPECT_DOUBLE_EQ(m.e2e_seconds.max, 1.5);
  // latency, iterations (arrival and completion inclusive)
  EXPECT_DOUBLE_EQ(m.ttft_iterations.mean, 1.0);
  EXPECT_DOUBLE_EQ(m.e2e_iterations.mean, 2.5);
  EXPECT_DOUBLE_EQ(m.e2e_iterations.max, 3.0);
  // TPOT is not a Metrics field: derived from the summaries it must be 0.5 s per token here
  // ((e2e - ttft) / (output - 1) for both requests).
  EXPECT_DOUBLE_EQ((m.e2e_seconds.max - m.ttft_seconds.max) / 2.0, 0.5);
  // throughput
  EXPECT_EQ(m.prefill_tokens, 3);
  EXPECT_EQ(m.decode_tokens, 3);
  EXPECT_EQ(m.output_tokens, 5);
  EXPECT_DOUBLE_EQ(m.tokens_per_second, 3.0);
  EXPECT_DOUBLE_EQ(m.tokens_per_iteration, 1.5);
  EXPECT_DOUBLE_EQ(m.output_tokens_per_second, 2.5);
  EXPECT_DOUBLE_EQ(m.requests_per_second, 1.0);
  EXPECT_DOUBLE_EQ(m.requests_per_iteration, 0.5);
  // KV
  EXPECT_EQ(m.num_blocks, 10);
  EXPECT_EQ(m.kv_blocks_max, 5);
  EXPECT_DOUBLE_EQ(m.kv_util_mean, 0.3);
  EXPECT_DOUBLE_EQ(m.kv_util_max, 0.5);
  // queues: nothing ever waits past its arrival step; running after steps 0..3 is 1, 1, 1, 0
  EXPECT_EQ(m.waiting_max, 0);
  EXPECT_EQ(m.running_max, 1);
  EXPECT_DOUBLE_EQ(m.running_mean, 0.75);
  // no disruption
  EXPECT_EQ(m.preemptions, 0);
  EXPECT_EQ(m.evictions, 0);
  EXPECT_EQ(m.restarts, 0);
  EXPECT_EQ(m.wasted_tokens, 0);
  EXPECT_EQ(m.overflow_events, 0);
}

TEST(MetricsByHand, PlainStepper) { expect_hand_numbers(HandRun().run(false)); }
TEST(MetricsByHand, EventSkippingLoop) { expect_hand_numbers(HandRun().run(true)); }

// Two requests at step 0 on a 3-block pool, unit time 1: A (prompt 2, output 2), B (prompt 1,
// output 1).
//   step 0: A prefill 2 (2 blocks), B prefill 1 (1 block) -> both first tokens at t = 1; B's
//           output is 1 token, so B is done at t = 1
//   step 1: A decode, computed 2 + 1 = 3 blocks            -> A done at t = 2
//   TTFT A 1, B 1; e2e A 2, B 1 (mean 1.5); e2e iterations 2, 1; KV 3 and 3 of 3 blocks.
TEST(MetricsByHand, SingleTokenRequestFinishesAtItsFirstToken) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 3;
  TimeModel t;
  Workload w;
  w.requests = {req(0, 2, 2), req(0, 1, 1)};
  MetricsCollector m(p);
  StepObserver* obs[] = {&m};
  SeededChoices ch(1);
  simulate(p, t, w, ch, SimOptions{}, obs);
  const auto& r = m.metrics();
  EXPECT_EQ(r.iterations, 2);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.mean, 1.0);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.mean, 1.5);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.max, 2.0);
  EXPECT_DOUBLE_EQ(r.e2e_iterations.mean, 1.5);
  EXPECT_EQ(r.kv_blocks_max, 3);
  EXPECT_DOUBLE_EQ(r.kv_util_mean, (3.0 + 3.0) / 2.0 / 3.0);
}

// A request that queues before its first token: vLLM FCFS, 4 blocks, unit time 1, A (prompt 3,
// output 2) and B (prompt 2, output 1) both at step 0.
//   step 0: A prefill 3 (3 blocks); B needs 2, 1 free: waits.        A first token t = 1
//   step 1: A decode (3 + 1 = 4 blocks); B needs 2, 0 free: waits.    A done t = 2
//   step 2: B prefill 2 (2 blocks): first token = last token.         B done t = 3
//   TTFT A 1, B 3 (mean 2; iterations 1 and 3); e2e A 2, B 3 (mean 2.5; iterations 2 and 3).
//   From the first token instead, B's end-to-end would be 0 s and 1 iteration.
//   waiting after each step 1, 1, 0; KV 3, 4, 2 of 4 blocks (mean 0.75, max 1).
TEST(MetricsByHand, QueuedRequestCountsItsWait) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 4;
  TimeModel t;
  Workload w;
  w.requests = {req(0, 3, 2), req(0, 2, 1)};
  MetricsCollector m(p);
  StepObserver* obs[] = {&m};
  SeededChoices ch(1);
  simulate(p, t, w, ch, SimOptions{}, obs);
  const auto& r = m.metrics();
  EXPECT_EQ(r.iterations, 3);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.mean, 2.0);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.max, 3.0);
  EXPECT_DOUBLE_EQ(r.ttft_iterations.mean, 2.0);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.mean, 2.5);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.p50, 2.0);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.max, 3.0);
  EXPECT_DOUBLE_EQ(r.e2e_iterations.mean, 2.5);
  EXPECT_DOUBLE_EQ(r.e2e_iterations.max, 3.0);
  EXPECT_EQ(r.waiting_max, 1);
  EXPECT_DOUBLE_EQ(r.waiting_mean, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.kv_util_mean, 0.75);
  EXPECT_DOUBLE_EQ(r.kv_util_max, 1.0);
  EXPECT_DOUBLE_EQ(r.requests_per_iteration, 2.0 / 3.0);
}

// A preemption after the first token: vLLM FCFS, 3 blocks, unit time 1, A and B (prompt 1,
// output 3) at step 0.
//   step 0: A, B prefill (1 + 1 blocks): both first tokens at t = 1.
//   step 1: A 2 + B 2 = 4 > 3: B (newest) preempted (recompute: its 1 computed token wasted);
//           no admission in a step that preempted. A decodes (2 blocks).
//   step 2: A decodes (3 blocks), done at t = 3; no block free for B.
//   step 3: B prefill again (1 block); step 4: 2 blocks; step 5: 3 blocks, B done at t = 6.
//   TTFT is the first token ever streamed: A 1, B 1 (not 4, after the recompute).
//   e2e A 3, B 6 (iterations 3 and 6). KV 2, 2, 3, 1, 2, 3: mean 13 / 6 / 3, max 1.
TEST(MetricsByHand, PreemptionKeepsTheFirstTokenTime) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 3;
  TimeModel t;
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3)};
  MetricsCollector m(p);
  StepObserver* obs[] = {&m};
  SeededChoices ch(1);
  simulate(p, t, w, ch, SimOptions{}, obs);
  const auto& r = m.metrics();
  EXPECT_EQ(r.iterations, 6);
  EXPECT_EQ(r.preemptions, 1);
  EXPECT_EQ(r.restarts, 1);
  EXPECT_EQ(r.wasted_tokens, 1);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.mean, 1.0);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.max, 1.0);
  EXPECT_DOUBLE_EQ(r.ttft_iterations.max, 1.0);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.mean, 4.5);
  EXPECT_DOUBLE_EQ(r.e2e_iterations.max, 6.0);
  EXPECT_DOUBLE_EQ(r.kv_util_mean, 13.0 / 6.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.kv_util_max, 1.0);
}

// The same schedule with a linear time model in which prefill is free and each decode token
// costs 1 s (la = lb = ld = 0, lc = 1), so the first iteration takes 0 s and the first tokens
// come at t = 0:
//   step 0: A, B prefill (D = 0): 0 s, t = 0   -> first tokens of A and B at t = 0
//   step 1: B preempted, A decodes (D = 1): t = 1
//   step 2: A decodes: t = 2, A done
//   step 3: B prefills again (D = 0): 0 s, t = 2 -- not B's first token (that was at t = 0)
//   step 4: B decodes, t = 3; step 5: B decodes, t = 4, B done
//   TTFT A 0, B 0 (a first token at t = 0 is still a first token); e2e A 2, B 4, mean 3.
TEST(MetricsByHand, FirstTokenAtTimeZeroIsKeptAcrossAPreemption) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 3;
  TimeModel t;
  t.kind = TimeModelKind::Linear;
  t.lc = 1.0;
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3)};
  MetricsCollector m(p);
  StepObserver* obs[] = {&m};
  SeededChoices ch(1);
  simulate(p, t, w, ch, SimOptions{}, obs);
  const auto& r = m.metrics();
  EXPECT_EQ(r.iterations, 6);
  EXPECT_EQ(r.preemptions, 1);
  EXPECT_DOUBLE_EQ(r.sim_seconds, 4.0);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.mean, 0.0);
  EXPECT_DOUBLE_EQ(r.ttft_seconds.max, 0.0);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.mean, 3.0);
  EXPECT_DOUBLE_EQ(r.e2e_seconds.max, 4.0);
}

// The simulator records the FIRST violation of each property (simulator.h): Alg. 1 on 5 blocks,
// A (3, 3) at step 0, B (2, 3) at step 1 overflows at steps 1 and 2 (tests/models/
// engine_step_test.cpp's schedule), so kv_no_overflow and no_eviction are recorded once, at
// step 1, and the run still finishes (6 steps) without stop_at_violation.
TEST(SimulatorByHand, RecordsTheFirstViolationOfEachPropertyOnce) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 5;
  p.classes = {{"c", 1, 1, 1.0, 10}};
  Workload w;
  w.requests = {req(0, 3, 3), req(1, 2, 3)};
  SimOptions o;
  o.properties = {PropertyId::KvNoOverflow, PropertyId::NoEviction, PropertyId::Conservation};
  SeededChoices ch(1);
  const auto out = simulate(p, TimeModel{}, w, ch, o);
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(out.steps, 6);
  ASSERT_EQ(out.violations.size(), 2U);
  EXPECT_EQ(out.violations[0].id, PropertyId::KvNoOverflow);
  EXPECT_EQ(out.violations[0].step, 1);
  EXPECT_EQ(out.violations[1].id, PropertyId::NoEviction);
  EXPECT_EQ(out.violations[1].step, 1);
}

// A rejected request counts as finished (ConcreteView::finished: done + rejected == all). vLLM
// FCFS, block_size 1, 4 blocks, lookahead 0:
//   A: step 0, prompt 2, output 2: peak 2 + 2 - 1 = 3 blocks <= 4, served.
//   R: step 0, prompt 4, output 2: peak 4 + 2 - 1 = 5 blocks > 4, rejected on arrival.
//   step 0: A prefill 2 (gen 1). step 1: A decode (3 blocks), gen 2 = done.
// So the run ends after 2 iterations, finished, nothing left over; a run that did not count the
// rejection would wait for R forever (until its idle or step limit).
TEST(SimulatorByHand, RejectedRequestsCountAsFinished) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.block_size = 1;
  p.engine.num_blocks = 4;
  Workload w;
  w.requests = {req(0, 2, 2), req(0, 4, 2)};
  SimOptions o;
  o.max_steps = 50;
  SeededChoices ch(1);
  const auto out = simulate(p, TimeModel{}, w, ch, o);
  EXPECT_TRUE(out.finished);
  EXPECT_FALSE(out.hit_max_steps);
  EXPECT_FALSE(out.stalled);
  EXPECT_EQ(out.steps, 2);
  EXPECT_EQ(out.unfinished, 0);
  EXPECT_EQ(out.verdict(true).kind, VerdictKind::BoundedOk);
}

// The verdict of a run that stopped at max_steps (sim/simulator.h): a bound, BOUNDED_OK(steps),
// unless the run was meant to cover the whole workload (require_complete) and requests were
// left: then UNKNOWN ("incomplete"), never ok. Without the flag (the fuzzer's cases, whose
// horizon is the case's own) it stays a bound; with nothing left there is nothing to miss.
TEST(SimulatorByHand, StoppedAtMaxStepsIsIncompleteOnlyWhenCoverageIsRequiredAndWorkIsLeft) {
  SimOutcome out;
  out.steps = 10;
  out.hit_max_steps = true;
  out.unfinished = 2;
  EXPECT_EQ(to_string(out.verdict()), "BOUNDED_OK(10)");
  const auto v = out.verdict(true);
  EXPECT_EQ(v.kind, VerdictKind::Unknown);
  EXPECT_NE(v.reason.find("incomplete: stopped at max_steps = 10 with 2 requests unfinished"),
            std::string::npos) << v.reason;
  out.unfinished = 0;
  EXPECT_EQ(to_string(out.verdict(true)), "BOUNDED_OK(10)");
}

// A stall is reported (docs/config.md, `max_idle_steps`: this many iterations in a row without
// progress = stalled, a liveness violation, exit 13). Ao et al.'s WAIT serves a type only while
// at least its threshold of prompts wait: one type of threshold 2, ONE request (prompt 2,
// output 3) at step 0, max_idle_steps 3, no properties checked:
//   step 0: the request arrives (progress: an arrival), 1 < 2 wait: nothing is served;
//   steps 1, 2, 3: empty batches, no arrivals: 1, 2, 3 idle iterations in a row -> stalled.
// The run stops after 4 iterations, unfinished, with a liveness violation at step 4.
TEST(SimulatorByHand, NoProgressForMaxIdleStepsIsAStall) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 32;
  ClassSpec c;
  c.name = "t";
  c.prompt = 2;
  c.output = 3;
  c.threshold = 2;
  p.classes = {c};
  Workload w;
  w.requests = {req(0, 2, 3)};
  SimOptions o;
  o.max_steps = 50;
  o.max_idle_steps = 3;
  SeededChoices ch(1);
  const auto out = simulate(p, TimeModel{}, w, ch, o);
  EXPECT_TRUE(out.stalled);
  EXPECT_FALSE(out.finished);
  EXPECT_FALSE(out.hit_max_steps);
  EXPECT_EQ(out.steps, 4);
  EXPECT_EQ(out.unfinished, 1);
  const auto v = out.verdict(true);
  EXPECT_EQ(v.kind, VerdictKind::Violated);
  EXPECT_EQ(v.property_kind, PropertyKind::Liveness);
  EXPECT_EQ(v.depth, 4);
}

}  // namespace
}  // namespace kvcheck

namespace kvcheck {
namespace {

// vLLM bench's TPOT and ITL (vllm/benchmarks/serve.py: TPOT = (latency - ttft) / (output - 1)
// per request; ITL pools every gap), on a linear time model la = 1 s + lc = 1 s per decode
// token (lb = ld = 0). A (prompt 1, output 2), B (prompt 1, output 3), both at 0; 100 blocks.
//   step 0: A and B prefill (P = 2, D = 0): 1 s  -> t = 1, both sample token 1 (TTFT 1 s)
//   step 1: both decode (D = 2): 3 s             -> t = 4, A done (e2e 4), B token 2
//   step 2: B decodes (D = 1): 2 s               -> t = 6, B done (e2e 6)
//   TPOT: A (4 - 1) / 1 = 3, B (6 - 1) / 2 = 2.5: mean 2.75.  ITL: (3 + 5) / (1 + 2) = 8/3.
TEST(MetricsByHand, TpotPerRequestAndPooledItlAsVllmBenchDefinesThem) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  Workload w;
  Request a, b;
  a.output = 2;
  b.output = 3;
  w.requests = {a, b};
  TimeModel t;
  t.kind = TimeModelKind::Linear;
  t.la = 1.0;
  t.lc = 1.0;
  SeededChoices ch(1);
  MetricsCollector mc(p);
  StepObserver* obs[] = {&mc};
  SimOptions o;
  (void)simulate(p, t, w, ch, o, obs);
  const auto& m = mc.metrics();
  EXPECT_DOUBLE_EQ(m.ttft_seconds.mean, 1.0);
  EXPECT_DOUBLE_EQ(m.e2e_seconds.mean, 5.0);
  EXPECT_EQ(m.tpot_seconds.count, 2);
  EXPECT_DOUBLE_EQ(m.tpot_seconds.mean, 2.75);
  EXPECT_DOUBLE_EQ(m.itl_mean_seconds, 8.0 / 3.0);
}

}  // namespace
}  // namespace kvcheck
