// Closed-loop arrivals (Workload::max_concurrency, models/arrival_rules.h) on hand-computed
// schedules: vLLM FCFS on a pool far larger than the workload, block size 1, lookahead 0, unit
// time (one second per iteration). A request is prefilled in the iteration it enters (its
// first token) and decodes one token per iteration after, so prompt 2 / output 2 takes two
// iterations: first token at its entry step e, completion at step e + 1. Every expectation is
// written out below; nothing is read back from the code to build one.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "models/time_model.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

ModelParams big_pool() {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 1000;
  p.engine.block_size = 1;
  p.engine.lookahead = 0;
  return p;
}

Request req(std::int64_t step, std::int64_t prompt, std::int64_t output, double time = -1.0) {
  Request r;
  r.arrival_step = step;
  r.arrival_time = time < 0 ? static_cast<double>(step) : time;
  r.prompt = prompt;
  r.output = output;
  return r;
}

/// Runs the plain engine loop to completion (at most `max_steps` iterations); calls
/// `each(v)` after every iteration.
template <class F>
void run(const ModelParams& p, const Workload& w, F each, int max_steps = 100) {
  TimeModel t;  // unit: 1 s per iteration
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  for (int i = 0; i < max_steps && !v.finished(); ++i) {
    engine_step(v);
    each(v);
  }
  ASSERT_TRUE(v.finished());
}

// c = 1, three requests (prompt 2, output 2) all at step 0:
//   A enters at 0, first token 0, done 1 (in flight during steps 0-1);
//   B enters at 2 (A's completion at the end of step 1 frees the slot), done 3;
//   C enters at 4, done 5.
// Entry times are the starts of steps 0, 2, 4 (0 s, 2 s, 4 s); each finishes at the end of
// its second step (2 s, 4 s, 6 s): E2E 2 s and TTFT 1 s for every request, as vLLM bench
// measures them (its clock starts when the request holds the semaphore).
TEST(ClosedLoop, ConcurrencyOneRunsRequestsOneAfterAnother) {
  Workload w;
  w.requests = {req(0, 2, 2), req(0, 2, 2), req(0, 2, 2)};
  w.max_concurrency = 1;
  std::vector<RequestState> final;
  run(big_pool(), w, [&](const ConcreteView& v) {
    final.clear();
    for (int i = 0; i < 3; ++i) final.push_back(v.state(i));
  });
  const std::int64_t enter[] = {0, 2, 4}, finish[] = {1, 3, 5};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(final[static_cast<std::size_t>(i)].arrived_step, enter[i]);
    EXPECT_EQ(final[static_cast<std::size_t>(i)].first_token_step, enter[i]);
    EXPECT_EQ(final[static_cast<std::size_t>(i)].finish_step, finish[i]);
    EXPECT_DOUBLE_EQ(final[static_cast<std::size_t>(i)].arrived_time,
                     static_cast<double>(enter[i]));
    EXPECT_DOUBLE_EQ(final[static_cast<std::size_t>(i)].first_token_time,
                     static_cast<double>(enter[i] + 1));
    EXPECT_DOUBLE_EQ(final[static_cast<std::size_t>(i)].finish_time,
                     static_cast<double>(finish[i] + 1));
  }
}

// The same three requests open loop: all enter at step 0 and finish at step 1.
TEST(ClosedLoop, OpenLoopAdmitsEveryDueRequestAtOnce) {
  Workload w;
  w.requests = {req(0, 2, 2), req(0, 2, 2), req(0, 2, 2)};
  std::vector<std::int64_t> finish(3, -1);
  run(big_pool(), w, [&](const ConcreteView& v) {
    for (int i = 0; i < 3; ++i) finish[static_cast<std::size_t>(i)] = v.state(i).finish_step;
  });
  EXPECT_EQ(finish, (std::vector<std::int64_t>{1, 1, 1}));
}

// c = 2, six requests: in flight after every iteration's arrivals is never above 2, and the
// gate keeps it at exactly 2 while requests wait. Outputs differ so slots free one at a time:
//   step 0: A (out 3), B (out 5) enter; C, D, E, F due (steps 0, 0, 1, 1) wait.
//   A: tokens at 0, 1, 2 -> done at 2. B: 0..4 -> done at 4.
//   step 3: C enters (out 2): done 4. step 5: D and E enter (B and C done at 4).
//   D (out 2): done 6; E (out 1): first token = last, done 5. step 6: F enters (E done 5),
//   out 1: done 6.
TEST(ClosedLoop, ConcurrencyTwoNeverHasMoreThanTwoInFlight) {
  Workload w;
  w.requests = {req(0, 2, 3), req(0, 2, 5), req(0, 2, 2), req(0, 2, 2), req(1, 2, 1),
                req(1, 2, 1)};
  w.max_concurrency = 2;
  std::vector<std::int64_t> in_flight;
  std::vector<std::int64_t> enter(6, -1), done(6, -1);
  run(big_pool(), w, [&](const ConcreteView& v) {
    std::int64_t n = 0;
    for (int i = 0; i < 6; ++i) {
      const auto& s = v.state(i);
      n += s.status == Status::Waiting || s.status == Status::Running ||
           s.finish_step == v.last_step().step;  // completed in this iteration: was in flight
      enter[static_cast<std::size_t>(i)] = s.arrived_step;
      done[static_cast<std::size_t>(i)] = s.finish_step;
    }
    in_flight.push_back(n);
  });
  EXPECT_EQ(enter, (std::vector<std::int64_t>{0, 0, 3, 5, 5, 6}));
  EXPECT_EQ(done, (std::vector<std::int64_t>{2, 4, 4, 6, 5, 6}));
  // steps 0..6: two in flight during each iteration (step 2 holds B and A's last token; step
  // 4 B's and C's last tokens; step 5 D and E; step 6 D and F).
  EXPECT_EQ(in_flight, (std::vector<std::int64_t>{2, 2, 2, 2, 2, 2, 2}));
}

// FIFO: a later request never enters before an earlier one, even one that is due earlier and
// would fit. c = 1: A (out 4) at 0, B (out 1) at 0, C (out 1) at 1. B waits for A (done 3), so
// C, due at 1, waits for B too: B enters 4 (done 4), C enters 5.
TEST(ClosedLoop, LaterRequestsNeverOvertakeEarlierOnes) {
  Workload w;
  w.requests = {req(0, 2, 4), req(0, 2, 1), req(1, 2, 1)};
  w.max_concurrency = 1;
  std::vector<std::int64_t> enter(3, -1);
  run(big_pool(), w, [&](const ConcreteView& v) {
    for (int i = 0; i < 3; ++i) enter[static_cast<std::size_t>(i)] = v.state(i).arrived_step;
  });
  EXPECT_EQ(enter, (std::vector<std::int64_t>{0, 4, 5}));
}

// A rejected request (prompt longer than the whole pool) never holds a slot: c = 1, A is
// unservable and rejected on entry at step 0, so B enters at step 0 as well.
TEST(ClosedLoop, ARejectedRequestFreesItsSlotAtOnce) {
  auto p = big_pool();
  p.engine.num_blocks = 4;
  Workload w;
  w.requests = {req(0, 10, 1), req(0, 2, 2)};
  w.max_concurrency = 1;
  Status a = Status::Pending;
  std::int64_t b_enter = -1;
  run(p, w, [&](const ConcreteView& v) {
    a = v.state(0).status;
    if (b_enter < 0) b_enter = v.state(1).arrived_step;
  });
  EXPECT_EQ(a, Status::Rejected);
  EXPECT_EQ(b_enter, 0);
}

// Timed clock, c = 1: A arrives at 0.0 s, B at 0.5 s. A: step 0 [0, 1) first token, step 1
// [1, 2) done at 2.0 s. B is due at step 1 (t = 1.0) but gated; it takes the slot A frees
// at 2.0 s, so its latency clock starts at 2.0 s, not 0.5 s. Open loop B would enter at step 1
// with its own arrival time, 0.5 s.
TEST(ClosedLoop, TimedEntryTimeIsWhenTheSlotFrees) {
  for (const std::int64_t c : {0, 1}) {
    Workload w;
    w.clock = ArrivalClock::Timed;
    w.requests = {req(0, 2, 2, 0.0), req(0, 2, 2, 0.5)};
    w.max_concurrency = c;
    RequestState b;
    run(big_pool(), w, [&](const ConcreteView& v) { b = v.state(1); });
    SCOPED_TRACE(c);
    EXPECT_EQ(b.arrived_step, c == 1 ? 2 : 1);
    EXPECT_DOUBLE_EQ(b.arrived_time, c == 1 ? 2.0 : 0.5);
  }
}

// Timed clock, c = 2: A at 0.0, B at 0.5 (a slot is free during step 0, so B holds it from
// 0.5 s), C at 0.7 (both slots taken from 0.5 s: C waits for A's completion at 2.0 s).
// A (out 2): steps 0-1, done 2.0 s. B enters step 1 (out 2): steps 1-2, done 3.0 s.
// C enters step 2 at 2.0 s.
TEST(ClosedLoop, TimedArrivalDuringAnIterationTakesAFreeSlotAtItsArrival) {
  Workload w;
  w.clock = ArrivalClock::Timed;
  w.requests = {req(0, 2, 2, 0.0), req(0, 2, 2, 0.5), req(0, 2, 2, 0.7)};
  w.max_concurrency = 2;
  std::vector<RequestState> s(3);
  run(big_pool(), w, [&](const ConcreteView& v) {
    for (int i = 0; i < 3; ++i) s[static_cast<std::size_t>(i)] = v.state(i);
  });
  EXPECT_EQ(s[1].arrived_step, 1);
  EXPECT_DOUBLE_EQ(s[1].arrived_time, 0.5);
  EXPECT_EQ(s[2].arrived_step, 2);
  EXPECT_DOUBLE_EQ(s[2].arrived_time, 2.0);
}

// The simulator (with event skipping) gives the same schedule as the plain loop above, and
// never skips over a gated arrival: c = 1, A (out 40) and B (out 1) at step 0: B enters at
// step 40 (A done at 39), after a long steady run of A alone.
TEST(ClosedLoop, SimulatorSkipsStepsButNotTheGatedArrival) {
  Workload w;
  w.requests = {req(0, 2, 40), req(0, 2, 1)};
  w.max_concurrency = 1;
  struct Last final : StepObserver {
    void on_step(const ConcreteView&) override {}
    bool accepts_steady_runs() const override { return true; }
    void on_steady_run(const ConcreteView&, const SteadyRun& r) override {
      skipped += static_cast<std::int64_t>(r.steps.size());
    }
    void on_finish(const ConcreteView& v) override { b = v.state(1); }
    RequestState b;
    std::int64_t skipped = 0;
  } last;
  StepObserver* obs[] = {&last};
  SimOptions o;
  o.skip_steady = true;
  SeededChoices ch(1);
  const auto out = simulate(big_pool(), TimeModel{}, w, ch, o, obs);
  EXPECT_TRUE(out.finished);
  EXPECT_EQ(last.b.arrived_step, 40);
  EXPECT_EQ(last.b.finish_step, 40);
  EXPECT_GT(last.skipped, 30);  // A's decode run was skipped in bulk although B was due
}

}  // namespace
}  // namespace kvcheck
