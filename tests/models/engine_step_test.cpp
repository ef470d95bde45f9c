// The engine step's overflow fallback on hand-computed schedules (issue 19): when a plan
// reserves more blocks than the pool holds, the engine evicts the most recently admitted
// running requests (recompute) until it fits (docs/architecture.md, "The engine model"; Dong &
// Cao's LIFO repair). Also vLLM's running loop (LIFO preemption, the token budget) and
// admission (watermark, max_num_seqs), P2 WAIT's per-type stages and idle ticks, vanilla vLLM's
// prefill-first batches, and ConcreteView's bulk-stepping support. Each schedule is written out
// step by step; nothing is read back from the code to build an expectation.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "models/policies/building_blocks.h"
#include "models/time_model.h"
#include "models/view.h"

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

// ---- vLLM's running loop and admission (building_blocks.h), step by step -------------------

using Batch = std::vector<std::pair<std::int32_t, std::int64_t>>;
using Refs = std::vector<std::int32_t>;

ModelParams vllm(std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = blocks;
  return p;
}

// LIFO recompute preemption, newest first, and no admission in a step that preempted. Pool of 6
// blocks (block_size 1, lookahead 0); A, B, C (prompt 2, output 5) at step 0.
//   step 0: admit A (6 - 2 = 4 free), B (2), C (0 >= watermark 0: admitted). Each gen 1.
//   step 1: A needs 1 block, 0 free: preempt the newest, C (2 free); A grows (1 free); B needs
//           1, 1 free: grows (0 free). C is past the cut: not served. Batch A 1, B 1.
//           C re-queued (waiting [C]).
//   step 2: A needs 1, 0 free: preempt B (3 free), A grows (2 free). C at the queue head would
//           fit (2 - 2 = 0 >= 0) but a step that preempted admits nobody. B re-queued at the
//           front: waiting [B, C].
//   step 3: A grows (1 free). B needs 2 > 1: head-of-line, C waits behind it.
//   step 4: A grows (0 free), gen 5 = output: done, its 6 blocks freed. B: 0 - 2 < 0: waits.
//   step 5: B (6 - 2 = 4) and C (2) admitted, in queue order.
TEST(ServeRunningLifo, PreemptsTheNewestFirstAndAdmitsNobodyThatStep) {
  const auto p = vllm(6);
  Workload w;
  w.requests = {req(0, 2, 5), req(0, 2, 5), req(0, 2, 5)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);  // step 0
  EXPECT_EQ(v.last_step().admitted, (Refs{0, 1, 2}));
  EXPECT_EQ(v.last_step().used_blocks, 6);

  engine_step(v);  // step 1
  EXPECT_EQ(v.last_step().preempted, Refs{2});
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}, {1, 1}}));
  EXPECT_EQ(v.last_step().used_blocks, 6);
  EXPECT_EQ(v.state(2).status, Status::Waiting);
  EXPECT_EQ(v.state(2).wasted_tokens, 2);
  EXPECT_EQ(v.waiting(), (std::deque<std::int32_t>{2}));

  engine_step(v);  // step 2
  EXPECT_EQ(v.last_step().preempted, Refs{1});
  EXPECT_TRUE(v.last_step().admitted.empty());
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}}));
  EXPECT_EQ(v.last_step().used_blocks, 4);
  EXPECT_EQ(v.waiting(), (std::deque<std::int32_t>{1, 2}));

  engine_step(v);  // step 3
  EXPECT_TRUE(v.last_step().preempted.empty());
  EXPECT_TRUE(v.last_step().admitted.empty());
  EXPECT_EQ(v.last_step().used_blocks, 5);

  engine_step(v);  // step 4
  EXPECT_EQ(v.last_step().completed, Refs{0});
  EXPECT_TRUE(v.last_step().admitted.empty());
  EXPECT_EQ(v.state(0).preemptions, 0);

  engine_step(v);  // step 5
  EXPECT_EQ(v.last_step().admitted, (Refs{1, 2}));
  EXPECT_EQ(v.last_step().batch, (Batch{{1, 2}, {2, 2}}));
  EXPECT_EQ(v.state(1).preemptions, 1);
  EXPECT_EQ(v.state(2).preemptions, 1);
}

// The same run with admit_after_preempt: at step 2 C (queue head, 2 - 2 = 0 >= 0 free after A
// grew) is admitted in the step that preempted B.
TEST(ServeRunningLifo, AdmitAfterPreemptAdmitsInThePreemptingStep) {
  auto p = vllm(6);
  p.policy.admit_after_preempt = true;
  Workload w;
  w.requests = {req(0, 2, 5), req(0, 2, 5), req(0, 2, 5)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  engine_step(v);
  engine_step(v);  // step 2
  EXPECT_EQ(v.last_step().preempted, Refs{1});
  EXPECT_EQ(v.last_step().admitted, Refs{2});
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}, {2, 2}}));
  EXPECT_EQ(v.last_step().used_blocks, 6);
}

// A request that cannot grow and has nobody newer to preempt preempts itself. Pool of 5, A and
// B (prompt 2, output 4) at step 0:
//   step 0: A (3 free), B (1 free) admitted.
//   step 1: A grows (0 free); B needs 1, 0 free, nobody after it: B preempts itself.
//   step 2: A grows (1 free); B needs 2: waits.    step 3: A grows (0 free), done.
//   step 4: B admitted (5 - 2 = 3).
TEST(ServeRunningLifo, TheNewestPreemptsItselfWhenNobodyIsLeftBehindIt) {
  const auto p = vllm(5);
  Workload w;
  w.requests = {req(0, 2, 4), req(0, 2, 4)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, (Refs{0, 1}));
  engine_step(v);  // step 1
  EXPECT_EQ(v.last_step().preempted, Refs{1});
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}}));
  EXPECT_EQ(v.last_step().used_blocks, 3);
  engine_step(v);  // step 2
  EXPECT_TRUE(v.last_step().admitted.empty());
  engine_step(v);  // step 3
  EXPECT_EQ(v.last_step().completed, Refs{0});
  EXPECT_TRUE(v.last_step().admitted.empty());
  engine_step(v);  // step 4
  EXPECT_EQ(v.last_step().admitted, Refs{1});
  EXPECT_EQ(v.state(0).preemptions, 0);
  EXPECT_EQ(v.state(1).preemptions, 1);
}

// The running loop serves while the token budget lasts, whatever the state (the symbolic
// backends reach states the engine does not). Three decoding residents (computed 3, gen 2,
// 3 blocks each) on a pool of 100, token budget 2: the two oldest get one token each, which
// spends the budget; the third gets nothing. Nothing is preempted.
TEST(ServeRunningLifo, StopsWhenTheTokenBudgetIsSpent) {
  const auto p = vllm(100);
  Workload w;
  w.requests = {req(0, 2, 10), req(0, 2, 10), req(0, 2, 10)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  std::vector<RequestState> residents(3);
  for (std::size_t i = 0; i < 3; ++i) {
    auto& s = residents[i];
    s.computed = 3;
    s.generated = 2;
    s.blocks = 3;
    s.tokens = 3;
    s.status = Status::Running;
    s.admit_seq = static_cast<std::int64_t>(i) + 1;
  }
  const std::vector<std::int32_t> running = {0, 1, 2};
  v.restore(residents, {}, running);
  PolicyView<ConcreteView> pv(v);
  std::int64_t budget = 2;
  EXPECT_FALSE(blocks::serve_running_lifo(pv, budget));
  EXPECT_EQ(budget, 0);
  EXPECT_EQ(v.sched(0), 1);
  EXPECT_EQ(v.sched(1), 1);
  EXPECT_EQ(v.sched(2), 0);
  EXPECT_EQ(v.held_blocks(0), 4);
  EXPECT_EQ(v.held_blocks(2), 3);
  EXPECT_EQ(v.free_blocks(), 100 - 4 - 4 - 3);
}

// Admission keeps `watermark_blocks` free, the boundary included. Watermark 2, pool 6; A, B
// (prompt 2), C (prompt 1), all output 2, at step 0:
//   step 0: A: 6 - 2 = 4 >= 2 admitted; B: 4 - 2 = 2 >= 2 admitted (exactly the watermark);
//           C: 2 - 1 = 1 < 2 waits.
//   step 1: A, B decode (0 free) and finish; C: 0 - 1 < 2 waits.
//   step 2: C: 6 - 1 = 5 >= 2 admitted.
TEST(AdmitFcfs, KeepsTheWatermarkFreeBoundaryIncluded) {
  auto p = vllm(6);
  p.policy.watermark_blocks = 2;
  Workload w;
  w.requests = {req(0, 2, 2), req(0, 2, 2), req(0, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, (Refs{0, 1}));
  EXPECT_EQ(v.last_step().used_blocks, 4);
  engine_step(v);
  EXPECT_TRUE(v.last_step().admitted.empty());
  EXPECT_EQ(v.last_step().completed, (Refs{0, 1}));
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, Refs{2});
}

// max_num_seqs caps the running set, counting the requests admitted in the same step. Cap 2,
// pool 100; A (step 0, output 3), B and C (step 1, output 2), all prompt 1:
//   step 0: A admitted (1 running).   step 1: B admitted (2 running); C waits (2 < 2 fails).
//   step 2: A finishes (gen 3) but counts while the plan is made: C still waits.
//   step 3: B finished at step 2, A at step 2: C admitted.
// Then cap 3 with four requests at step 0: the first three are admitted.
TEST(AdmitFcfs, MaxNumSeqsCountsRunningAndJustAdmitted) {
  auto p = vllm(100);
  p.engine.max_num_seqs = 2;
  Workload w;
  w.requests = {req(0, 1, 3), req(1, 1, 2), req(1, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const std::vector<Refs> admitted = {{0}, {1}, {}, {2}};
  for (std::size_t s = 0; s < admitted.size(); ++s) {
    engine_step(v);
    EXPECT_EQ(v.last_step().admitted, admitted[s]) << "step " << s;
  }
  EXPECT_EQ(v.state(0).finish_step, 2);
  EXPECT_EQ(v.state(1).finish_step, 2);

  // Cap 3, three at step 0: each admission counts one (0, 1, 2 running before each): all three.
  p.engine.max_num_seqs = 3;
  Workload w3;
  w3.requests = {req(0, 1, 2), req(0, 1, 2), req(0, 1, 2), req(0, 1, 2)};
  ConcreteView v3(p, w3, t, ch);
  engine_step(v3);
  EXPECT_EQ(v3.last_step().admitted, (Refs{0, 1, 2}));
}

// With chunked prefill a waiting request is admitted whenever any token of the budget is left,
// with a chunk of what is left. Budget 2 tokens, pool 100; A (prompt 1, output 4) at step 0,
// B (prompt 3, output 2) at step 1:
//   step 0: A admitted, prefill 1 token.
//   step 1: A decodes 1 token, 1 token of budget left: B admitted with a 1-token chunk.
//   step 2: A decodes 1, B's next chunk is the 1 token left (computed 1 -> 2).
TEST(AdmitFcfs, ChunkedPrefillAdmitsWithOneTokenOfBudgetLeft) {
  auto p = vllm(100);
  p.engine.chunked_prefill = true;
  p.engine.max_batched_tokens = 2;
  Workload w;
  w.requests = {req(0, 1, 4), req(1, 3, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, Refs{0});
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, Refs{1});
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}, {1, 1}}));
  engine_step(v);
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}, {1, 1}}));
  EXPECT_EQ(v.state(1).computed, 2);
}

// ---- P4 vanilla vLLM (batch_composition.h prefill_pending) ----------------------------------

// While a prefill is pending (anyone waiting, or a running request mid-prompt) the batch is
// prefill-only; otherwise decode-only. b_max, k_max unlimited, pool 100. A (prompt 2, output 3)
// at step 0, B (prompt 1, output 2) at step 1:
//   step 0: A waits: prefill A (2 tokens). A gen 1.
//   step 1: B waits: prefill-only batch, B (1 token); A, decoding, is not served.
//   step 2: nobody waits or is mid-prompt: decode-only, A and B (B gen 2 = done).
//   step 3: decode A (gen 3 = done).
TEST(VanillaVllmByHand, APendingPrefillPausesTheDecoders) {
  ModelParams p;
  p.policy.kind = PolicyKind::VanillaVllm;
  p.engine.num_blocks = 100;
  Workload w;
  w.requests = {req(0, 2, 3), req(1, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const std::vector<Batch> batches = {{{0, 2}}, {{1, 1}}, {{0, 1}, {1, 1}}, {{0, 1}}};
  for (std::size_t s = 0; s < batches.size(); ++s) {
    engine_step(v);
    EXPECT_EQ(v.last_step().batch, batches[s]) << "step " << s;
  }
  EXPECT_EQ(v.state(1).finish_step, 2);
  EXPECT_EQ(v.state(0).finish_step, 3);
}

// ---- P2 WAIT with two types (p2_wait.h's per-class stage counters) --------------------------

// Two types with separate stage counters: type 0 and type 1, both (1, 3) with threshold 1.
// Stage s of type 0 counts separately from stage s of type 1, so both advance together.
// A (type 0), B (type 1) at step 0; C (0), D (1) at step 1; E (0), F (1) at step 2:
//   step 0: both types eligible (1 waiting each): A, B prefill.        Batch A, B.
//   step 1: eligible again: A (type 0, stage 1) and B (type 1, stage 1), one each, both
//           advance; C, D prefill.                                      Batch A, B, C, D.
//   step 2: A, B (stage 2) finish; C, D (stage 1) advance; E, F prefill. Batch of 6.
TEST(P2WaitByHand, EachTypeHasItsOwnStageCounters) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 100;
  p.classes = {{"t0", 1, 3, 1.0, 0, 1}, {"t1", 1, 3, 1.0, 0, 1}};
  Workload w;
  for (std::int64_t s = 0; s < 3; ++s)
    for (std::int64_t k = 0; k < 2; ++k) {
      auto r = req(s, 1, 3);
      r.klass = k;
      w.requests.push_back(r);
    }
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const std::vector<Batch> batches = {
      {{0, 1}, {1, 1}},
      {{0, 1}, {1, 1}, {2, 1}, {3, 1}},
      {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}};
  for (std::size_t s = 0; s < batches.size(); ++s) {
    engine_step(v);
    EXPECT_EQ(v.last_step().batch, batches[s]) << "step " << s;
  }
  EXPECT_EQ(v.last_step().completed, (Refs{0, 1}));
}

// WAIT advances at most n_j residents per stage (Ao et al. Alg. 1: min(n_j, #at stage s)),
// oldest first. One type (1, 5) with threshold 2; restored by hand: A, B, C running at stage 1
// (prompt done, one token out; 1 block each), D, E waiting (2 >= 2: the type is eligible).
// The step: stage 1 takes A and B (2 = n_j), C waits its turn; stage 0 prefills D and E.
TEST(P2WaitByHand, AtMostThresholdResidentsAdvancePerStage) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 100;
  p.classes = {{"c", 1, 5, 1.0, 0, 2}};
  Workload w;
  for (int i = 0; i < 5; ++i) w.requests.push_back(req(0, 1, 5));
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  std::vector<RequestState> residents(5);
  for (std::size_t i = 0; i < 3; ++i) {
    auto& s = residents[i];
    s.computed = s.generated = s.blocks = s.tokens = 1;
    s.status = Status::Running;
    s.admit_seq = static_cast<std::int64_t>(i) + 1;
  }
  residents[3].status = residents[4].status = Status::Waiting;
  const std::vector<std::int32_t> waiting = {3, 4}, running = {0, 1, 2};
  v.restore(residents, waiting, running);
  engine_step(v);
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}, {1, 1}, {3, 1}, {4, 1}}));
  EXPECT_EQ(v.state(2).generated, 1);  // C did not advance
  EXPECT_EQ(v.state(0).generated, 2);
}

// policy.wait_force_when_idle (issue 16): one type (prompt 1, output 3) with threshold 2 and a
// lone request arriving at step 0. Strict Algorithm 1 never serves it (1 < 2 waiting: the type
// is never eligible): an empty batch every step. Forced, by hand:
//   step 0: nothing eligible, the type has a waiting prompt: prefill it (generated 1);
//   step 1: nothing waits, the resident is past its prefill: stage 1 advances (generated 2);
//   step 2: stage 2 advances (generated 3 = output): it completes.
TEST(P2WaitByHand, ForcedWhenIdleServesALoneRequestStrictNever) {
  for (const bool force : {false, true}) {
    SCOPED_TRACE(force ? "forced" : "strict");
    ModelParams p;
    p.policy.kind = PolicyKind::P2Wait;
    p.policy.wait_force_when_idle = force;
    p.engine.num_blocks = 100;
    p.classes = {{"c", 1, 3, 1.0, 0, 2}};
    Workload w;
    w.requests = {req(0, 1, 3)};
    TimeModel t;
    SeededChoices ch(1);
    ConcreteView v(p, w, t, ch);
    for (int step = 0; step < 3; ++step) {
      engine_step(v);
      EXPECT_EQ(v.last_step().batch.size(), force ? 1U : 0U) << "step " << step;
    }
    EXPECT_EQ(v.state(0).generated, force ? 3 : 0);
    EXPECT_EQ(v.done(), force ? 1 : 0);
  }
}

// Forcing never overrides eligibility: with a type eligible, an ineligible one stays paused
// (types a and b, thresholds 1 and 2; one a and one b waiting: a is eligible, so nothing is
// forced and b waits).
TEST(P2WaitByHand, ForcingOnlyWhenNoTypeIsEligible) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.policy.wait_force_when_idle = true;
  p.engine.num_blocks = 100;
  p.classes = {{"a", 1, 3, 1.0, 0, 1}, {"b", 1, 3, 1.0, 0, 2}};
  Workload w;
  w.requests = {req(0, 1, 3), req(0, 1, 3)};
  w.requests[1].klass = 1;
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, (Refs{0}));
  EXPECT_EQ(v.state(1).status, Status::Waiting);
}

// Algorithm 2 admits the longest fitting PREFIX of the queue (Dong & Cao; models/policies/
// p1_flow_control.h): a head that does not fit blocks the requests behind it, even one that
// would fit. Budget B_t = 2 every slot, pool 3 blocks of 1 token, lookahead 0.
//   step 0: R (prompt 1, output 3: its peak, 3 blocks, fits the pool) arrives and is admitted:
//           1 block.
//   step 1: A (prompt 3) and B (prompt 1) arrive. U = R's next 2 blocks; A needs 3: 2 + 3 > 3,
//           not admitted; B would fit (2 + 1 = 3) but comes after A: not admitted either.
//   The batch of step 1 is R's decode alone. Also U = 2 < 3 = M exactly at the boundary of the
//   repair (no preemption), and with U == M nothing is admitted either (step 2: R holds 3).
TEST(P1FlowControlByHand, AHeadThatDoesNotFitBlocksTheQueue) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1FlowControl;
  p.policy.flow_budget_min = p.policy.flow_budget_max = 2;
  p.engine.num_blocks = 3;
  Workload w;
  w.requests = {req(0, 1, 3), req(1, 3, 1), req(1, 1, 1)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, (Refs{0}));
  engine_step(v);
  EXPECT_EQ(v.last_step().admitted, Refs{});
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}}));
  EXPECT_TRUE(v.last_step().preempted.empty());
  engine_step(v);  // R's last token: 3 blocks = M; nothing fits beside it
  EXPECT_EQ(v.last_step().admitted, Refs{});
  EXPECT_EQ(v.last_step().batch, (Batch{{0, 1}}));
}

// An iteration that runs nothing while requests are present is an idle tick (the unit time
// model: 1 s); one with nobody in the system takes no time. P2 WAIT, one type (1, 2) with
// threshold 2; A at step 1, B at step 2:
//   step 0: nobody arrived: empty system, 0 s (now 0).
//   step 1: A waits alone (1 < 2): not eligible, empty batch, queue not empty: 1 s (now 1).
//   step 2: B arrives, 2 waiting: A and B prefill: 1 s (now 2).
//   step 3: nobody waits: not eligible, A and B paused (running, empty batch): 1 s (now 3).
TEST(P2WaitByHand, EmptyBatchWithRequestsPresentIsAnIdleTick) {
  ModelParams p;
  p.policy.kind = PolicyKind::P2Wait;
  p.engine.num_blocks = 100;
  p.classes = {{"c", 1, 2, 1.0, 0, 2}};
  Workload w;
  w.requests = {req(1, 1, 2), req(2, 1, 2)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  const std::vector<double> now = {0.0, 1.0, 2.0, 3.0};
  const std::vector<std::size_t> batch = {0, 0, 2, 0};
  for (std::size_t s = 0; s < now.size(); ++s) {
    engine_step(v);
    EXPECT_EQ(v.last_step().batch.size(), batch[s]) << "step " << s;
    EXPECT_DOUBLE_EQ(v.now(), now[s]) << "step " << s;
  }
  EXPECT_EQ(v.count_running(), 2);
}

// ---- ConcreteView's bulk-stepping support ---------------------------------------------------

// next_arrival_time / next_arrival_step: the next pending arrival, negative once all arrived.
// The workload vector keeps a stale element past its end (capacity 4, a popped 4th request
// at step 9), which a read past the end would return.
TEST(ConcreteViewByHand, NextArrivalIsNegativeOnceAllArrived) {
  const auto p = vllm(100);
  Workload w;
  w.clock = ArrivalClock::Timed;
  w.requests.reserve(4);
  for (std::int64_t s : {0, 2, 2, 9}) {
    auto r = req(s, 1, 1);
    r.arrival_time = static_cast<double>(s);
    w.requests.push_back(r);
  }
  w.requests.pop_back();
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  EXPECT_DOUBLE_EQ(v.next_arrival_time(), 0.0);
  EXPECT_EQ(v.next_arrival_step(), 0);
  engine_step(v);  // t = 0: A arrives, runs 1 s and finishes
  EXPECT_DOUBLE_EQ(v.next_arrival_time(), 2.0);
  EXPECT_EQ(v.next_arrival_step(), 2);
  engine_step(v);  // t = 1: empty system, 0 s
  v.skip_idle();   // to t = 2
  EXPECT_DOUBLE_EQ(v.now(), 2.0);
  engine_step(v);  // both arrive
  EXPECT_EQ(v.arrived(), 3);
  EXPECT_LT(v.next_arrival_time(), 0.0);
  EXPECT_LT(v.next_arrival_step(), 0);
}

// apply_steady_run(n, ...) leaves what n steady iterations leave. vLLM, block_size 4,
// lookahead 1, pool 100; A (prompt 3), B (prompt 2), output 10, at step 0; unit time:
//   step 0: A 3 tokens -> reserves 3 + 1 = 4 tokens = 1 block; B 2 + 1 = 3 tokens = 1 block.
//   step 1: decode: A 3 + 1 + 1 = 5 tokens = 2 blocks; B 4 tokens = 1 block. Used 3 blocks,
//           9 tokens; A computed 4, gen 2; B computed 3, gen 2; step() 2, now 2.
//   apply_steady_run(3, end 5, last start 4, last duration 1): iterations 2, 3, 4.
//     A computed 7, gen 5, 8 tokens = 2 blocks; B computed 6, gen 5, 7 tokens = 2 blocks.
//     Used 4 blocks, 15 tokens. The record is iteration 4's: one decode token each, KV
//     tokens 7 + 6 = 13, started at 4 for 1 s. step() 5, now 5.
TEST(ConcreteViewByHand, ApplySteadyRunLeavesNIterationsOfDecoding) {
  auto p = vllm(100);
  p.engine.block_size = 4;
  p.engine.lookahead = 1;
  Workload w;
  w.requests = {req(0, 3, 10), req(0, 2, 10)};
  TimeModel t;
  SeededChoices ch(1);
  ConcreteView v(p, w, t, ch);
  engine_step(v);
  engine_step(v);
  ASSERT_EQ(v.used_blocks(), 3);
  ASSERT_EQ(v.used_tokens(), 9);
  ASSERT_EQ(v.step(), 2);
  v.apply_steady_run(3, 5.0, 4.0, 1.0);
  const auto& r = v.last_step();
  EXPECT_EQ(r.step, 4);
  EXPECT_DOUBLE_EQ(r.start_time, 4.0);
  EXPECT_DOUBLE_EQ(r.duration, 1.0);
  EXPECT_EQ(r.batch, (Batch{{0, 1}, {1, 1}}));
  EXPECT_EQ(r.prefill_tokens, 0);
  EXPECT_EQ(r.decode_tokens, 2);
  EXPECT_EQ(r.kv_tokens, 13);
  EXPECT_EQ(r.demand_blocks, 4);
  EXPECT_EQ(r.used_blocks, 4);
  EXPECT_EQ(r.used_tokens, 15);
  EXPECT_TRUE(r.admitted.empty());
  EXPECT_EQ(r.waiting_after, 0);
  EXPECT_EQ(r.running_after, 2);
  EXPECT_EQ(r.done_after, 0);
  EXPECT_EQ(v.state(0).computed, 7);
  EXPECT_EQ(v.state(0).generated, 5);
  EXPECT_EQ(v.state(0).blocks, 2);
  EXPECT_EQ(v.state(0).tokens, 8);
  EXPECT_EQ(v.state(1).computed, 6);
  EXPECT_EQ(v.state(1).generated, 5);
  EXPECT_EQ(v.state(1).blocks, 2);
  EXPECT_EQ(v.state(1).tokens, 7);
  EXPECT_EQ(v.used_blocks(), 4);
  EXPECT_EQ(v.used_tokens(), 15);
  EXPECT_EQ(v.step(), 5);
  EXPECT_DOUBLE_EQ(v.now(), 5.0);
}

}  // namespace
}  // namespace kvcheck
