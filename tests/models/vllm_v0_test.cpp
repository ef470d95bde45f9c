// vLLM V0's default scheduler (`vllm_v0`, issue 16), rule by rule on hand-computed schedules.
// The expected values come from vLLM's V0 source as docs/vllm.md "vLLM V0" cites it
// (vllm/core/scheduler.py `_schedule_default`, `_schedule_prefills`, `_schedule_running`,
// `_preempt`; vllm/core/block_manager.py `can_allocate`, `can_append_slots`;
// vllm/core/block/block_table.py `get_num_blocks_touched_by_append_slots`), worked by hand in
// the comments, never from kvcheck's output.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "io/config.h"
#include "io/input_error.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "properties/predicates.h"
#include "engine_harness.h"

namespace kvcheck {
namespace {

/// A V0 engine: `blocks` blocks of `block_size` tokens, a token budget of 100, `watermark`
/// blocks kept free at every admission; recompute keeps the output (V0's
/// `_preempt_by_recompute`), preempted requests go to the front of waiting, a request whose
/// peak (prompt + output - 1 tokens) exceeds the pool is rejected at arrival (the default).
ModelParams v0(std::int64_t block_size, std::int64_t blocks, std::int64_t watermark) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmV0;
  p.policy.watermark_blocks = watermark;
  p.engine.block_size = block_size;
  p.engine.num_blocks = blocks;
  p.engine.max_batched_tokens = 100;
  p.engine.recompute_keeps_output = true;
  return p;
}

using Engine = test::EngineHarness;
using test::req;

using Ids = std::vector<std::int32_t>;

// No mixing (`_schedule_default`: "Don't schedule decodes if prefills are scheduled"): 100
// blocks of 1 token. A (prompt 4) is prefilled at step 0. B (prompt 4) arrives at step 1 and is
// admitted whole: step 1 is B's prefill alone, A gets no token. Step 2 decodes both.
TEST(VllmV0, AStepWithAPrefillHasNoDecodes) {
  Engine e(v0(1, 100, 0), {req(0, 4, 5), req(1, 4, 5)});
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 4);
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 0);
  EXPECT_EQ(e.batch_tokens(1), 4);
  EXPECT_EQ(e.last().decode_tokens, 0);
  EXPECT_EQ(e.last().prefill_tokens, 4);
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.batch_tokens(1), 1);
  EXPECT_EQ(e.last().prefill_tokens, 0);
}

// Head-of-line blocking at the watermark (`can_allocate`: OK iff free - required >= watermark,
// else LATER, and `_schedule_prefills` breaks at LATER): 10 blocks of 1, watermark 3.
// A (prompt 4, output 6: peak 9 tokens, servable) is admitted at step 0 (10 - 4 = 6 >= 3).
// At step 1, B (prompt 4) finds 6 free: 6 - 4 = 2 < 3, LATER; C (prompt 1) behind it would
// fit (6 - 1 = 5 >= 3) but is not looked at. So step 1 is A's decode alone (A then holds 5 blocks); at step 2 B finds
// 5 - 4 = 1 < 3 and C still waits behind it.
TEST(VllmV0, TheFirstRequestBelowTheWatermarkBlocksTheQueue) {
  Engine e(v0(1, 10, 3), {req(0, 4, 6), req(1, 4, 1), req(1, 1, 1)});
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 4);
  for (int s = 1; s <= 2; ++s) {
    e.step();
    EXPECT_EQ(e.batch_tokens(0), 1) << "step " << s;
    EXPECT_EQ(e.batch_tokens(1), 0) << "step " << s;
    EXPECT_EQ(e.batch_tokens(2), 0) << "step " << s;
    EXPECT_TRUE(e.last().admitted.empty()) << "step " << s;
  }
  EXPECT_EQ(e.v.waiting(), (std::deque<std::int32_t>{1, 2}));
}

// The watermark test is free - required >= watermark, so equality admits: 10 blocks of 1,
// watermark 3, A (prompt 3, output 7) leaves 7 free; B (prompt 4) at step 1: 7 - 4 = 3 >= 3,
// admitted.
TEST(VllmV0, FreeMinusRequiredEqualToTheWatermarkAdmits) {
  Engine e(v0(1, 10, 3), {req(0, 3, 7), req(1, 4, 1)});
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 3);
  e.step();
  EXPECT_EQ(e.batch_tokens(1), 4);
  EXPECT_EQ(e.last().admitted, Ids{1});
}

// LIFO victim, requeued at the front (`_schedule_running`: `victim_seq_group =
// running_queue.pop()`; `_schedule_default`: `self.waiting.extendleft(preempted)`): 6 blocks of
// 1, no watermark. A, B, C (prompt 2, output 5) are admitted at step 0 (6 blocks used).
// D (prompt 1) arrives at step 1: 0 free, LATER. Step 1 decodes: A's 3rd token needs a block,
// none is free: the LAST running request, C, is preempted (output 1 kept); A and B take its 2
// blocks. C goes to the front of waiting, ahead of D. Step 2: C needs prompt + 1 = 3 blocks, 0
// free: LATER. A needs a 4th block: the last running request is now B (C is gone): B is
// preempted and goes to the front: waiting = B, C, D.
TEST(VllmV0, TheLastRunningRequestIsPreemptedAndRequeuedAtTheFront) {
  Engine e(v0(1, 6, 0), {req(0, 2, 5), req(0, 2, 5), req(0, 2, 5), req(1, 1, 1)});
  e.step();
  EXPECT_EQ(e.last().admitted, (Ids{0, 1, 2}));
  e.step();
  EXPECT_EQ(e.last().preempted, Ids{2});
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.batch_tokens(1), 1);
  EXPECT_EQ(e.v.state(2).generated, 1);
  EXPECT_EQ(e.v.waiting(), (std::deque<std::int32_t>{2, 3}));
  e.step();
  EXPECT_EQ(e.last().preempted, Ids{1});
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.v.waiting(), (std::deque<std::int32_t>{1, 2, 3}));
}

// The head preempts itself, and a decode needs a free block even when its token fits in its
// last block (`can_append_slots` via `get_num_blocks_touched_by_append_slots`: 1 + ceil((1 -
// first_chunk_size) / block_size) = 1 for one token; block_manager_v1: "at least one free
// block for each sequence"). 2 blocks of 2 tokens; A (prompt 3, output 2): peak 3 + 2 - 1 = 4
// tokens = 2 blocks, so it is servable. Step 0: A is admitted whole (2 - 2 = 0 >= 0) and
// samples token 1. Step 1: its next token (the 4th) fits in its 2nd block, but 0 blocks are
// free and nobody else runs: A preempts itself (recompute, output kept). Step 2: A needs
// ceil(4 / 2) = 2 blocks, 2 free: admitted, it prefills prompt + output so far = 4 tokens,
// samples token 2 and completes. (V1's allocate_slots would have decoded it at step 1.)
TEST(VllmV0, TheHeadPreemptsItselfWhenNoBlockIsFreeEvenWithinItsLastBlock) {
  Engine e(v0(2, 2, 0), {req(0, 3, 2)});
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 3);
  e.step();
  EXPECT_EQ(e.last().preempted, Ids{0});
  EXPECT_TRUE(e.last().batch.empty());
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 4);
  EXPECT_EQ(e.last().completed, Ids{0});
}

// Two running requests: the head takes the only free block, the second finds none and nobody
// behind it, so it preempts itself while the head keeps running (`_schedule_running`: "No
// other sequence groups can be preempted. Preempt the current sequence group."). 5 blocks of 1,
// A, B (prompt 2, output 4: peak 5 tokens) admitted at step 0 (1 free). Step 1: A decodes (free 0); B needs
// a block: B preempts itself.
TEST(VllmV0, ALaterRunningRequestPreemptsItselfWhenNobodyIsBehindIt) {
  Engine e(v0(1, 5, 0), {req(0, 2, 4), req(0, 2, 4)});
  e.step();
  EXPECT_EQ(e.last().admitted, (Ids{0, 1}));
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.last().preempted, Ids{1});
  EXPECT_EQ(e.batch_tokens(1), 0);
}

// A prompt that `can_allocate` answers NEVER (total - required < watermark): 10 blocks,
// watermark 3, prompt 8: 10 - 8 = 2 < 3. V0 ignores it (FINISHED_IGNORED); kvcheck keeps it at
// the queue head and `schedulable` names it (docs/vllm.md, "not modelled").
TEST(VllmV0, APromptAboveThePoolMinusTheWatermarkIsNeverSchedulable) {
  Engine e(v0(1, 10, 3), {req(0, 8, 1)});
  e.step();
  EXPECT_TRUE(e.last().batch.empty());
  EXPECT_FALSE(holds(PropertyId::Schedulable, e.v));
  Engine ok(v0(1, 10, 3), {req(0, 7, 1)});  // 10 - 7 = 3 >= 3
  ok.step();
  EXPECT_EQ(ok.batch_tokens(0), 7);
}

// The watermark fraction is int(w x num_gpu_blocks) (`BlockSpaceManager.__init__`:
// `self.watermark_blocks = int(watermark * num_gpu_blocks)`), truncated: 0.29 x 10 = 2.9 -> 2,
// 0.1 x 8 = 0.8 -> 0. With 2 blocks, a prompt of 8 on 10 blocks is admitted (10 - 8 = 2 >= 2);
// rounding to 3 would refuse it.
TEST(VllmV0, TheWatermarkFractionIsTruncated) {
  const std::string head = "[engine]\nblock_size = 1\nmax_batched_tokens = 100\n";
  const std::string work =
      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 8, output = 1 }]\n"
      "[check]\nproperties = [\"kv_no_overflow\"]\n";
  const auto c10 = parse_config(head + "num_blocks = 10\n[policy]\nname = \"vllm_v0\"\n"
                                "watermark_fraction = 0.29\n" + work, "v0.toml");
  EXPECT_EQ(c10.model.policy.watermark_blocks, 2);
  EXPECT_EQ(c10.model.policy.kind, PolicyKind::VllmV0);
  const auto c8 = parse_config(head + "num_blocks = 8\n[policy]\nname = \"vllm_v0\"\n"
                               "watermark_fraction = 0.1\n" + work, "v0.toml");
  EXPECT_EQ(c8.model.policy.watermark_blocks, 0);
  auto p = v0(1, 10, c10.model.policy.watermark_blocks);
  Engine e(p, {req(0, 8, 1)});
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 8);
}

// Keys that would change V0's rules are config errors naming the field: chunked prefill
// (_schedule_default schedules whole prompts), a busy-only watermark (can_allocate checks at
// every admission), a lookahead (can_append_slots appends one token).
TEST(VllmV0, KeysThatWouldChangeItsRulesAreRefused) {
  const std::string work =
      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 8, output = 1 }]\n";
  for (const auto& [extra, field] :
       {std::pair<std::string, std::string>{"[engine]\nnum_blocks = 10\nchunked_prefill = true\n"
                                            "[policy]\nname = \"vllm_v0\"\n",
                                            "engine.chunked_prefill"},
        {"[engine]\nnum_blocks = 10\nlookahead = 1\n[policy]\nname = \"vllm_v0\"\n",
         "engine.lookahead"},
        {"[engine]\nnum_blocks = 10\n[policy]\nname = \"vllm_v0\"\n"
         "watermark_only_when_busy = true\n",
         "policy.watermark_only_when_busy"}}) {
    try {
      (void)parse_config(extra + work, "v0.toml");
      ADD_FAILURE() << "accepted: " << extra;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
}

// The shipped unsafe twin's schedule (configs/vllm_v0_unsafe.toml, by hand in its header):
// 8 blocks of 4, no watermark; A, B at 0, C at 1, D at 2, all (8, 6). Steps 0-2 are prefill
// steps (A+B, C, D); at step 3 A's 9th token needs a 3rd block, none is free: D (last) is
// preempted, A and B take its 2 blocks, C finds none and preempts itself.
TEST(VllmV0, TheUnsafeTwinPreemptsTheLastThenTheRequestItself) {
  auto p = v0(4, 8, 0);
  p.engine.max_batched_tokens = 64;
  Engine e(p, {req(0, 8, 6), req(0, 8, 6), req(1, 8, 6), req(2, 8, 6)});
  e.step();
  EXPECT_EQ(e.last().admitted, (Ids{0, 1}));
  e.step();
  EXPECT_EQ(e.last().admitted, Ids{2});
  EXPECT_EQ(e.batch_tokens(0), 0);
  e.step();
  EXPECT_EQ(e.last().admitted, Ids{3});
  e.step();
  EXPECT_EQ(e.last().preempted, (Ids{3, 2}));
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.batch_tokens(1), 1);
  EXPECT_EQ(e.v.waiting(), (std::deque<std::int32_t>{2, 3}));
}

}  // namespace
}  // namespace kvcheck
