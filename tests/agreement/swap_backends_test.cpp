// vLLM V0's swap preemption (`preemption_mode = "swap"`) through every backend that runs
// ConcreteView: the ITF trace carries the swapped queue, the swap events and the CPU pool and
// replays on the simulator; the CPU decode engine copies the swapped KV to its host pool and
// back, matching the model's GPU and CPU block counts step by step and sampling the tokens a
// run without swaps samples (as does the CUDA engine, where a device is visible); fuzz runs generated cases under the config's mode; the explorer
// exhausts the safe twin and finds the unsafe twin's violation, whose witness trace replays.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "checkers/explicit/explorer.h"
#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/state_graph.h"
#include "checkers/fuzz/case_runner.h"
#include "checkers/fuzz/fuzz_model.h"
#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "counterexamples/replay.h"
#include "gpu_replay/engine.h"
#include "gpu_replay/replay.h"
#include "gpu_replay/weights.h"
#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/choice_source.h"

namespace kvcheck {
namespace {

Config twin(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / (name + ".toml"));
}

Trace record(const Config& c) {
  SeededChoices ch(1);
  SimOptions so;
  so.properties = c.check.properties;
  so.max_steps = 100;
  return record_run(c.model, c.time, build_workload(c), ch, so, TraceMeta{});
}

engine::ReplayOptions tiny_model() {
  engine::ReplayOptions o;
  o.model.dim = 32; o.model.hidden_dim = 64; o.model.n_layers = 2; o.model.n_heads = 4;
  o.model.n_kv_heads = 2; o.model.head_dim = 8; o.model.vocab = 64; o.model.max_seq_len = 128;
  return o;
}

TEST(SwapBackends, ItfRoundTripCarriesTheSwapStateAndReplays) {
  const auto t = record(twin("vllm_v0_swap_safe"));
  ASSERT_EQ(t.states.size(), 13u);
  // configs/vllm_v0_swap_safe.toml by hand: D (3) then C (2) swapped out at step 3, both
  // swapped in at step 8.
  EXPECT_EQ(t.states[3].swapped_out, (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ(t.states[3].swapped, (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ(t.states[3].cpu_used_blocks, 4);
  EXPECT_EQ(t.states[8].swapped_in, (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ(t.states[8].cpu_used_blocks, 0);
  const auto text = to_itf_json(t);
  EXPECT_NE(text.find("\"swapped\""), std::string::npos);
  EXPECT_NE(text.find("\"status\": \"swapped\""), std::string::npos);
  const auto back = parse_itf(text, "t.itf.json");
  EXPECT_EQ(back.params.policy.preemption_mode, PreemptionMode::Swap);
  EXPECT_EQ(back.params.engine.cpu_blocks, 6);
  EXPECT_EQ(back.states, t.states);
  EXPECT_TRUE(replay(back).reproduced);
  // A smaller CPU pool no longer replays: the abort is part of the trace.
  auto small = back;
  small.params.engine.cpu_blocks = 4;
  EXPECT_FALSE(replay(small).reproduced);
  // A recompute trace keeps its bytes: no swap params or variables.
  EXPECT_EQ(to_itf_json(record(twin("vllm_v0_unsafe"))).find("swapped"), std::string::npos);
}

TEST(SwapBackends, ItfReaderRefusesAnInconsistentSwapTrace) {
  auto t = record(twin("vllm_v0_swap_safe"));
  auto bad = t;
  bad.params.engine.cpu_blocks = 0;
  try {
    (void)parse_itf(to_itf_json(bad), "bad.itf.json");
    ADD_FAILURE() << "accepted cpu_blocks = 0";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
  }
  auto status = t;
  for (auto& r : status.states[3].requests)
    if (r.status == "swapped") r.status = "running";
  try {
    (void)parse_itf(to_itf_json(status), "status.itf.json");
    ADD_FAILURE() << "accepted a swapped request whose status is running";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
  }
}

TEST(SwapBackends, CpuDecodeEngineSwapsTheKvAndMatchesTheModel) {
  const auto t = record(twin("vllm_v0_swap_safe"));
  const auto r = engine::replay_on_engine(t, engine::BackendKind::Cpu, tiny_model());
  EXPECT_TRUE(r.reproduced()) << r.summary();
  EXPECT_TRUE(r.leak_free);
  ASSERT_EQ(r.log.size(), t.states.size());
  for (std::size_t i = 0; i < t.states.size(); ++i)
    EXPECT_EQ(r.log[i].used_blocks, t.states[i].used_blocks) << "step " << i;
  // The swapped KV really came back: the same requests on a pool that never swaps (the GPU
  // pool large enough) sample the same tokens.
  auto roomy = twin("vllm_v0_swap_safe");
  roomy.model.engine.num_blocks = 64;
  const auto t2 = record(roomy);
  ASSERT_TRUE(std::all_of(t2.states.begin(), t2.states.end(),
                          [](const StepState& s) { return s.swapped_out.empty(); }));
  const auto generated = [](const Trace& tr) {
    engine::ReplayOptions o = tiny_model();
    const auto w = engine::seeded_weights(o.model, o.weight_seed);
    auto be = engine::make_backend(engine::BackendKind::Cpu, w,
                                   {static_cast<std::int32_t>(tr.params.engine.num_blocks),
                                    static_cast<std::int32_t>(tr.params.engine.block_size)});
    engine::Engine eng(tr.params.engine, tr.workload, *be, w.config.vocab);
    for (const auto& s : tr.states) (void)eng.execute(s);
    std::vector<std::vector<std::int32_t>> out;
    for (std::int32_t id = 0; id < 4; ++id) out.push_back(eng.sequence(id).generated);
    return out;
  };
  EXPECT_EQ(generated(t), generated(t2));
  // The unsafe twin's abort is the engine's own finding too.
  const auto u = record(twin("vllm_v0_swap_unsafe"));
  EXPECT_TRUE(u.states.back().swap_abort);
  EXPECT_TRUE(engine::replay_on_engine(u, engine::BackendKind::Cpu, tiny_model()).reproduced());
  // The CUDA backend swaps the same way where a device is visible (its own tests:
  // tests/gpu_replay/cuda_backend_test.cpp, run by ci/gpu_check.sh --run).
  if (engine::cuda_device_count() > 0) {
    const auto g = engine::replay_on_engine(t, engine::BackendKind::Cuda, tiny_model());
    EXPECT_TRUE(g.reproduced()) << g.summary();
  }
}

TEST(SwapBackends, FuzzRunsGeneratedCasesInSwapMode) {
  const auto c = twin("vllm_v0_swap_unsafe");
  const auto m = fuzz::make_fuzz_model(c);
  EXPECT_EQ(m->params.policy.preemption_mode, PreemptionMode::Swap);
  fuzz::FuzzCase four;  // the twin's four requests: A, B at step 0, C at 1, D at 2
  four.groups.push_back({0, 2, 8, 6, 0});
  four.groups.push_back({1, 1, 8, 6, 0});
  four.groups.push_back({1, 1, 8, 6, 0});
  const auto r = fuzz::run_case(*m, four);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.what, "swap_space");
}

// configs/vllm_v0_swap_unsafe.toml's [explore] comment by hand: with up to 4 arrivals per
// step, all four requests arrive at step 0 and are admitted whole (8 of 8 GPU blocks); step 1
// is the header's step 3: D (3) is swapped out (3 CPU blocks asked, 4 free), A and B take the
// 2 freed blocks, C (2) swaps itself out and asks 3 with 2 free: swap_space fails after step 1
// (depth 1, 2 steps). Both victims' blocks are moved anyway: CPU 4 of 4.
TEST(SwapBackends, ExplorerFindsTheUnsafeTwinsViolationAtTheHandWorkedStep) {
  const auto cfg = twin("vllm_v0_swap_unsafe");
  const auto opts = explicit_state::read_explore_options(cfg);
  EXPECT_EQ(opts.max_requests, 4);
  const auto r = explicit_state::explore(cfg, opts);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(r.verdict.depth, 1);
  ASSERT_TRUE(r.safety.has_value());
  EXPECT_EQ(r.safety->witness.property, cfg.expect_property);
  const auto& t = r.safety->trace;
  ASSERT_EQ(t.workload.requests.size(), 4u);
  for (const auto& q : t.workload.requests) EXPECT_EQ(q.arrival_step, 0);
  ASSERT_EQ(t.states.size(), 2u);
  EXPECT_EQ(t.states[0].running, (std::vector<std::int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(t.states[0].used_blocks, 8);
  EXPECT_EQ(t.states[1].swapped_out, (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ(t.states[1].swapped, (std::vector<std::int32_t>{3, 2}));
  EXPECT_EQ(t.states[1].running, (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(t.states[1].cpu_used_blocks, 4);
  EXPECT_TRUE(t.states[1].swap_abort);
  EXPECT_EQ(t.meta.violated_property, "swap_space");
  EXPECT_EQ(t.meta.violation_step, 1);
  // the witness's ITF trace replays on the simulator and on the CPU decode engine
  const auto back = parse_itf(to_itf_json(t), "explore.itf.json");
  EXPECT_TRUE(replay(back).reproduced);
  const auto e = engine::replay_on_engine(back, engine::BackendKind::Cpu, tiny_model());
  EXPECT_TRUE(e.reproduced()) << e.summary();
}

// configs/vllm_v0_swap_safe.toml: the same bounds exhaust (PROVED), and the graph holds the
// header's state after step 3 (a hand-worked state with two swapped requests), so the proof
// went through swaps: A and B running with 9 computed tokens, 2 generated, 3 blocks; the
// swapped queue [D, C] with 8 computed, 1 generated, 2 blocks (in the CPU pool) each.
TEST(SwapBackends, ExplorerExhaustsTheSafeTwinThroughItsSwaps) {
  const auto cfg = twin("vllm_v0_swap_safe");
  const auto opts = explicit_state::read_explore_options(cfg);
  const auto r = explicit_state::explore(cfg, opts);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.safety.has_value());
  EXPECT_FALSE(r.starvation.has_value());
  const explicit_state::SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto g = explicit_state::build_graph(gen, opts.max_states);
  EXPECT_EQ(static_cast<std::int64_t>(g.states.size()), r.states);
  const explicit_state::ResidentRequest decoded{8, 6, 0, 9, 2, 3, 9}, out{8, 6, 0, 8, 1, 2, 8};
  explicit_state::ExplicitState step3;
  step3.arrived = 4;
  step3.running = {decoded, decoded};
  step3.swapped = {out, out};
  EXPECT_NE(std::find(g.states.begin(), g.states.end(), step3), g.states.end());
}

}  // namespace
}  // namespace kvcheck
