// Requests in flight at time 0 (Request::decoded_at_start, `[[workload.in_flight]]`): the
// state ConcreteView places them in, worked out by hand from the engine's rules; a run in
// which one finishes at the hand-computed step; the config reader's refusals; and P2
// Example 2's narrative (configs/p2_example2_inflight.toml) step by step as its comments
// work it out.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

Request in_flight(std::int64_t prompt, std::int64_t output, std::int64_t decoded) {
  Request r;
  r.prompt = prompt;
  r.output = output;
  r.decoded_at_start = decoded;
  return r;
}

Request arriving(std::int64_t step, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = step;
  r.arrival_time = static_cast<double>(step);
  r.prompt = prompt;
  r.output = output;
  return r;
}

ModelParams vllm(std::int64_t block_size, std::int64_t blocks, std::int64_t lookahead = 0) {
  ModelParams p;
  p.engine.block_size = block_size;
  p.engine.num_blocks = blocks;
  p.engine.lookahead = lookahead;
  p.policy.kind = PolicyKind::VllmFcfs;
  return p;
}

TEST(InFlightByHand, InitialStateIsThePrefillPlusKDecodes) {
  // prompt 17, 3 decode iterations done: the prefill computed 17 tokens and sampled token 1,
  // each decode computed 1 and sampled 1: computed 20, generated 4. Reserved: computed +
  // lookahead = 20 tokens, ceil(20 / 16) = 2 blocks. The second request, prompt 31, 1 decode,
  // lookahead 1: computed 32, generated 2, reserved 33 tokens = ceil(33 / 16) = 3 blocks (32
  // tokens would fill exactly 2; the lookahead slot needs a third).
  const auto p = vllm(16, 10, 1);
  Workload w;
  w.requests = {in_flight(17, 10, 3), in_flight(31, 5, 1), arriving(0, 4, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const auto& a = v.state(0);
  EXPECT_EQ(a.computed, 20);
  EXPECT_EQ(a.generated, 4);
  EXPECT_EQ(a.tokens, 21);  // lookahead 1 here: 20 + 1
  EXPECT_EQ(a.blocks, 2);   // ceil(21 / 16)
  EXPECT_EQ(a.status, Status::Running);
  const auto& b = v.state(1);
  EXPECT_EQ(b.computed, 32);
  EXPECT_EQ(b.generated, 2);
  EXPECT_EQ(b.tokens, 33);
  EXPECT_EQ(b.blocks, 3);
  EXPECT_EQ(v.used_blocks(), 5);
  EXPECT_EQ(v.used_tokens(), 54);
  EXPECT_EQ((std::vector<ConcreteView::Ref>{0, 1}), v.running());
  EXPECT_TRUE(v.waiting().empty());  // request 2 arrives in step 0's begin_step
  EXPECT_EQ(v.arrived(), 2);
  EXPECT_EQ(v.state(2).status, Status::Pending);
  EXPECT_LT(a.admit_seq, b.admit_seq);  // workload order
  // arrival at step 0 / time 0, the first token already out (TTFT 0 s, 0 iterations)
  EXPECT_EQ(a.arrived_step, 0);
  EXPECT_EQ(a.first_token_time, 0.0);
  EXPECT_EQ(a.first_token_step, -1);
}

TEST(InFlightByHand, WithoutLookaheadBlocksRoundTheComputedTokensUp) {
  // prompt 17 + 3 decodes = 20 tokens in blocks of 16: 2 blocks; prompt 16 + 0 decodes = 16
  // tokens: exactly 1 block.
  const auto p = vllm(16, 10);
  Workload w;
  w.requests = {in_flight(17, 10, 3), in_flight(16, 2, 0)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  EXPECT_EQ(v.state(0).blocks, 2);
  EXPECT_EQ(v.state(1).blocks, 1);
  EXPECT_EQ(v.used_blocks(), 3);
}

TEST(InFlightByHand, AnInFlightRequestFinishesAtTheHandComputedStep) {
  // prompt 17, output 10, 3 decodes done: generated 4, so 6 more decode iterations (steps
  // 0..5) sample tokens 5..10; it completes in step 5. In step k it reserves 20 + k + 1
  // tokens: 2 blocks through step 11 (32 tokens), so 2 blocks every step. The request arriving
  // at step 0 (prompt 4, output 2) is admitted in step 0 (prefill, 1 block), decodes in step 1
  // and completes there.
  const auto p = vllm(16, 10);
  Workload w;
  w.requests = {in_flight(17, 10, 3), arriving(0, 4, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  for (int step = 0; step < 6; ++step) {
    engine_step(v);
    const auto& rec = v.last_step();
    EXPECT_EQ(v.state(0).computed, 21 + step) << step;
    EXPECT_EQ(v.state(0).generated, std::min(5 + step, 10)) << step;
    if (step == 0) {
      EXPECT_EQ(rec.admitted, (std::vector<ConcreteView::Ref>{1}));
      EXPECT_EQ(rec.used_blocks, 3);  // 2 (in flight) + 1 (the prefill of 4 tokens)
    }
    if (step == 1) {
      EXPECT_EQ(rec.completed, (std::vector<ConcreteView::Ref>{1}));
    }
    if (step < 5) {
      EXPECT_EQ(v.state(0).status, Status::Running) << step;
    }
  }
  EXPECT_EQ(v.state(0).status, Status::Done);
  EXPECT_EQ(v.state(0).finish_step, 5);
  EXPECT_EQ(v.last_step().completed, (std::vector<ConcreteView::Ref>{0}));
  EXPECT_EQ(v.last_step().used_blocks, 2);
  EXPECT_TRUE(v.finished());
}

// An in-flight request's first token came out before step 0 (time 0, no step): a preemption
// that drops its output (recompute_keeps_output = false, the papers' model) and the new first
// token after its re-prefill must not stamp it again. By hand, on 6 blocks of 1 token: both
// (prompt 2, output 5, decoded 0) hold 2 blocks; step 0 reserves 3 each (6, full); step 1 needs
// 4 each, so the newest, request 1, is preempted, its output dropped; request 0 ends holding
// 2 + 5 - 1 = 6 blocks, then request 1 is prefilled again and finishes alone.
// Mutation run 9's survivor: `first_token_time < 1` re-stamped it.
TEST(InFlightByHand, APreemptedInFlightRequestKeepsItsFirstToken) {
  auto p = vllm(1, 6);
  p.engine.recompute_keeps_output = false;
  Workload w;
  w.requests = {in_flight(2, 5, 0), in_flight(2, 5, 0)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  for (int step = 0; step < 40 && !v.finished(); ++step) engine_step(v);
  ASSERT_TRUE(v.finished());
  EXPECT_GE(v.state(1).preemptions, 1);
  for (ConcreteView::Ref r : {0, 1}) {
    EXPECT_EQ(v.state(r).first_token_step, -1) << r;
    EXPECT_EQ(v.state(r).first_token_time, 0.0) << r;
  }
}

/// The final per-request states of a run (on_finish).
struct FinalStates final : StepObserver {
  bool steady = false;
  std::vector<RequestState> states;
  double now = 0.0;
  void on_step(const ConcreteView&) override {}
  bool accepts_steady_runs() const override { return steady; }
  void on_steady_run(const ConcreteView&, const SteadyRun&) override {}
  void on_finish(const ConcreteView& v) override {
    for (std::int64_t i = 0; i < v.num_requests(); ++i)
      states.push_back(v.state(static_cast<ConcreteView::Ref>(i)));
    now = v.now();
  }
};

TEST(InFlightByHand, TheEventSkippingLoopAgreesWithThePlainStepper) {
  // Long in-flight decodes are steady runs the fast loop skips in bulk: same steps, states.
  const auto p = vllm(16, 12);
  Workload w;
  w.requests = {in_flight(17, 60, 3), in_flight(40, 30, 10), arriving(5, 20, 40),
                arriving(50, 70, 5)};
  TimeModel t;
  t.kind = TimeModelKind::P2Linear;
  t.d0 = 0.5;
  t.d1 = 0.01;
  FinalStates a, b;
  b.steady = true;
  SimOptions plain, fast;
  fast.skip_steady = true;
  SeededChoices c1(1), c2(1);
  StepObserver* oa[] = {&a};
  StepObserver* ob[] = {&b};
  const auto ra = simulate(p, t, w, c1, plain, oa);
  const auto rb = simulate(p, t, w, c2, fast, ob);
  EXPECT_TRUE(ra.finished);
  EXPECT_EQ(ra.steps, rb.steps);
  ASSERT_EQ(a.states.size(), b.states.size());
  for (std::size_t i = 0; i < a.states.size(); ++i) {
    EXPECT_EQ(a.states[i].finish_step, b.states[i].finish_step) << i;
    EXPECT_DOUBLE_EQ(a.states[i].finish_time, b.states[i].finish_time) << i;
  }
  EXPECT_EQ(a.states[0].finish_step, 55);  // generated 4 -> 60: 56 decode iterations
  EXPECT_DOUBLE_EQ(a.now, b.now);
}

// ---- configs -------------------------------------------------------------------------------

const std::string kBase =
    "[engine]\nblock_size = 16\nnum_blocks = 4\nmax_num_seqs = 3\n[policy]\nname = "
    "\"vllm_fcfs\"\n[workload]\nkind = \"deterministic\"\ncount = 2\nprompt = 4\noutput = 2\n";

Config cfg(const std::string& in_flight) { return parse_config(kBase + in_flight, "f.toml"); }

/// The config error's field, or "" when the config loads.
std::string error_field(const std::string& in_flight) {
  try {
    (void)cfg(in_flight);
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_EQ(std::string(e.what()).rfind("f.toml: ", 0), 0U) << e.what();
    return e.field();
  }
  return "";
}

TEST(InFlightConfig, BuildWorkloadPutsThemFirstInConfigOrder) {
  const auto c = cfg("[[workload.in_flight]]\nprompt = 17\noutput = 10\ndecoded = 3\n"
                     "[[workload.in_flight]]\nprompt = 5\noutput = 3\ndecoded = 1\ncount = 2\n");
  const auto w = build_workload(c);
  ASSERT_EQ(w.requests.size(), 5U);
  EXPECT_EQ(w.in_flight_count(), 3U);
  EXPECT_EQ(w.requests[0].decoded_at_start, 3);
  EXPECT_EQ(w.requests[1].prompt, 5);
  EXPECT_EQ(w.requests[2].decoded_at_start, 1);
  EXPECT_EQ(w.requests[3].decoded_at_start, -1);
  // blocks: ceil(20 / 16) + 2 x ceil(6 / 16) = 4 = the pool, 3 = max_num_seqs: accepted
}

TEST(InFlightConfig, BadInFlightRequestsAreOneLineErrorsNamingTheField) {
  const std::string ok = "[[workload.in_flight]]\nprompt = 4\noutput = 3\n";
  EXPECT_EQ(error_field(ok + "decoded = 1\n"), "");
  EXPECT_EQ(error_field(ok + "decoded = 2\n"), "workload.in_flight[0].decoded");   // = output - 1
  EXPECT_EQ(error_field(ok + "decoded = 3\n"), "workload.in_flight[0].decoded");   // = output
  EXPECT_EQ(error_field(ok + "decoded = -1\n"), "workload.in_flight[0].decoded");
  EXPECT_EQ(error_field(ok), "workload.in_flight[0].decoded");  // missing
  EXPECT_EQ(error_field("[[workload.in_flight]]\nprompt = 4\noutput = 1\ndecoded = 0\n"),
            "workload.in_flight[0].output");
  EXPECT_EQ(error_field(ok + "decoded = 0\nclass = 1\n"), "workload.in_flight[0].class");
  EXPECT_EQ(error_field(ok + "decoded = 0\ncount = 0\n"), "workload.in_flight[0].count");
  EXPECT_EQ(error_field(ok + "decoded = 0\nstage = 1\n"), "workload.in_flight[0].stage");
  // 3 x ceil(4 / 16) = 3 blocks and 3 requests fit; a 4th is more than max_num_seqs = 3
  EXPECT_EQ(error_field(ok + "decoded = 0\ncount = 3\n"), "");
  EXPECT_EQ(error_field(ok + "decoded = 0\ncount = 4\n"), "workload.in_flight");
  // ceil(60 / 16) = 4 blocks fit the pool of 4; 3 x ceil(30 / 16) = 6 do not, though each
  // request alone would be served
  EXPECT_EQ(error_field("[[workload.in_flight]]\nprompt = 60\noutput = 3\ndecoded = 0\n"), "");
  const std::string six = "[[workload.in_flight]]\nprompt = 30\noutput = 3\ndecoded = 0\ncount = 3\n";
  EXPECT_EQ(error_field(six), "workload.in_flight");
  try {
    (void)cfg(six);
  } catch (const InputError& e) {
    EXPECT_NE(e.reason().find("6 KV blocks, more than engine.num_blocks = 4"), std::string::npos)
        << e.what();
  }
  // one the engine would reject at arrival (66 tokens at its peak > 64) cannot be in flight
  EXPECT_EQ(error_field("[[workload.in_flight]]\nprompt = 64\noutput = 3\ndecoded = 0\n"),
            "workload.in_flight");
  EXPECT_EQ(error_field("[workload.in_flight]\nprompt = 4\n"), "workload.in_flight");
}

TEST(InFlightConfig, TheZ3BackendsRefuseThem) {
  const auto c = cfg("[[workload.in_flight]]\nprompt = 4\noutput = 3\ndecoded = 0\n");
  try {
    refuse_in_flight_for_z3(c);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.field(), "workload.in_flight");
    EXPECT_NE(e.reason().find("not supported by the Z3 backends yet; use simulate/fuzz/explore"),
              std::string::npos);
  }
  EXPECT_NO_THROW(refuse_in_flight_for_z3(cfg("")));
}

// ---- P2 Example 2's narrative ----------------------------------------------------------------

struct Expect {
  std::size_t admitted, preempted, completed;
  std::int64_t used_blocks, running_after, waiting_after, done_after;
};

TEST(InFlightP2Example2, FirstIterationsAreTheHandWorkedOnes) {
  const auto c = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) /
                             "configs/p2_example2_inflight.toml");
  const auto w = build_workload(c);
  ASSERT_EQ(w.in_flight_count(), 3U);
  SeededChoices ch(1);
  ConcreteView v(c.model, w, c.time, ch);
  EXPECT_EQ(v.used_blocks(), 3);  // 3 at stage 1 hold l + 0 = 1 block each
  // The config's comments, step by step (a decode at stage 1 reserves 2 blocks, a prefill 1).
  const Expect want[] = {
      {6, 0, 3, 12, 6, 4, 3},   // step 0: 3 decodes (6) + 6 prefills (6); 0-2 complete
      {0, 0, 6, 12, 0, 8, 9},   // step 1: 6 decodes (12), all complete
      {12, 0, 0, 12, 12, 0, 9}, // step 2: 12 prefills
      {0, 6, 6, 12, 0, 10, 15}, // step 3: 24 > 12: preempt 6, 6 decodes complete
      {12, 0, 0, 12, 12, 2, 15},
      {0, 6, 6, 12, 0, 12, 21},
  };
  for (std::size_t s = 0; s < std::size(want); ++s) {
    engine_step(v);
    const auto& r = v.last_step();
    const auto& e = want[s];
    EXPECT_EQ(r.admitted.size(), e.admitted) << "step " << s;
    EXPECT_EQ(r.preempted.size(), e.preempted) << "step " << s;
    EXPECT_EQ(r.completed.size(), e.completed) << "step " << s;
    EXPECT_EQ(r.used_blocks, e.used_blocks) << "step " << s;
    EXPECT_EQ(r.running_after, e.running_after) << "step " << s;
    EXPECT_EQ(r.waiting_after, e.waiting_after) << "step " << s;
    EXPECT_EQ(r.done_after, e.done_after) << "step " << s;
    EXPECT_NEAR(r.duration, 1.0, 1e-9) << "step " << s;  // d0 + 12 d1: 12 KV tokens each
  }
}

TEST(InFlightP2Example2, ThreeCompletionsPerIterationInsteadOfFour) {
  // While arrivals last (4 per step through step 99), the trap's cycle completes 6 per 2
  // iterations: 3 per iteration, the paper's "~3-3.5 instead of 4".
  const auto c = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) /
                             "configs/p2_example2_inflight.toml");
  const auto w = build_workload(c);
  SeededChoices ch(1);
  ConcreteView v(c.model, w, c.time, ch);
  for (int s = 0; s < 100; ++s) engine_step(v);
  // 3 + 6 in steps 0-1, then 6 in every odd step 3, 5, ..., 99: 49 x 6
  EXPECT_EQ(v.done(), 3 + 6 + 49 * 6);
  EXPECT_NEAR(v.now(), 100.0, 1e-6);
}

}  // namespace
}  // namespace kvcheck
