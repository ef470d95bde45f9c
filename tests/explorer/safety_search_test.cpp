// The explorer's safety pass (checkers/explicit/safety_search.h): the byte encoding of a state,
// the visited-state store in both storage modes, and the pass itself against the graph analysis
// it replaces (build_graph + shortest_violation): the same state count when nothing fails, the
// same shortest counterexample (same steps, arrivals, picks and states) when something does.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "checkers/explicit/explorer.h"
#include "checkers/explicit/safety_search.h"
#include "checkers/explicit/shortest_counterexample.h"
#include "checkers/explicit/state_codec.h"
#include "checkers/explicit/state_store.h"
#include "explore_test_configs.h"
#include "io/input_error.h"

namespace kvcheck::explicit_state {
namespace {

using testing::config_from;

const std::vector<ArrivalShape> kShapes = {{1, 2, 0}, {300, 7, 1}};

ExplicitState sample_state() {
  ExplicitState s;
  s.arrived = 2;
  s.waiting = {{1, 2, 0, 0, 0, 0, 0, 0}};
  s.running = {{300, 7, 1, -5, 1'000'000'000'000, 64, 63, 1}};
  return s;
}

std::vector<std::uint8_t> encoded(const ExplicitState& s, bool keep_arrival = true) {
  std::vector<std::uint8_t> b;
  StateCodec(kShapes, keep_arrival).encode(s, b);
  return b;
}

TEST(StateCodec, RoundTripsSmallNegativeAndLargeValues) {
  EXPECT_EQ(StateCodec(kShapes, true).decode(encoded(sample_state())), sample_state());
}

TEST(StateCodec, SmallFieldsTakeOneByteEach) {
  // arrived 2, one waiting request (shape index, computed, generated, blocks, tokens), no
  // running: 1 + 1 + 5 + 1 bytes; with the arrival rank kept, one more
  ExplicitState s;
  s.arrived = 2;
  s.waiting = {{1, 2, 0, 0, 0, 0, 0, 0}};
  EXPECT_EQ(encoded(s, false).size(), 8U);
  EXPECT_EQ(encoded(s, true).size(), 9U);
  // 254 is the largest one-byte value; 255 and negative values take the escape byte and 8 more
  for (auto [v, n] : {std::pair{0, 1}, {254, 1}, {255, 9}, {-1, 9}}) {
    ExplicitState t;
    t.arrived = v;
    EXPECT_EQ(encoded(t).size(), static_cast<std::size_t>(n + 2)) << v;
  }
}

// vLLM V0's swapped queue: written after the running queue only when non-empty, so a swap-free
// state keeps its bytes. By hand, without arrival ranks: arrived 3 (1 byte), waiting 1 request
// (1 + 5), running 0 (1), swapped 2 requests (1 + 2 x 5): 1 + 6 + 1 + 11 = 19 bytes; the same
// state without its swapped queue 8 bytes, its first 8 the same.
TEST(StateCodec, RoundTripsASwappedQueueAndKeepsSwapFreeBytes) {
  ExplicitState s;
  s.arrived = 3;
  s.waiting = {{1, 2, 0, 0, 0, 0, 0, 0}};
  s.swapped = {{300, 7, 1, 9, 2, 3, 9, 0}, {1, 2, 0, 1, 1, 1, 1, 0}};
  const auto b = encoded(s, false);
  EXPECT_EQ(b.size(), 19U);
  EXPECT_EQ(StateCodec(kShapes, false).decode(b), s);
  auto free_of_swap = s;
  free_of_swap.swapped.clear();
  const auto f = encoded(free_of_swap, false);
  EXPECT_EQ(f.size(), 8U);
  EXPECT_TRUE(std::equal(f.begin(), f.end(), b.begin()));
  // a swapped queue differs from the same requests running, and its order counts
  auto running = s;
  running.running = s.swapped;
  running.swapped.clear();
  EXPECT_NE(encoded(running, false), b);
  auto reversed = s;
  std::swap(reversed.swapped[0], reversed.swapped[1]);
  EXPECT_NE(encoded(reversed, false), b);
  EXPECT_EQ(StateCodec(kShapes, false).decode(encoded(reversed, false)), reversed);
  // with arrival ranks, large values and the escape byte
  auto ranked = sample_state();
  ranked.swapped = {{300, 7, 1, 1'000, 5, 300, 1'000, 2}};
  EXPECT_EQ(StateCodec(kShapes, true).decode(encoded(ranked)), ranked);
  // an empty swapped queue written as a count of 0 is not canonical: refused
  auto zero = f;
  zero.push_back(0);
  EXPECT_THROW(StateCodec(kShapes, false).decode(zero), std::logic_error);
  // an arrival rank in the swapped queue that the codec does not keep
  auto lost = s;
  lost.swapped[1].arrival = 1;
  EXPECT_THROW(encoded(lost, false), std::logic_error);
}

TEST(StateCodec, MalformedInputIsALogicError) {
  auto b = encoded(sample_state());
  b.pop_back();
  EXPECT_THROW(StateCodec(kShapes, true).decode(b), std::logic_error);
  ExplicitState unknown;
  unknown.running = {{5, 5, 0, 0, 0, 0, 0, 0}};  // not one of kShapes
  EXPECT_THROW(encoded(unknown), std::logic_error);
  // an arrival rank the codec does not keep would be lost: refused
  EXPECT_THROW(encoded(sample_state(), false), std::logic_error);
  // A shape index one past kShapes (2 of 2) is no shape: by the layout, byte 0 is `arrived`
  // (2), byte 1 the waiting queue's length (1), byte 2 its request's shape index (0).
  auto shape = encoded(sample_state());
  ASSERT_EQ(shape[2], 0);
  shape[2] = 2;
  EXPECT_THROW(StateCodec(kShapes, true).decode(shape), std::logic_error);
}

class StoreModes : public ::testing::TestWithParam<StateStorage> {};

TEST_P(StoreModes, InsertsEachDistinctStateOnceInOrder) {
  StateStore store(GetParam());
  std::vector<std::vector<std::uint8_t>> all;
  for (int i = 0; i < 5000; ++i) {  // several table growths
    ExplicitState s;
    s.arrived = i % 97;
    s.running = {{1, 2, 0, i / 97, 0, 0, 0, 0}};
    all.push_back(encoded(s));
  }
  for (const auto& b : all) EXPECT_TRUE(store.insert(b));
  for (const auto& b : all) {
    EXPECT_FALSE(store.insert(b));
    EXPECT_TRUE(store.contains(b));
  }
  EXPECT_EQ(store.size(), all.size());
  EXPECT_FALSE(store.contains(encoded(sample_state())));
  if (GetParam() == StateStorage::Exact) {
    for (std::size_t i = 0; i < all.size(); i += 499)
      EXPECT_TRUE(std::ranges::equal(store.bytes(i), all[i]));
  } else {
    EXPECT_THROW(store.bytes(0), std::logic_error);
  }
}

INSTANTIATE_TEST_SUITE_P(Both, StoreModes,
                         ::testing::Values(StateStorage::Exact, StateStorage::HashCompaction));

/// vLLM FCFS on a pool of `blocks` 1-token blocks, prompts {1, 2}, outputs {1, 2, 3}, up to
/// `n` requests, 2 per step; `props` checked. Small pools preempt (no_preemption fails).
std::string vllm_tiny(int blocks, int n, const std::string& props) {
  return "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(blocks) +
         "\nmax_num_seqs = 3\n[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = "
         "\"deterministic\"\ncount = 4\n[envelope]\nprompt = [1, 3]\noutput = [1, 3]\n"
         "max_requests = 6\n[check]\nproperties = " + props +
         "\n[explore]\nprompts = [1, 2]\noutputs = [1, 3]\nmax_arrivals_per_step = 2\n"
         "max_requests = " + std::to_string(n) + "\nmax_states = 1000000\n";
}

std::vector<Config> differential_configs() {
  std::vector<Config> out;
  for (int blocks = 2; blocks <= 7; ++blocks)
    out.push_back(config_from(vllm_tiny(blocks, 3, R"(["kv_no_overflow", "no_preemption"])")));
  out.push_back(config_from(vllm_tiny(4, 4, R"(["kv_no_overflow", "conservation"])")));
  out.push_back(config_from(testing::p1_budgets(1, 3)));
  out.push_back(config_from(testing::p1_budgets(2, 3)));
  const std::filesystem::path dir = std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs";
  for (const auto* name : {"explore_p1_budgets_safe.toml", "explore_p1_budgets_unsafe.toml",
                           "explore_p2_example2_unstable.toml"})
    out.push_back(load_config(dir / name));
  return out;
}

/// What a path's steps did, step by step, for comparing two paths found by different code.
struct Step {
  std::vector<std::int32_t> arrivals;
  std::vector<std::int64_t> picks;
  std::uint32_t violated;
  ExplicitState next;
  bool operator==(const Step&) const = default;
};

std::vector<Step> steps_of(const ExploredGraph& g, const std::vector<std::uint32_t>& edges) {
  std::vector<Step> out;
  for (const auto id : edges)
    out.push_back({g.edges[id].arrivals, g.edges[id].picks, g.edges[id].violated,
                   g.states[g.edge_target[id]]});
  return out;
}

TEST(SafetySearch, AgreesWithTheGraphAnalysisOnEveryConfig) {
  int violated = 0, safe = 0;
  for (const auto& cfg : differential_configs()) {
    SCOPED_TRACE(cfg.text.substr(0, 120));
    const auto opts = read_explore_options(cfg);
    const SuccessorGenerator gen(cfg.model, cfg.time, opts);
    const auto g = build_graph(gen, opts.max_states);
    ASSERT_TRUE(g.complete);
    const auto want = shortest_violation(g, bfs_tree(g), opts);
    for (const auto storage : {StateStorage::Exact, StateStorage::HashCompaction}) {
      auto o = opts;
      o.storage = storage;
      const auto got = safety_search(gen, o);
      ASSERT_EQ(got.violation.has_value(), want.has_value());
      if (!want) {
        EXPECT_TRUE(got.exhausted);
        EXPECT_EQ(got.states, static_cast<std::int64_t>(g.states.size()));
        EXPECT_EQ(got.transitions, static_cast<std::int64_t>(g.edges.size()));
        ++safe;
        continue;
      }
      EXPECT_FALSE(got.exhausted);
      EXPECT_LE(got.states, static_cast<std::int64_t>(g.states.size()));
      const auto p = path_graph(gen, *got.violation);
      std::vector<std::uint32_t> all(got.violation->size());
      for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
      // the graph's witness ends with its violating edge; so does the path
      EXPECT_EQ(steps_of(p, all), steps_of(g, want->edges));
      ++violated;
    }
  }
  // both outcomes are covered (the configs are chosen for it)
  EXPECT_GE(violated, 6);
  EXPECT_GE(safe, 6);
}

TEST(SafetySearch, StopsAtTheShortestViolationsLayer) {
  // 3 blocks: two requests admitted together at step 0 preempt at step 1, the shortest way
  const auto cfg = config_from(vllm_tiny(3, 3, R"(["no_preemption"])"));
  const auto opts = read_explore_options(cfg);
  const SuccessorGenerator gen(cfg.model, cfg.time, opts);
  const auto s = safety_search(gen, opts);
  ASSERT_TRUE(s.violation.has_value());
  EXPECT_EQ(s.violation->size(), 2U);
  EXPECT_EQ(s.layers, 2);
  EXPECT_LT(s.states, static_cast<std::int64_t>(build_graph(gen, opts.max_states).states.size()));
}

TEST(SafetySearch, HashCompactionIsNeverAProof) {
  auto text = vllm_tiny(7, 3, R"(["kv_no_overflow"])");
  const auto cfg = config_from(text + "storage = \"hash_compaction\"\nanalyses = [\"safety\"]\n");
  const auto r = explore(cfg, read_explore_options(cfg));
  EXPECT_TRUE(r.hash_compaction);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_NE(r.verdict.reason.find("incomplete"), std::string::npos) << r.verdict.reason;
  // exact storage proves the same config
  const auto exact = config_from(text + "analyses = [\"safety\"]\n");
  EXPECT_EQ(explore(exact, read_explore_options(exact)).verdict.kind, VerdictKind::Proved);
  // and a violation found under hash compaction is still reported, replayed
  const auto bad =
      config_from(vllm_tiny(3, 3, R"(["no_preemption"])") + "storage = \"hash_compaction\"\n");
  const auto v = explore(bad, read_explore_options(bad));
  EXPECT_EQ(v.verdict.kind, VerdictKind::Violated);
  ASSERT_TRUE(v.safety.has_value());
  EXPECT_EQ(v.safety->trace.meta.violated_property, "no_preemption");
}

TEST(SafetySearch, StateLimitIsUnknownInBothModes) {
  for (const auto* storage : {"exact", "hash_compaction"}) {
    auto text = vllm_tiny(7, 3, R"(["kv_no_overflow"])");
    text.replace(text.find("max_states = 1000000"), 20, "max_states = 10");
    const auto cfg = config_from(text + "storage = \"" + storage + "\"\nanalyses = [\"safety\"]\n");
    const auto r = explore(cfg, read_explore_options(cfg));
    EXPECT_EQ(r.states, 10) << storage;
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown) << storage;
  }
}

// The memory the pass reports covers at least what it must hold per state (the parent record,
// 8 bytes, and a table slot, 8 bytes at load <= 1/2, so 16 more) and stays under 200 bytes per
// state on a graph of some thousand states (the target is 100 at the benchmark's size; docs/perf.md).
TEST(SafetySearch, ReportsTheMemoryItHolds) {
  for (const auto storage : {StateStorage::Exact, StateStorage::HashCompaction}) {
    const auto cfg = config_from(vllm_tiny(7, 6, R"(["kv_no_overflow"])"));
    auto opts = read_explore_options(cfg);
    opts.storage = storage;
    const SuccessorGenerator gen(cfg.model, cfg.time, opts);
    const auto r = safety_search(gen, opts);
    ASSERT_TRUE(r.exhausted);
    ASSERT_GT(r.states, 1000);
    const auto per_state = static_cast<double>(r.memory_bytes) / static_cast<double>(r.states);
    EXPECT_GE(per_state, 24.0);
    EXPECT_LT(per_state, 200.0);
  }
}

// The graph is built only for an analysis that applies: starvation in bounded mode, instability
// in saturated mode. Bounded with instability alone: the safety pass is the whole run.
TEST(SafetySearch, GraphOnlyForAnAnalysisThatApplies) {
  const auto text = vllm_tiny(7, 3, R"(["kv_no_overflow"])");
  const auto run = [&](const std::string& analyses) {
    const auto cfg = config_from(text + "analyses = " + analyses + "\n");
    return explore(cfg, read_explore_options(cfg));
  };
  const auto inst = run(R"(["safety", "instability"])");
  EXPECT_FALSE(inst.graph);
  EXPECT_EQ(inst.verdict.kind, VerdictKind::Proved);
  const auto starv = run(R"(["safety", "starvation"])");
  EXPECT_TRUE(starv.graph);
  EXPECT_EQ(starv.states, inst.states);  // the same reachable states, found twice
}

// An empty explorer property list with the safety analysis would be PROVED about nothing: a
// config error, as an empty [check] list is. Without the safety analysis it is allowed.
TEST(SafetySearch, EmptyPropertyListIsAConfigErrorForSafety) {
  auto text = vllm_tiny(7, 3, R"(["kv_no_overflow"])");
  try {
    (void)read_explore_options(config_from(text + "properties = []\n"));
    ADD_FAILURE() << "an empty property list was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "explore.properties");
  }
  EXPECT_NO_THROW((void)read_explore_options(
      config_from(text + "properties = []\nanalyses = [\"starvation\"]\n")));
}

TEST(SafetySearch, StorageFieldIsChecked) {
  const auto cfg = config_from(vllm_tiny(7, 3, R"(["kv_no_overflow"])") + "storage = \"bits\"\n");
  EXPECT_THROW(read_explore_options(cfg), InputError);
}

}  // namespace
}  // namespace kvcheck::explicit_state
