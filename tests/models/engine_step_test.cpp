// The engine step's overflow fallback on hand-computed schedules (issue 19): when a plan
// reserves more blocks than the pool holds, the engine evicts the most recently admitted
// running requests (recompute) until it fits (docs/architecture.md, "The engine model"; Dong &
// Cao's LIFO repair). Each schedule is written out step by step; nothing is read back from the
// code to build an expectation.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "models/time_model.h"

namespace kvcheck {
namespace {

Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output) {
  Request r;
  r.arrival_step = arrival;
  r.prompt = prompt;
  r.output = output;
  return r;
}

/// Dong & Cao Algorithm 1 (no memory check) with one class of budget 10, block_size 1,
/// lookahead 0, on a pool of `blocks`.
ModelParams alg1(std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = blocks;
  p.classes = {{"c", 1, 1, 1.0, 10}};
  return p;
}

// Pool of 5 blocks. A (ref 0): step 0, prompt 3, output 3. B (ref 1): step 1, prompt 2, output 3.
//   step 0: A prefill 3 -> 3 blocks. A gen 1.
//   step 1: A decode (3 + 1 = 4 blocks) + B admitted, prefill 2 (2 blocks) = 6 > 5: overflow.
//           The newest admitted (B) is evicted: 4 <= 5, A keeps running. A gen 2, B waiting.
//   step 2: A decode (5 blocks) + B prefill 2 = 7 > 5: overflow, B evicted again. A gen 3, done.
//   step 3: B prefill 2 (2 blocks). step 4: 3 blocks. step 5: 4 blocks, B gen 3, done.
// Evicting the oldest instead would evict A at step 1 (freeing 4) and run B.
TEST(OverflowEviction, EvictsTheNewestAdmittedFirst) {
  const auto p = alg1(5);
  Workload w;
  w.requests = {req(0, 3, 3), req(1, 2, 3)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);

  engine_step(v);  // step 0
  EXPECT_FALSE(v.last_step().overflow);
  EXPECT_EQ(v.last_step().used_blocks, 3);
  EXPECT_EQ(v.state(0).generated, 1);

  engine_step(v);  // step 1
  EXPECT_TRUE(v.last_step().overflow);
  EXPECT_EQ(v.last_step().demand_blocks, 6);
  EXPECT_EQ(v.last_step().evicted, std::vector<std::int32_t>{1});
  EXPECT_EQ(v.last_step().used_blocks, 4);
  EXPECT_EQ(v.state(0).evictions, 0);
  EXPECT_EQ(v.state(0).generated, 2);
  EXPECT_EQ(v.state(0).status, Status::Running);
  EXPECT_EQ(v.state(1).evictions, 1);
  EXPECT_EQ(v.state(1).status, Status::Waiting);
  EXPECT_EQ(v.state(1).generated, 0);
  EXPECT_EQ(v.state(1).blocks, 0);

  engine_step(v);  // step 2
  EXPECT_TRUE(v.last_step().overflow);
  EXPECT_EQ(v.last_step().evicted, std::vector<std::int32_t>{1});
  EXPECT_EQ(v.state(0).status, Status::Done);
  EXPECT_EQ(v.state(0).finish_step, 2);
  EXPECT_EQ(v.state(1).evictions, 2);

  const std::vector<std::int64_t> blocks = {2, 3, 4};
  for (int s = 3; s <= 5; ++s) {
    engine_step(v);
    EXPECT_FALSE(v.last_step().overflow) << s;
    EXPECT_EQ(v.last_step().used_blocks, blocks[static_cast<std::size_t>(s - 3)]) << s;
  }
  EXPECT_EQ(v.state(1).status, Status::Done);
  EXPECT_EQ(v.state(1).finish_step, 5);
}

// Three running requests and an overflow that needs two evictions: they go newest first, and
// the oldest survives. Pool of 6 blocks, A, B, C (prompt 2, output 4) all at step 0:
//   step 0: prefills 2 + 2 + 2 = 6 blocks (fits). Each gen 1.
//   step 1: decodes 3 + 3 + 3 = 9 > 6: evict C (6), still > 6? 9 - 3 = 6 <= 6: stop.
// so only C goes; then
//   step 2: A 4 + B 4 = 8 > 6 and C re-admitted (prefill 2) = 10: evict C (8 > 6), then B (4).
TEST(OverflowEviction, SeveralEvictionsGoNewestFirst) {
  const auto p = alg1(6);
  Workload w;
  w.requests = {req(0, 2, 4), req(0, 2, 4), req(0, 2, 4)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_FALSE(v.last_step().overflow);
  EXPECT_EQ(v.last_step().used_blocks, 6);
  engine_step(v);
  EXPECT_TRUE(v.last_step().overflow);
  EXPECT_EQ(v.last_step().evicted, std::vector<std::int32_t>{2});
  EXPECT_EQ(v.last_step().used_blocks, 6);
  engine_step(v);
  EXPECT_TRUE(v.last_step().overflow);
  EXPECT_EQ(v.last_step().demand_blocks, 10);
  EXPECT_EQ(v.last_step().evicted, (std::vector<std::int32_t>{2, 1}));
  EXPECT_EQ(v.last_step().used_blocks, 4);
  EXPECT_EQ(v.state(0).evictions, 0);
  EXPECT_EQ(v.state(0).generated, 3);
}

// vLLM FCFS admission under the token budget (building_blocks.h admit_fcfs), by hand. Pool of
// 100 blocks, so memory never binds.
//  chunked prefill, 4 tokens per step: A (prompt 4) takes the whole budget at step 0; B (prompt
//  3) finds 0 tokens left and waits (admitting it with a 0-token chunk would be wrong). Step 1:
//  A decodes 1, B gets the 3 left.
TEST(TokenBudget, ChunkedPrefillAdmitsOnlyWhileTokensRemain) {
  ModelParams p;
  p.engine.num_blocks = 100;
  p.engine.chunked_prefill = true;
  p.engine.max_batched_tokens = 4;
  Workload w;
  w.requests = {req(0, 4, 2), req(0, 3, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, std::vector<std::int32_t>{0});
  EXPECT_EQ(v.last_step().batch, (std::vector<std::pair<std::int32_t, std::int64_t>>{{0, 4}}));
  EXPECT_EQ(v.state(1).status, Status::Waiting);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, std::vector<std::int32_t>{1});
  EXPECT_EQ(v.last_step().batch,
            (std::vector<std::pair<std::int32_t, std::int64_t>>{{0, 1}, {1, 3}}));
}

//  whole prompts, 7 tokens per step: A (4) and B (3) fit exactly (4 + 3 = 7); C (1) does not.
TEST(TokenBudget, WholePromptsFitTheBudgetExactly) {
  ModelParams p;
  p.engine.num_blocks = 100;
  p.engine.max_batched_tokens = 7;
  Workload w;
  w.requests = {req(0, 4, 2), req(0, 3, 2), req(0, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(v.state(2).status, Status::Waiting);
}

// Head-of-line blocking (vLLM's waiting loop stops at the first request that does not fit):
// pool 6, A (prompt 3, output 3) at step 0; B (prompt 3) and C (prompt 1) at step 1.
//   step 0: A prefill 3 (3 blocks).
//   step 1: A decode (4 blocks), 2 free: B needs 3 and does not fit, so C (needs 1) waits too.
//   step 2: A decode (5 blocks), its 3rd token: done; 1 free: B still does not fit.
//   step 3: B (3) and C (1) admitted.
TEST(TokenBudget, HeadOfLineRequestThatDoesNotFitBlocksTheQueue) {
  ModelParams p;
  p.engine.num_blocks = 6;
  Workload w;
  w.requests = {req(0, 3, 3), req(1, 3, 2), req(1, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  for (int s = 1; s <= 2; ++s) {
    engine_step(v);
    EXPECT_TRUE(v.last_step().admitted.empty()) << "step " << s;
    EXPECT_EQ(v.state(2).status, Status::Waiting) << "step " << s;
  }
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, (std::vector<std::int32_t>{1, 2}));
}

// SeededChoices is splitmix64 (models/choice_source.h: "the same seed gives the same run on
// every platform"). splitmix64's published first outputs for seed 1234567 are
//   6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431,
//   16408922859458223821;
// pick(.., 0, 2^63 - 1) is that output mod 2^63 (the third and fifth lose their top bit:
// 594119895343594615, 7185550822603448013), and the same seed gives the same sequence again.
TEST(SeededChoicesByHand, IsSplitMix64) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  const std::vector<std::int64_t> expected = {6457827717110365317, 3203168211198807973,
                                              594119895343594615, 4593380528125082431,
                                              7185550822603448013};
  for (int run = 0; run < 2; ++run) {
    SeededChoices c(1234567);
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(c.pick(0, 0, 0, kMax), expected[i]) << "draw " << i << ", run " << run;
  }
  // a narrow range is lo + output mod span: 6457827717110365317 mod 6 = 3 -> 13 in [10, 15]
  SeededChoices narrow(1234567);
  EXPECT_EQ(narrow.pick(0, 0, 10, 15), 13);
}

// Li, Dai, Peng's Sarathi-Serve (p4_policies.h): one decode token per decoding request, then
// prefill chunks FCFS, all inside the token budget b_max. b_max = 2, k_max unlimited, pool of
// 100 blocks (memory never binds). A, B, C (prompt 1, output 3) all arrive at step 0:
//   step 0: nobody decodes; prefill A (1 token), B (1 token): budget 0, C waits. A, B gen 1.
//   step 1: decode A, B (2 tokens, the whole budget): C still waits. A, B gen 2.
//   step 2: decode A, B: both reach 3 = output and finish. C waits.
//   step 3: C's prefill (1 token).
// A decode token counts against b_max like a prefill token: were decodes free, C would be
// admitted at step 1.
TEST(BatchBudget, SarathiDecodeTokensCountAgainstTheTokenBudget) {
  ModelParams p;
  p.policy.kind = PolicyKind::Sarathi;
  p.engine.num_blocks = 100;
  p.engine.max_batched_tokens = 2;
  p.engine.chunked_prefill = true;
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3), req(0, 1, 3)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const std::vector<std::vector<std::int32_t>> admitted = {{0, 1}, {}, {}, {2}};
  for (std::size_t s = 0; s < admitted.size(); ++s) {
    engine_step(v);
    EXPECT_EQ(v.last_step().admitted, admitted[s]) << "step " << s;
  }
  EXPECT_EQ(v.state(0).finish_step, 2);
  EXPECT_EQ(v.state(1).finish_step, 2);
  EXPECT_EQ(v.state(2).generated, 1);
}

// Li, Dai, Peng Eq. 4 (papers.md, P4 Assumption 1): t_b = c + a * ceil(b / b0), b = prefill +
// decode tokens, with the paper's CodeLlama-34B fit c = 11.28 ms, a = 35.47 ms, b0 = 128:
//   b = 1 or 128: 11.28 + 35.47 = 46.75 ms; b = 129 (100 prefill + 29 decode): 11.28 + 2 x
//   35.47 = 82.22 ms; b = 256: 82.22 ms; an empty batch takes 0; an idle tick takes c.
TEST(TimeModelByHand, P4StepIsCPlusACeilBOverB0) {
  TimeModel t;
  t.kind = TimeModelKind::P4Step;
  t.c = 0.01128;
  t.a = 0.03547;
  t.b0 = 128;
  const auto ms = [&](std::int64_t prefill, std::int64_t decode) {
    return 1000.0 * t.duration(BatchShape{prefill, decode, 0, 1});
  };
  EXPECT_NEAR(ms(1, 0), 46.75, 1e-9);
  EXPECT_NEAR(ms(0, 128), 46.75, 1e-9);
  EXPECT_NEAR(ms(100, 29), 82.22, 1e-9);
  EXPECT_NEAR(ms(200, 56), 82.22, 1e-9);
  EXPECT_DOUBLE_EQ(t.duration(BatchShape{}), 0.0);
  EXPECT_NEAR(1000.0 * t.idle(), 11.28, 1e-9);
}

// The request cap k_max binds decodes too. Sarathi, b_max unlimited, k_max = 2, pool of 100
// blocks. A, B, C (prompt 1, output 3) at step 0:
//   step 0: prefill A, B (2 requests, the cap): C waits.   step 1: decode A, B: C waits.
//   step 2: decode A, B: both finish.                      step 3: C's prefill.
TEST(BatchBudget, SarathiDecodesCountAgainstTheRequestCap) {
  ModelParams p;
  p.policy.kind = PolicyKind::Sarathi;
  p.policy.max_batch_seqs = 2;
  p.engine.num_blocks = 100;
  p.engine.chunked_prefill = true;
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3), req(0, 1, 3)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const std::vector<std::vector<std::int32_t>> admitted = {{0, 1}, {}, {}, {2}};
  for (std::size_t s = 0; s < admitted.size(); ++s) {
    engine_step(v);
    EXPECT_EQ(v.last_step().admitted, admitted[s]) << "step " << s;
  }
}

// Ao et al. Algorithm 1 (WAIT): a type is eligible when at least n_j of its prompts wait, and
// only an eligible type advances. One class (1, 2) with threshold n_j = 1; A at step 0, B at
// step 1:
//   step 0: A waits (1 >= 1): eligible; A's prefill, A gen 1.
//   step 1: B waits: eligible; A (stage 1) decodes and finishes (gen 2), B's prefill.
//   step 2: nobody waits: not eligible; B (gen 1) is paused.
TEST(P2WaitByHand, ThresholdOneAdmitsASingleWaitingPrompt) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 100;
  p.classes = {{"c", 1, 2, 1.0, 1}};
  p.classes[0].threshold = 1;
  Workload w;
  w.requests = {req(0, 1, 2), req(1, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, std::vector<std::int32_t>{0});
  EXPECT_EQ(v.state(0).generated, 1);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, std::vector<std::int32_t>{1});
  EXPECT_EQ(v.state(0).status, Status::Done);
  EXPECT_EQ(v.state(0).finish_step, 1);
  engine_step(v);
  EXPECT_EQ(v.state(1).generated, 1);
  EXPECT_EQ(v.state(1).status, Status::Running);
}
}  // namespace
}  // namespace kvcheck
