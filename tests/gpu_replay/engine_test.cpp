// The engine driven by the shared model: live runs and recorded traces reproduce on the CPU
// backend (overflow confirmed at the predicted step, preemptions, rejections, no leaked
// blocks, recompute determinism), and tampered traces are reported at the right field.
#include <gtest/gtest.h>

#include "counterexamples/recorder.h"
#include "gpu_replay/cpu_backend.h"
#include "gpu_replay/engine.h"
#include "gpu_replay/replay.h"
#include "test_support.h"

namespace kvcheck::engine {
namespace {

using test::burst;
using test::unsafe_p1;

/// vLLM FCFS on a pool too small for everyone: recompute preemptions, never an overflow.
ModelParams tight_vllm() {
  ModelParams p;
  p.engine.block_size = 4;
  p.engine.num_blocks = 7;
  p.policy.kind = PolicyKind::VllmFcfs;
  return p;
}

ReplayOptions small_opts() {
  ReplayOptions o;
  o.model = test::small_model();
  return o;
}

Trace record(const ModelParams& p, const Workload& w) {
  SeededChoices c(1);
  SimOptions so;
  so.max_steps = 500;
  return record_run(p, TimeModel{}, w, c, so, TraceMeta{});
}

TEST(EngineReplay, LiveOverflowIsTheEnginesAllocationFailureAtThePredictedStep) {
  SeededChoices c(1);
  const auto w = burst(4, 6, 8);
  const auto r = run_live(unsafe_p1(), TimeModel{}, w, c, BackendKind::Cpu, small_opts());
  ASSERT_TRUE(r.predicted_overflow.has_value());
  EXPECT_EQ(r.engine_oom, r.predicted_overflow);
  EXPECT_FALSE(r.divergence) << r.summary();
  EXPECT_EQ(r.exit_code(), ExitCode::Ok);
  EXPECT_TRUE(r.leak_free);
}

TEST(EngineReplay, LivePreemptionsRecomputeTheSameTokensAndLeakNothing) {
  SeededChoices c(1);
  const auto w = burst(5, 6, 8);
  const auto r = run_live(tight_vllm(), TimeModel{}, w, c, BackendKind::Cpu, small_opts());
  EXPECT_FALSE(r.predicted_overflow);
  EXPECT_TRUE(r.reproduced()) << r.summary();
  EXPECT_TRUE(r.leak_free);
  bool preempted = false;
  for (const auto& l : r.log) preempted = preempted || l.events.find("preempt") != std::string::npos;
  EXPECT_TRUE(preempted) << "the scenario must exercise recompute";
}

TEST(EngineReplay, UnservableRequestIsRejectedNotHung) {
  SeededChoices c(1);
  Workload w = burst(2, 6, 4);
  w.requests.push_back({0, 0.0, 40, 4, 0});  // 43 tokens > 7 blocks * 4
  const auto r = run_live(tight_vllm(), TimeModel{}, w, c, BackendKind::Cpu, small_opts());
  EXPECT_TRUE(r.reproduced()) << r.summary();
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log.front().events.find("reject:2"), std::string::npos) << r.log.front().events;
}

TEST(EngineReplay, RecordedTraceReproducesIncludingItsOverflow) {
  const auto t = record(unsafe_p1(), burst(4, 6, 8));
  const auto r = replay_on_engine(t, BackendKind::Cpu, small_opts());
  EXPECT_TRUE(r.reproduced()) << r.summary();
  ASSERT_TRUE(r.engine_oom.has_value());
  const auto res = replay_result_on_engine(t, BackendKind::Cpu);
  EXPECT_TRUE(res.reproduced) << res.field;
}

TEST(EngineReplay, TraceClaimingNoOverflowDivergesAtThatStepAndField) {
  auto t = record(unsafe_p1(), burst(4, 6, 8));
  std::size_t k = 0;
  while (k < t.states.size() && !t.states[k].overflow) ++k;
  ASSERT_LT(k, t.states.size());
  t.states[k].overflow = false;
  const auto r = replay_on_engine(t, BackendKind::Cpu, small_opts());
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->field, "overflow");
  EXPECT_EQ(r.divergence->step, t.states[k].step);
  EXPECT_EQ(r.exit_code(), ExitCode::ReplayDiverged);
}

TEST(EngineReplay, WrongBlockCountOrCompletionIsReported) {
  const auto base = record(tight_vllm(), burst(5, 6, 8));
  auto t = base;
  t.states[3].used_blocks += 1;
  auto r = replay_on_engine(t, BackendKind::Cpu, small_opts());
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->field, "used_blocks");
  EXPECT_EQ(r.divergence->index, 3);
  t = base;
  std::size_t k = 0;
  while (k < t.states.size() && t.states[k].completed.empty()) ++k;
  ASSERT_LT(k, t.states.size());
  t.states[k].completed.clear();
  r = replay_on_engine(t, BackendKind::Cpu, small_opts());
  ASSERT_TRUE(r.divergence);
  EXPECT_EQ(r.divergence->field, "completed");
}

// vLLM's recompute keeps the sampled output (docs/vllm.md rule 8): the engine re-feeds the
// kept tokens as part of the recompute prefill and samples the next one only after all of them
// (tests/models/vllm_rules_test.cpp works the schedule by hand). A live run with preemptions
// and the null-block thrash's recorded lasso both reproduce on the CPU engine, leak-free.
TEST(EngineReplay, RecomputeThatKeepsTheOutputReproduces) {
  auto p = tight_vllm();
  p.engine.recompute_keeps_output = true;
  p.engine.reject_unservable = false;
  p.engine.chunked_prefill = true;
  p.engine.max_batched_tokens = 8;
  SeededChoices c(1);
  const auto r = run_live(p, TimeModel{}, burst(5, 6, 8), c, BackendKind::Cpu, small_opts());
  EXPECT_TRUE(r.reproduced()) << r.summary();
  EXPECT_TRUE(r.leak_free);
  bool preempted = false;
  for (const auto& l : r.log) preempted = preempted || l.events.find("preempt") != std::string::npos;
  EXPECT_TRUE(preempted) << "the scenario must exercise recompute";
  // The thrash: 5 blocks of 4 tokens less the null block, a request of 14 + 4 tokens.
  auto q = p;
  q.engine.block_size = 4;
  q.engine.num_blocks = 4;
  q.engine.max_model_len = 20;
  Workload w;
  w.requests = {{0, 0.0, 14, 4, 0}};
  const auto t = record(q, w);
  EXPECT_EQ(t.meta.violated_property, "livelock");
  const auto res = replay_on_engine(t, BackendKind::Cpu, small_opts());
  EXPECT_TRUE(res.reproduced()) << res.summary();
}

TEST(EngineReplay, RecomputeAfterPreemptionReproducesUninterruptedLogits) {
  const auto w = seeded_weights(test::small_model(), 4);
  const auto toks = test::tokens(11, 64);
  auto a = make_cpu_backend(w, {8, 4});
  const auto straight = test::run_chunks(*a, toks, {0, 1, 2}, 4, 1);
  auto b = make_cpu_backend(w, {8, 4});
  test::run_chunks(*b, std::vector<std::int32_t>(toks.begin(), toks.begin() + 6), {5, 6}, 4, 1);
  b->poison_blocks(std::vector<std::int32_t>{6, 5});  // preempted: blocks freed and poisoned
  const auto again = test::run_chunks(*b, toks, {6, 3, 7}, 4, 1);  // recompute elsewhere
  EXPECT_EQ(straight, again);
}

TEST(Engine, SchedulingAnUnadmittedRequestIsATypedPlanError) {
  const auto w = seeded_weights(test::small_model(), 4);
  auto be = make_cpu_backend(w, {2, 4});
  EngineParams e;
  e.block_size = 4;
  e.num_blocks = 2;
  const Workload wl = burst(1, 3, 2);
  Engine eng(e, wl, *be, 64);
  StepState s;
  s.step = 0;
  s.arrived = {0};
  s.batch = {{0, 3}};  // scheduled without being admitted
  EXPECT_THROW(eng.execute(s), PlanError);
}

// The allocation failure itself, on a pool of 3 blocks of 4 tokens. Requests 0 and 1 (prompt 8,
// output 2: a footprint of 8 + 2 - 1 = 9 tokens = 3 blocks, servable) arrive and are admitted
// at step 0; each prefill needs 2 blocks, 4 > 3.
//  (a) The model's plan, as engine_step makes it: it evicted 1 (demand 4, batch {0: 8 tokens}).
//      The engine grants 0 its 2 blocks (demand 2), then the evicted request's 2-block share is
//      refused: an OOM event for the overflow reservation (request -1, 2 blocks), oom = true,
//      request 1 evicted; 2 blocks in use during and after the step (0 is not done: 1 of 2).
//  (b) A plan that keeps both in the batch without an eviction: 1's 2 blocks are refused (OOM
//      event for request 1, 2 blocks), nothing can be evicted, so the plan is an error.
TEST(Engine, AllocationFailureIsAnOomEventThenTheModelsEviction) {
  const auto w = seeded_weights(test::small_model(), 4);
  EngineParams e;
  e.block_size = 4;
  e.num_blocks = 3;
  Workload wl;
  wl.requests = {{0, 0.0, 8, 2, 0}, {0, 0.0, 8, 2, 0}};
  StepState s;
  s.step = 0;
  s.arrived = {0, 1};
  s.admitted = {0, 1};
  {
    auto be = make_cpu_backend(w, {3, 4});
    Engine eng(e, wl, *be, 64);
    auto plan = s;
    plan.batch = {{0, 8}};
    plan.evicted = {1};
    plan.demand_blocks = 4;
    plan.overflow = true;
    const auto r = eng.execute(plan);
    EXPECT_TRUE(r.oom);
    EXPECT_EQ(r.demand_blocks, 2);
    EXPECT_EQ(r.used_blocks, 2);
    EXPECT_EQ(r.evicted, std::vector<std::int32_t>{1});
    EXPECT_EQ(r.batch, (std::vector<std::pair<std::int32_t, std::int64_t>>{{0, 8}}));
    ASSERT_FALSE(eng.events().empty());
    const auto& oom = eng.events().front();
    EXPECT_EQ(oom.kind, EventKind::Oom);
    EXPECT_EQ(oom.request, -1);
    EXPECT_EQ(oom.blocks, 2);
    EXPECT_EQ(oom.step, 0);
    EXPECT_EQ(eng.pool().num_used(), 2);
  }
  {
    auto be = make_cpu_backend(w, {3, 4});
    Engine eng(e, wl, *be, 64);
    auto plan = s;
    plan.batch = {{0, 8}, {1, 8}};
    plan.demand_blocks = 4;
    EXPECT_THROW(eng.execute(plan), PlanError);
    ASSERT_FALSE(eng.events().empty());
    EXPECT_EQ(eng.events().front().kind, EventKind::Oom);
    EXPECT_EQ(eng.events().front().request, 1);
    EXPECT_EQ(eng.events().front().blocks, 2);
  }
}

/// A backend whose greedy token changes with every call: a recompute then samples other tokens.
class DriftingBackend final : public Backend {
 public:
  std::string_view name() const override { return "drifting"; }
  ForwardResult forward(const BatchMeta& m, bool) override {
    ForwardResult r;
    for (std::int32_t i = 0; i < m.num_logits(); ++i) r.tokens.push_back(++calls_ % 50);
    return r;
  }
  void poison_blocks(std::span<const std::int32_t>) override {}
  void read_block(int, std::int32_t, std::vector<float>&, std::vector<float>&) override {}

 private:
  std::int32_t calls_ = 0;
};

TEST(Engine, RecomputeThatSamplesOtherTokensIsReported) {
  DriftingBackend be;
  EngineParams e;
  e.block_size = 4;
  e.num_blocks = 4;
  const Workload wl = burst(1, 3, 5);
  Engine eng(e, wl, be, 64);
  StepState s0;
  s0.step = 0; s0.arrived = {0}; s0.admitted = {0}; s0.batch = {{0, 3}};
  EXPECT_TRUE(eng.execute(s0).recompute_mismatch.empty());
  StepState s1;
  s1.step = 1; s1.batch = {{0, 1}};
  EXPECT_TRUE(eng.execute(s1).recompute_mismatch.empty());
  StepState s2;
  s2.step = 2; s2.preempted = {0};
  EXPECT_FALSE(eng.pool().leak_free());
  eng.execute(s2);
  EXPECT_TRUE(eng.pool().leak_free());  // the preemption returned every block
  StepState s3;
  s3.step = 3; s3.admitted = {0}; s3.batch = {{0, 3}};
  EXPECT_EQ(eng.execute(s3).recompute_mismatch, std::vector<std::int32_t>{0});
}

}  // namespace
}  // namespace kvcheck::engine
