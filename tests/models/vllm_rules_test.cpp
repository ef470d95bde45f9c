// vLLM V1's scheduling rules (issue 18), each on a hand-computed schedule. The expected values
// come from vLLM's source as docs/vllm.md cites it (scheduler.py, kv_cache_manager.py,
// block_pool.py), worked by hand in the comments, never from kvcheck's output.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_profiles.h"
#include "models/engine_step.h"
#include "properties/predicates.h"
#include "sim/simulator.h"
#include "engine_harness.h"

namespace kvcheck {
namespace {

/// A vLLM V1 engine of `usable` allocatable blocks (vLLM's count minus the null block).
ModelParams vllm(const char* profile, std::int64_t block_size, std::int64_t usable,
                 std::int64_t budget) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  apply_engine_profile(*find_engine_profile(profile), p);
  p.engine.block_size = block_size;
  p.engine.num_blocks = usable;
  p.engine.max_batched_tokens = budget;
  return p;
}

using Engine1 = test::EngineHarness;
using test::req;

// Full-sequence admission (scheduler_reserve_full_isl): vLLM reports B = 10 blocks of 16, the
// null block leaves 9 usable = 144 tokens. A prompt of (B - 1) x 16 + 1 = 145 tokens needs
// ceil(145 / 16) = 10 blocks > 9: never admitted, though its first chunk (32 tokens, 2 blocks)
// fits. Under first-chunk admission the same request is admitted with 32 tokens at step 0.
TEST(VllmRules, FullSequenceNeverAdmitsAPromptOneTokenPastTheUsablePool) {
  Engine1 full(vllm("vllm-v1-full-isl", 16, 9, 32), {req(0, 145, 1)});
  for (int i = 0; i < 5; ++i) {
    full.step();
    EXPECT_TRUE(full.v.last_step().batch.empty()) << "step " << i;
    EXPECT_FALSE(holds(PropertyId::Schedulable, full.v)) << "step " << i;
  }
  Engine1 first(vllm("vllm-v1-first-chunk", 16, 9, 32), {req(0, 145, 1)});
  first.step();
  EXPECT_EQ(first.batch_tokens(0), 32);
  EXPECT_TRUE(holds(PropertyId::Schedulable, first.v));
  // 144 tokens (9 blocks) is admitted under full-sequence admission.
  Engine1 fits(vllm("vllm-v1-full-isl", 16, 9, 32), {req(0, 144, 1)});
  fits.step();
  EXPECT_EQ(fits.batch_tokens(0), 32);
}

// V1's watermark (PR #44594) applies only while something is running: 10 usable blocks of 1
// token, watermark 5. An idle engine admits A (prompt 8: 10 - 8 = 2 < 5 left). With the
// every-admission rule A would never be admitted (8 > 10 - 5).
TEST(VllmRules, IdleEngineAdmitsPastTheV1Watermark) {
  auto p = vllm("vllm-v1-first-chunk", 1, 10, 100);
  p.policy.watermark_blocks = 5;
  Engine1 idle(p, {req(0, 8, 2)});
  idle.step();
  EXPECT_EQ(idle.batch_tokens(0), 8);
  p.policy.watermark_only_when_busy = false;
  Engine1 strict(p, {req(0, 8, 2)});
  strict.step();
  EXPECT_TRUE(strict.v.last_step().batch.empty());
  EXPECT_FALSE(holds(PropertyId::Schedulable, strict.v));
}

// Busy engine: A (prompt 2, output 5) runs from step 0 and holds 2 blocks, then 3 after step 1
// decodes. B (prompt 3) arrives at step 1: at its admission free = 10 - 3 = 7, 7 - 3 = 4 < 5:
// not admitted while A runs. Without a watermark it is admitted at step 1.
TEST(VllmRules, BusyEngineKeepsTheV1Watermark) {
  auto p = vllm("vllm-v1-first-chunk", 1, 10, 100);
  p.policy.watermark_blocks = 5;
  Engine1 busy(p, {req(0, 2, 5), req(1, 3, 1)});
  busy.step();
  busy.step();
  EXPECT_EQ(busy.batch_tokens(0), 1);
  EXPECT_EQ(busy.batch_tokens(1), 0);
  p.policy.watermark_blocks = 0;
  Engine1 none(p, {req(0, 2, 5), req(1, 3, 1)});
  none.step();
  none.step();
  EXPECT_EQ(none.batch_tokens(1), 3);
}

// Recompute keeps the output (scheduler.py _preempt_request: num_computed_tokens = 0, the
// output stays): 3 blocks of 1 token, A and B (prompt 1, output 3) at step 0.
//   step 0: A and B prefill 1 token each, sample their first token (2 blocks).
//   step 1: A decodes (2 blocks); B cannot grow (4 > 3): B, the newest, is preempted with 1
//           output token kept. No admission in a step that preempted.
//   step 2: A decodes its 3rd token (3 blocks) and completes; B does not fit (0 free).
//   step 3: B is admitted and recomputes prompt + output so far = 2 tokens, samples token 2.
//   step 4: B decodes token 3 and completes.
// With the papers' restart B recomputes its prompt only (1 token) at step 3 and completes at 5.
TEST(VllmRules, RecomputeKeepsTheSampledOutput) {
  Engine1 keep(vllm("vllm-v1-first-chunk", 1, 3, 100), {req(0, 1, 3), req(0, 1, 3)});
  keep.p.engine.chunked_prefill = false;
  for (int i = 0; i < 2; ++i) keep.step();
  EXPECT_EQ(keep.v.last_step().preempted, std::vector<std::int32_t>{1});
  EXPECT_EQ(keep.v.state(1).generated, 1);
  keep.step();
  EXPECT_EQ(keep.v.last_step().completed, std::vector<std::int32_t>{0});
  keep.step();
  EXPECT_EQ(keep.batch_tokens(1), 2);
  EXPECT_EQ(keep.v.state(1).generated, 2);
  EXPECT_EQ(keep.v.last_step().prefill_tokens, 2);  // a prefill of prompt + output so far
  EXPECT_EQ(keep.v.last_step().decode_tokens, 0);
  keep.step();
  EXPECT_EQ(keep.v.last_step().completed, std::vector<std::int32_t>{1});
  EXPECT_EQ(keep.v.last_step().decode_tokens, 1);

  auto restart = vllm("vllm-v1-first-chunk", 1, 3, 100);
  restart.engine.recompute_keeps_output = false;
  Engine1 lose(restart, {req(0, 1, 3), req(0, 1, 3)});
  for (int i = 0; i < 4; ++i) lose.step();
  EXPECT_EQ(lose.batch_tokens(1), 1);
  EXPECT_EQ(lose.v.state(1).generated, 1);
}

// long_prefill_token_threshold caps every prefill chunk: prompt 10, threshold 3, budget 100.
TEST(VllmRules, LongPrefillThresholdCapsChunks) {
  auto p = vllm("vllm-v1-first-chunk", 1, 100, 100);
  p.engine.long_prefill_token_threshold = 3;
  Engine1 r(p, {req(0, 10, 1)});
  const std::int64_t expect[] = {3, 3, 3, 1};
  for (auto n : expect) {
    r.step();
    EXPECT_EQ(r.batch_tokens(0), n);
  }
}

// vLLM rejects only requests longer than max_model_len; one that the pool cannot hold waits.
TEST(VllmRules, RejectsByMaxModelLenOnly) {
  auto p = vllm("vllm-v1-full-isl", 1, 8, 100);
  p.engine.max_model_len = 9;
  Engine1 r(p, {req(0, 7, 3), req(0, 6, 3)});  // 10 > 9: rejected; 9 <= 9: waits, peak 8 fits
  r.step();
  EXPECT_EQ(r.v.state(0).status, Status::Rejected);
  EXPECT_NE(r.v.state(1).status, Status::Rejected);
  auto papers = p;
  papers.engine.reject_unservable = true;
  papers.engine.max_model_len = kUnlimited;
  Engine1 q(papers, {req(0, 8, 3)});  // peak 10 > 8: the papers' engine rejects it
  q.step();
  EXPECT_EQ(q.v.state(0).status, Status::Rejected);
}

// The null-block window under first-chunk admission: vLLM reports 5 blocks of 4 tokens (4
// usable = 16 tokens); max_model_len 20 passes the start-up check (5 blocks). A request of
// prompt 14, output 4 (18 <= 20) peaks at 17 tokens = 5 blocks. Budget 8, chunked:
//   s0: admitted, 8 tokens;  s1: 6 tokens, samples token 1 (14 computed, 4 blocks);
//   s2, s3: decode (15, 16 computed; tokens 2, 3);  s4: needs a 5th block: preempts itself,
//   keeps its 3 tokens;  s5: re-admitted on a first chunk of 8 (of 17 known tokens);
//   s6: 8 more (16 computed, 3 tokens, 4 blocks: the state after s3 again);  s7: needs the 5th
//   block again: preempts itself. The state after s3 recurs after s6: a livelock of period 3
//   (s4: nothing, s5 and s6: 8 tokens each), 16 tokens lost per turn.
// Under full-sequence admission the request is never re-admitted after s4 (17 tokens need 5
// blocks): `schedulable` fails at step 4 and the run, doing no work, is not a livelock.
TEST(VllmRules, NullBlockWindowThrashesUnderFirstChunk) {
  auto p = vllm("vllm-v1-first-chunk", 4, 4, 8);
  p.engine.max_model_len = 20;
  Workload w{{req(0, 14, 4)}, ArrivalClock::Steps};
  TimeModel t;
  SeededChoices ch(1);
  SimOptions o;
  o.properties = {PropertyId::KvNoOverflow};
  o.max_idle_steps = 50;
  const auto out = simulate(p, t, w, ch, o);
  ASSERT_TRUE(out.livelock.has_value());
  EXPECT_EQ(out.livelock->period, 3);
  EXPECT_GE(out.livelock->from, 3);
  EXPECT_EQ(out.livelock->preempted, std::vector<std::int32_t>{0});
  EXPECT_EQ(out.livelock->batch_tokens, 16);
  EXPECT_EQ(to_exit_code(out.verdict()), ExitCode::LivenessViolation);

  auto f = vllm("vllm-v1-full-isl", 4, 4, 8);
  f.engine.max_model_len = 20;
  SeededChoices ch2(1);
  o.properties = {PropertyId::Schedulable};
  const auto full = simulate(f, t, w, ch2, o);
  EXPECT_FALSE(full.livelock.has_value());
  ASSERT_EQ(full.violations.size(), 1u);
  EXPECT_EQ(full.violations[0].id, PropertyId::Schedulable);
  EXPECT_EQ(full.violations[0].step, 4);
  EXPECT_EQ(to_exit_code(full.verdict()), ExitCode::LivenessViolation);
}

// The same thrash under a closed loop of one (vllm bench serve --max-concurrency 1): two more
// requests are due at step 0 but can never enter while the first never completes, so the
// recurrence is still a livelock (period 3, as above).
TEST(VllmRules, ClosedLoopThrashIsALivelockThoughRequestsArePending) {
  auto p = vllm("vllm-v1-first-chunk", 4, 4, 8);
  p.engine.max_model_len = 20;
  Workload w{{req(0, 14, 4), req(0, 2, 2), req(0, 2, 2)}, ArrivalClock::Steps};
  w.max_concurrency = 1;
  TimeModel t;
  SeededChoices ch(1);
  SimOptions o;
  o.properties = {PropertyId::KvNoOverflow};
  o.max_idle_steps = 50;
  const auto out = simulate(p, t, w, ch, o);
  ASSERT_TRUE(out.livelock.has_value());
  EXPECT_EQ(out.livelock->period, 3);
  EXPECT_EQ(out.not_arrived, 2);
}

}  // namespace
}  // namespace kvcheck
