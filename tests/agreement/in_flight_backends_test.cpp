// Requests in flight at time 0 through every backend that runs ConcreteView: an ITF trace
// carries them and replays from the same start (and its reader refuses bad ones), the CPU
// decode engine holds their KV before step 0 and matches the model's blocks step by step, the
// explorer starts from them, fuzz keeps them in every case, and the Z3 backends and the gate
// refuse the config with a config error instead of a verdict.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/explorer.h"
#include "checkers/explicit/successors.h"
#include "checkers/fuzz/fuzz_model.h"
#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "counterexamples/replay.h"
#include "gate/checker.h"
#include "gate/gate.h"
#include "gpu_replay/replay.h"
#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/choice_source.h"

namespace kvcheck {
namespace {

/// vLLM FCFS, blocks of 4, 6 blocks: request 0 in flight (prompt 5, output 6, 2 decodes done:
/// computed 7, generated 3, 2 blocks), request 1 (prompt 3, output 2, just prefilled: 1 block),
/// then 3 arrivals that must wait for blocks.
const std::string kConfig = R"(
[meta]
name = "in_flight_small"
[engine]
block_size = 4
num_blocks = 6
[policy]
name = "vllm_fcfs"
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 6, output = 3 }, { arrival = 1, prompt = 6, output = 3 },
            { arrival = 1, prompt = 2, output = 2 }]
[[workload.in_flight]]
prompt = 5
output = 6
decoded = 2
[[workload.in_flight]]
prompt = 3
output = 2
decoded = 0
[check]
properties = ["kv_no_overflow", "conservation", "exact_delivery"]
[explore]
max_requests = 1
prompts = [2]
outputs = [2]
[bmc]
slots = 2
)";

Config config() { return parse_config(kConfig, "in_flight_small.toml"); }

Trace record(const Config& c) {
  SeededChoices ch(1);
  SimOptions so;
  so.properties = c.check.properties;
  so.max_steps = 100;
  return record_run(c.model, c.time, build_workload(c), ch, so, TraceMeta{});
}

TEST(InFlightBackends, ItfRoundTripCarriesThemAndReplaysTheSameStates) {
  const auto t = record(config());
  ASSERT_FALSE(t.states.empty());
  // step 0 by hand: request 0 decodes (ceil((7 + 1) / 4) = 2 blocks), request 1 decodes and
  // completes (ceil(4 / 4) = 1 block), request 2 (prompt 6) is admitted: 2 blocks. 5 in use.
  EXPECT_EQ(t.states[0].used_blocks, 5);
  EXPECT_EQ(t.states[0].completed, (std::vector<std::int32_t>{1}));
  const auto text = to_itf_json(t);
  EXPECT_NE(text.find("\"in_flight_decoded\""), std::string::npos);
  const auto back = parse_itf(text, "t.itf.json");
  ASSERT_EQ(back.workload.requests.size(), t.workload.requests.size());
  EXPECT_EQ(back.workload.requests[0].decoded_at_start, 2);
  EXPECT_EQ(back.workload.requests[1].decoded_at_start, 0);
  EXPECT_EQ(back.workload.requests[2].decoded_at_start, -1);
  EXPECT_EQ(back.states, t.states);
  const auto r = replay(back);
  EXPECT_TRUE(r.reproduced) << r.message();
  // Without them the same trace no longer replays: the start is part of the trace.
  auto stripped = back;
  for (auto& q : stripped.workload.requests) q.decoded_at_start = -1;
  EXPECT_FALSE(replay(stripped).reproduced);
}

TEST(InFlightBackends, ItfReaderRefusesInconsistentInFlightRequests) {
  const auto t = record(config());
  const auto refused = [](const Trace& bad, const std::string& why) {
    try {
      (void)parse_itf(to_itf_json(bad), "t.itf.json");
      ADD_FAILURE() << "accepted: " << why;
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::TraceParseError);
      EXPECT_NE(std::string(e.what()).find("in_flight_decoded"), std::string::npos) << e.what();
    }
  };
  auto done = t;  // 5 decodes of output 6: token 6 would be out, the request done
  done.workload.requests[0].decoded_at_start = 5;
  refused(done, "decoded + 1 = output");
  auto small = t;  // 2 + 1 blocks in a pool of 2
  small.params.engine.num_blocks = 2;
  small.params.policy.watermark_blocks = 0;
  refused(small, "blocks beyond the pool");
  auto late = t;  // in-flight requests arriving at step 1 (every arrival moved to >= 1)
  for (auto& q : late.workload.requests) q.arrival_step = std::max<std::int64_t>(q.arrival_step, 1);
  refused(late, "arrival step 1");
}

TEST(InFlightBackends, CpuDecodeEngineHoldsTheirKvAndMatchesTheModelsBlocks) {
  const auto t = record(config());
  engine::ReplayOptions o;
  o.model.dim = 32; o.model.hidden_dim = 64; o.model.n_layers = 2; o.model.n_heads = 4;
  o.model.n_kv_heads = 2; o.model.head_dim = 8; o.model.vocab = 64; o.model.max_seq_len = 128;
  const auto r = engine::replay_on_engine(t, engine::BackendKind::Cpu, o);
  EXPECT_TRUE(r.reproduced()) << r.summary();
  EXPECT_TRUE(r.leak_free);
  ASSERT_EQ(r.log.size(), t.states.size());
  for (std::size_t i = 0; i < t.states.size(); ++i)
    EXPECT_EQ(r.log[i].used_blocks, t.states[i].used_blocks) << "step " << i;
}

TEST(InFlightBackends, ExplorerStartsFromThemAndItsWitnessReplays) {
  const auto c = config();
  const auto o = explicit_state::read_explore_options(c);
  ASSERT_EQ(o.in_flight.size(), 2U);
  const explicit_state::SuccessorGenerator gen(c.model, c.time, o);
  const auto s0 = gen.initial();
  ASSERT_EQ(s0.running.size(), 2U);
  EXPECT_EQ(s0.running[0].computed, 7);
  EXPECT_EQ(s0.running[0].generated, 3);
  EXPECT_EQ(s0.running[0].blocks, 2);
  EXPECT_EQ(s0.running[1].blocks, 1);
  EXPECT_TRUE(s0.waiting.empty());
  const auto r = explicit_state::explore(c, o);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << to_string(r.verdict);
  EXPECT_GT(r.states, 2);
  // Dong & Cao's Algorithm 1 admits by class budget, not by free blocks: next to the two
  // in-flight requests (decodes reserve 2 + 1 blocks of the 3), one arrival overflows.
  const std::string tight = R"(
[engine]
block_size = 4
num_blocks = 3
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 2
output = 2
budget = 3
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 2, output = 2 }]
[[workload.in_flight]]
prompt = 5
output = 6
decoded = 2
[[workload.in_flight]]
prompt = 3
output = 2
decoded = 0
[check]
properties = ["kv_no_overflow"]
[explore]
max_requests = 1
)";
  const auto c2 = parse_config(tight, "tight.toml");
  const auto o2 = explicit_state::read_explore_options(c2);
  const auto r2 = explicit_state::explore(c2, o2);
  ASSERT_EQ(r2.verdict.kind, VerdictKind::Violated) << to_string(r2.verdict);
  ASSERT_TRUE(r2.safety.has_value());
  EXPECT_EQ(r2.safety->trace.workload.in_flight_count(), 2U);
  EXPECT_TRUE(replay(r2.safety->trace).reproduced);
}

TEST(InFlightBackends, FuzzKeepsThemInEveryCase) {
  const auto m = fuzz::make_fuzz_model(config());
  fuzz::FuzzCase empty;
  const auto w = m->case_workload(empty);
  ASSERT_EQ(w.requests.size(), 2U);
  EXPECT_EQ(w.in_flight_count(), 2U);
  fuzz::FuzzCase one;
  one.groups.push_back({0, 1, 2, 2, 0});
  EXPECT_EQ(m->case_workload(one).requests.size(), 3U);
}

TEST(InFlightBackends, Z3BackendsAndTheGateRefuseWithAConfigError) {
  const auto dir = std::filesystem::temp_directory_path() / "kvcheck_in_flight_gate";
  std::filesystem::create_directories(dir);
  const auto path = dir / "in_flight_small.toml";
  {
    auto text = kConfig;
    text.replace(text.find("[meta]\n"), 7, "[meta]\nexpect = \"ok\"\n");
    std::ofstream(path) << text;
  }
  GateOptions go;
  go.only = {"simulate", "bmc"};
  const auto rep = run_gate({path}, all_checkers, go);
  ASSERT_EQ(rep.entries.size(), 1U);
  bool bmc = false, sim = false;
  for (const auto& row : rep.entries[0].rows) {
    if (row.checker == "bmc") {
      bmc = true;
      EXPECT_EQ(row.result.verdict.kind, VerdictKind::Error);
      EXPECT_NE(row.result.verdict.reason.find("not supported by the Z3 backends yet"),
                std::string::npos)
          << row.result.verdict.reason;
      EXPECT_EQ(row.error_code, ExitCode::ConfigError);
    }
    if (row.checker == "simulate") {
      sim = true;
      EXPECT_NE(row.result.verdict.kind, VerdictKind::Error) << row.result.verdict.reason;
    }
  }
  EXPECT_TRUE(bmc);
  EXPECT_TRUE(sim);
  EXPECT_EQ(rep.exit_code(), ExitCode::ConfigError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kvcheck
