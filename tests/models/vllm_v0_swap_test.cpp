// vLLM V0's swap preemption (`[policy] preemption_mode = "swap"`, models/policies/vllm_v0.h
// rules 8-12, docs/vllm.md V0-11..V0-16) on schedules worked by hand: who is swapped out when,
// the CPU and GPU counters, the swap-in order and its watermark, no prefill while the swapped
// queue is non-empty, swapped-in requests decoding in the same iteration; the swap_space
// violation (V0's "Aborted due to the lack of CPU swap space"); the config reader's errors and
// the Z3 commands' refusal.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine_harness.h"
#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "properties/predicates.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

using test::EngineHarness;
using test::req;
using Ids = std::vector<std::int32_t>;

/// Blocks of 4 tokens, 8 GPU blocks, 6 CPU blocks, vllm_v0 in swap mode.
ModelParams swap_v0(std::int64_t watermark, std::int64_t cpu_blocks = 6) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmV0;
  p.policy.preemption_mode = PreemptionMode::Swap;
  p.policy.watermark_blocks = watermark;
  p.engine.block_size = 4;
  p.engine.num_blocks = 8;
  p.engine.cpu_blocks = cpu_blocks;
  p.engine.max_batched_tokens = 64;
  p.engine.recompute_keeps_output = true;
  p.engine.reject_unservable = false;
  return p;
}

/// A (0), B (1): prompt 8, output 6 at step 0; C (2): prompt 8 at step 1; D (3): prompt 4 at
/// step 2; E (4): prompt 4, output 2 at step 4.
std::vector<Request> workload() {
  return {req(0, 8, 6), req(0, 8, 6), req(1, 8, 6), req(2, 4, 6), req(4, 4, 2)};
}

Ids swapped(const EngineHarness& e) { return {e.v.swapped().begin(), e.v.swapped().end()}; }
Ids waiting(const EngineHarness& e) { return {e.v.waiting().begin(), e.v.waiting().end()}; }

/// Steps 0-3, the same for both watermarks below: A, B, C, D admitted whole (2, 2, 2, 1
/// blocks: GPU 7 of 8); at step 3 A takes the free block, B finds none and the LAST running
/// request, D, is swapped out (1 GPU block to the CPU; can_swap_out asks ceil((4 + 1) / 4) = 2
/// of 6), B takes it; C finds none and nobody behind it and swaps itself out (2 blocks; 3
/// asked of 5). Swapped queue [D, C] (V0's pop order), CPU 3, GPU 3 + 3 = 6.
void first_four_steps(EngineHarness& e) {
  for (int s = 0; s < 3; ++s) e.step();
  EXPECT_EQ(e.v.used_blocks(), 7);
  e.step();  // step 3
  EXPECT_EQ(e.last().swapped_out, (Ids{3, 2}));
  EXPECT_TRUE(e.last().preempted.empty());  // no recompute
  EXPECT_EQ(swapped(e), (Ids{3, 2}));
  EXPECT_EQ(e.v.running(), (Ids{0, 1}));
  EXPECT_EQ(e.v.cpu_used_blocks(), 3);
  EXPECT_EQ(e.v.used_blocks(), 6);
  EXPECT_EQ(e.v.state(3).status, Status::Swapped);
  EXPECT_EQ(e.v.state(3).computed, 4);  // its KV is kept: no recompute
  EXPECT_EQ(e.v.state(2).computed, 8);
  EXPECT_EQ(e.batch_tokens(0), 1);
  EXPECT_EQ(e.batch_tokens(1), 1);
  EXPECT_TRUE(holds(PropertyId::SwapSpace, e.v));
  EXPECT_TRUE(holds(PropertyId::Conservation, e.v));
  EXPECT_FALSE(holds(PropertyId::NoPreemption, e.v));  // a swap out is a preemption
}

TEST(VllmV0Swap, SwapOutSwapInByHandWithoutWatermark) {
  EngineHarness e(swap_v0(0), workload());
  first_four_steps(e);
  // Step 4: E arrives but may not prefill (swapped queue non-empty). A and B decode (2 free);
  // nothing was swapped out, so the swap-in loop runs: D needs ceil(5/4) = 2 GPU blocks,
  // 2 - 2 >= 0: swapped in, and it decodes in this iteration (5 tokens: a 2nd block). C needs
  // 3, 0 free: LATER, the loop stops.
  e.step();
  EXPECT_TRUE(e.last().admitted.empty());
  EXPECT_EQ(waiting(e), (Ids{4}));
  EXPECT_EQ(e.last().swapped_in, (Ids{3}));
  EXPECT_EQ(e.batch_tokens(3), 1);
  EXPECT_EQ(e.v.running(), (Ids{0, 1, 3}));  // the swapped-in request rejoins last
  EXPECT_EQ(swapped(e), (Ids{2}));
  EXPECT_EQ(e.v.cpu_used_blocks(), 2);
  EXPECT_EQ(e.v.used_blocks(), 8);
  // Step 5: A needs a free block, none: D (last) is swapped out again (2 blocks), appended
  // behind C.
  e.step();
  EXPECT_EQ(e.last().swapped_out, (Ids{3}));
  EXPECT_EQ(swapped(e), (Ids{2, 3}));
  EXPECT_EQ(e.v.cpu_used_blocks(), 4);
  e.step();  // step 6: A and B decode; C needs 3 of 2 free: LATER
  EXPECT_TRUE(e.last().swapped_in.empty());
  e.step();  // step 7: A and B complete
  EXPECT_EQ(e.last().completed, (Ids{0, 1}));
  EXPECT_EQ(waiting(e), (Ids{4}));  // E still waits: 8 blocks free, but swapped is non-empty
  // Step 8: no prefill (swapped non-empty at the step's start); C then D swapped in, FCFS
  // (8 - 3 >= 0, then 5 - 2 >= 0), both decode now: GPU 3 + 2 = 5, CPU 0.
  e.step();
  EXPECT_TRUE(e.last().admitted.empty());
  EXPECT_EQ(e.last().swapped_in, (Ids{2, 3}));
  EXPECT_EQ(e.batch_tokens(2), 1);
  EXPECT_EQ(e.batch_tokens(3), 1);
  EXPECT_EQ(e.v.cpu_used_blocks(), 0);
  EXPECT_EQ(e.v.used_blocks(), 5);
  e.step();  // step 9: the swapped queue is empty: E is admitted (a prefill step)
  EXPECT_EQ(e.last().admitted, (Ids{4}));
  while (!e.v.finished()) e.step();
  for (std::int32_t r = 0; r < 5; ++r) EXPECT_EQ(e.v.state(r).wasted_tokens, 0) << r;
  EXPECT_EQ(e.v.step(), 14);
}

TEST(VllmV0Swap, SwapInKeepsTheWatermark) {
  // Watermark 1 changes nothing until step 4: then D's swap in would leave 2 - 2 = 0 < 1
  // free blocks: LATER (V0's can_swap_in keeps the watermark like can_allocate).
  EngineHarness e(swap_v0(1), workload());
  first_four_steps(e);
  e.step();
  EXPECT_TRUE(e.last().swapped_in.empty());
  EXPECT_EQ(swapped(e), (Ids{3, 2}));
  EXPECT_EQ(e.v.used_blocks(), 6);
  for (int s = 5; s < 8; ++s) e.step();
  EXPECT_EQ(e.last().step, 7);
  EXPECT_EQ(e.last().completed, (Ids{0, 1}));
  // Step 8: D then C (the queue's order): 8 - 2 >= 1, then 6 - 3 >= 1 (D, swapped in, then decoded its 5th
  // token into a 2nd block); GPU 2 + 3 = 5 after the decodes.
  e.step();
  EXPECT_EQ(e.last().swapped_in, (Ids{3, 2}));
  EXPECT_EQ(e.v.running(), (Ids{3, 2}));
  EXPECT_EQ(e.v.used_blocks(), 5);
}

TEST(VllmV0Swap, TooSmallACpuPoolAbortsTheEngine) {
  // CPU pool of 3: D's swap out at step 3 asks 2 of 3 (OK, its 1 block moved); C's asks 3 and
  // finds 2: V0 raises "Aborted due to the lack of CPU swap space".
  EngineHarness e(swap_v0(0, 3), workload());
  for (int s = 0; s < 3; ++s) e.step();
  EXPECT_TRUE(holds(PropertyId::SwapSpace, e.v));
  e.step();
  EXPECT_TRUE(e.last().swap_abort);
  EXPECT_FALSE(holds(PropertyId::SwapSpace, e.v));
  // The simulator stops there with the violation (exit 12 in the CLI).
  ModelParams p = swap_v0(0, 3);
  Workload w{workload(), ArrivalClock::Steps};
  TimeModel t;
  SeededChoices ch(1);
  SimOptions o;
  o.properties = {PropertyId::SwapSpace};
  const auto out = simulate(p, t, w, ch, o);
  ASSERT_EQ(out.violations.size(), 1u);
  EXPECT_EQ(out.violations[0].id, PropertyId::SwapSpace);
  EXPECT_EQ(out.violations[0].step, 3);
  EXPECT_EQ(out.steps, 4);
}

TEST(VllmV0Swap, RecomputeModeIsUnchanged) {
  auto p = swap_v0(0);
  p.policy.preemption_mode = PreemptionMode::Recompute;
  EngineHarness e(p, workload());
  for (int s = 0; s < 4; ++s) e.step();
  EXPECT_EQ(e.last().preempted, (Ids{3, 2}));
  EXPECT_TRUE(e.last().swapped_out.empty());
  EXPECT_TRUE(e.v.swapped().empty());
}

const std::string kBase = R"(
[engine]
block_size = 4
num_blocks = 8
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 4, output = 2 }]
)";

void config_error(const std::string& text, const std::string& field) {
  try {
    (void)parse_config(kBase + text, "f.toml");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError) << e.what();
    EXPECT_NE(std::string(e.what()).find("f.toml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(VllmV0Swap, ConfigErrors) {
  config_error("[policy]\nname = \"vllm_v0\"\npreemption_mode = \"swap\"\n", "engine.cpu_blocks");
  config_error("[policy]\nname = \"vllm_fcfs\"\npreemption_mode = \"swap\"\n",
               "policy.preemption_mode");
  config_error("[policy]\nname = \"vllm_v0\"\npreemption_mode = \"evict\"\n",
               "policy.preemption_mode");
  const auto c = parse_config(
      "[engine]\nblock_size = 4\nnum_blocks = 8\ncpu_blocks = 5\n[policy]\nname = \"vllm_v0\"\n"
      "preemption_mode = \"swap\"\n[workload]\nkind = \"explicit\"\n"
      "requests = [{ arrival = 0, prompt = 4, output = 2 }]\n",
      "ok.toml");
  EXPECT_EQ(c.model.policy.preemption_mode, PreemptionMode::Swap);
  EXPECT_EQ(c.model.engine.cpu_blocks, 5);
  const auto d = parse_config(kBase + "[policy]\nname = \"vllm_v0\"\n", "d.toml");
  EXPECT_EQ(d.model.policy.preemption_mode, PreemptionMode::Recompute);
}

}  // namespace
}  // namespace kvcheck
