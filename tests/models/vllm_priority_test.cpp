// vLLM V1's PRIORITY policy (`vllm_priority`, models/policies/vllm_priority.h) on hand-computed
// schedules. The expected values come from vLLM's `Scheduler.schedule` and
// `PriorityRequestQueue` as docs/vllm.md rows 6, 9, 11 and 12 cite them, worked by hand in the
// comments, never from kvcheck's output. A request's priority is its class (lower first); ties
// go to the earlier arrival.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "engine_harness.h"

namespace kvcheck {
namespace {

ModelParams priority(std::int64_t block_size, std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmPriority;
  p.engine.block_size = block_size;
  p.engine.num_blocks = blocks;
  p.engine.lookahead = 0;
  return p;
}

using Engine = test::EngineHarness;
using test::req;

// The victim is the running request with the largest (priority, arrival), even one already
// scheduled earlier in this step, and its tokens go back to the token budget. Blocks of 4
// tokens, 3 blocks, budget 5 tokens, chunked prefill, admission allowed after a preemption
// (so the returned budget is visible in the admission that follows).
//   A (class 1, prompt 5), B (class 0, prompt 4, arrives at 1), C (class 0, prompt 8, at 2).
//   step 0: A admitted, chunk min(5, 5) = 5: 2 blocks, computed 5.
//   step 1: A decodes (6 tokens, still 2 blocks), budget 5 - 1 = 4. B admitted with
//           min(4, 4) = 4 tokens: 1 block; the pool (3) is full.
//   step 2: running [A, B]. A decodes (7 tokens, 2 blocks, no new block): scheduled, budget 4.
//           B needs a 2nd block (5 tokens), 0 free: victim = max(A (1, 0), B (0, 1)) = A,
//           already scheduled: its 1 token returns (budget 5) and its 2 blocks are freed.
//           B is scheduled (1 token, budget 4, 1 block free). Admission, by key: C (0, 2)
//           before A (1, 0): C gets min(8, 4) = 4 tokens (1 block); the budget is spent.
// The newest-first victim (FCFS) would preempt B itself instead; without the returned token
// C would get 3 tokens.
TEST(VllmPriority, VictimIsTheLargestKeyEvenIfAlreadyScheduled) {
  auto p = priority(4, 3);
  p.engine.max_batched_tokens = 5;
  p.engine.chunked_prefill = true;
  p.policy.admit_after_preempt = true;
  Engine e(p, {req(0, 5, 8, 1), req(1, 4, 3, 0), req(2, 8, 1, 0)});
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 5);
  e.step();
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.batch_tokens(1), 4);
  e.step();
  EXPECT_EQ(e.preempted(), (std::vector<std::int32_t>{0}));
  EXPECT_EQ(e.batch_tokens(0), 0);
  EXPECT_EQ(e.batch_tokens(1), 1);
  EXPECT_EQ(e.admitted(), (std::vector<std::int32_t>{2}));
  EXPECT_EQ(e.batch_tokens(2), 4);
  EXPECT_EQ(e.v.state(0).status, Status::Waiting);
  EXPECT_EQ(e.v.state(0).blocks, 0);
}

// The waiting queue is a heap by (priority, arrival), not queue order. One running request at a
// time (max_num_seqs = 1), each request done in the step it is admitted (prompt 1, output 1).
// X (class 1), Y (class 0), Z (class 0) all arrive at step 0, in that order: Y is admitted at
// step 0, Z at 1, X at 2. FCFS would admit X, Y, Z.
TEST(VllmPriority, WaitingRequestsAreAdmittedByPriorityThenArrival) {
  auto p = priority(1, 8);
  p.engine.max_num_seqs = 1;
  Engine e(p, {req(0, 1, 1, 1), req(0, 1, 1, 0), req(0, 1, 1, 0)});
  std::vector<std::vector<std::int32_t>> admitted;
  for (int i = 0; i < 3; ++i) {
    e.step();
    admitted.push_back(e.admitted());
  }
  EXPECT_EQ(admitted, (std::vector<std::vector<std::int32_t>>{{1}, {2}, {0}}));
}

// A preempted high-priority request re-enters the heap and is re-admitted before an older
// low-priority one, though it sits behind it in the queue (requeue at the back). Blocks of 1
// token, 4 blocks. G (class 0, prompt 2, output 3), H (class 0, prompt 1, output 3),
// O (class 1, prompt 4, output 1), all arriving at step 0 in that order.
//   step 0: by key G (0, 0), H (0, 1), O (1, 2): G 2 blocks, H 1 block, O needs 4 > 1: stop.
//   step 1: G grows to 3 blocks (1 free, taken). H needs a 2nd block, 0 free: victim =
//           max(G (0, 0), H (0, 1)) = H itself: preempted (recompute), to the back of the
//           queue: [O, H]. No admission after a preemption.
//   step 2: G grows to 4 blocks and completes (3rd token). At admission G still holds 4
//           blocks: H (the smallest key) needs 1 > 0 free: head-of-line blocking, O waits too.
//   step 3: the pool is empty. H (0, 1) before O (1, 2): H admitted (1 block); O needs 4 > 3.
// Queue order would admit O (4 blocks) at step 3 and block H.
TEST(VllmPriority, PreemptedHighPriorityRequestIsReadmittedBeforeAnOlderLowPriorityOne) {
  auto p = priority(1, 4);
  p.engine.requeue = Requeue::Back;
  Engine e(p, {req(0, 2, 3, 0), req(0, 1, 3, 0), req(0, 4, 1, 1)});
  e.step();
  EXPECT_EQ(e.admitted(), (std::vector<std::int32_t>{0, 1}));
  e.step();
  EXPECT_EQ(e.preempted(), (std::vector<std::int32_t>{1}));
  EXPECT_EQ(e.v.waiting(), (std::deque<std::int32_t>{2, 1}));
  e.step();
  EXPECT_EQ(e.v.last_step().completed, (std::vector<std::int32_t>{0}));
  EXPECT_TRUE(e.admitted().empty());
  e.step();
  EXPECT_EQ(e.admitted(), (std::vector<std::int32_t>{1}));
  EXPECT_EQ(e.batch_tokens(1), 1);
  EXPECT_EQ(e.batch_tokens(2), 0);
}

}  // namespace
}  // namespace kvcheck
