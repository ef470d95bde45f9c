// ITF JSON: write -> read gives the same Trace on recorded runs of every policy; the written
// form follows ADR-015 (bigints, sorted sets, params in state 0); malformed input is an
// InputError(150) naming the file and the JSON path, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>
#include <nlohmann/json.hpp>

#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "models/choice_source.h"
#include "counterexamples/replay.h"
#include "io/input_error.h"
#include "trace_fixtures.h"

namespace kvcheck {
namespace {

using nlohmann::json;
using testing::recorded_run;

/// Field-by-field equality of the model, time model and workload (no operator== there).
void expect_same_model(const Trace& a, const Trace& b) {
  const auto &ea = a.params.engine, &eb = b.params.engine;
  EXPECT_EQ(std::tie(ea.block_size, ea.num_blocks, ea.lookahead, ea.max_num_seqs,
                     ea.max_batched_tokens, ea.chunked_prefill, ea.requeue),
            std::tie(eb.block_size, eb.num_blocks, eb.lookahead, eb.max_num_seqs,
                     eb.max_batched_tokens, eb.chunked_prefill, eb.requeue));
  const auto &pa = a.params.policy, &pb = b.params.policy;
  EXPECT_EQ(std::tie(pa.kind, pa.watermark_blocks, pa.admit_after_preempt, pa.flow_budget_min,
                     pa.flow_budget_max, pa.max_batch_seqs),
            std::tie(pb.kind, pb.watermark_blocks, pb.admit_after_preempt, pb.flow_budget_min,
                     pb.flow_budget_max, pb.max_batch_seqs));
  ASSERT_EQ(a.params.classes.size(), b.params.classes.size());
  for (std::size_t i = 0; i < a.params.classes.size(); ++i) {
    const auto &x = a.params.classes[i], &y = b.params.classes[i];
    EXPECT_EQ(std::tie(x.name, x.prompt, x.output, x.rate, x.budget, x.threshold),
              std::tie(y.name, y.prompt, y.output, y.rate, y.budget, y.threshold));
  }
  const auto &ta = a.time, &tb = b.time;
  EXPECT_EQ(std::tie(ta.kind, ta.unit, ta.d0, ta.d1, ta.c, ta.a, ta.b0, ta.la, ta.lb, ta.lc, ta.ld),
            std::tie(tb.kind, tb.unit, tb.d0, tb.d1, tb.c, tb.a, tb.b0, tb.la, tb.lb, tb.lc, tb.ld));
  EXPECT_EQ(a.workload.clock, b.workload.clock);
  ASSERT_EQ(a.workload.requests.size(), b.workload.requests.size());
  for (std::size_t i = 0; i < a.workload.requests.size(); ++i) {
    const auto &x = a.workload.requests[i], &y = b.workload.requests[i];
    EXPECT_EQ(std::tie(x.arrival_step, x.arrival_time, x.prompt, x.output, x.klass),
              std::tie(y.arrival_step, y.arrival_time, y.prompt, y.output, y.klass));
  }
}

void expect_same(const Trace& a, const Trace& b) {
  expect_same_model(a, b);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.loop, b.loop);
  const auto &ma = a.meta, &mb = b.meta;
  EXPECT_EQ(std::tie(ma.kvcheck_version, ma.source, ma.status, ma.config_name, ma.config_hash,
                     ma.seed, ma.depth, ma.violated_property, ma.violation_step, ma.z3_version,
                     ma.note),
            std::tie(mb.kvcheck_version, mb.source, mb.status, mb.config_name, mb.config_hash,
                     mb.seed, mb.depth, mb.violated_property, mb.violation_step, mb.z3_version,
                     mb.note));
  EXPECT_EQ(to_itf_json(a), to_itf_json(b));
}

// The round trip below only shows a field survives if the fixture sets it away from its default
// (a writer that dropped `lookahead` passed while the fixture left it at 0).
TEST(Itf, FixtureSetsEveryModelFieldAwayFromItsDefault) {
  const auto p = testing::small_model(PolicyKind::P1FlowControl);
  const EngineParams e;
  EXPECT_NE(p.engine.block_size, e.block_size);
  EXPECT_NE(p.engine.num_blocks, e.num_blocks);
  EXPECT_NE(p.engine.lookahead, e.lookahead);
  EXPECT_NE(p.engine.max_num_seqs, e.max_num_seqs);
  EXPECT_NE(p.engine.max_batched_tokens, e.max_batched_tokens);
  EXPECT_NE(p.engine.chunked_prefill, e.chunked_prefill);
  EXPECT_NE(p.engine.requeue, e.requeue);
  const PolicyParams d;
  EXPECT_NE(p.policy.watermark_blocks, d.watermark_blocks);
  EXPECT_NE(p.policy.admit_after_preempt, d.admit_after_preempt);
  EXPECT_NE(p.policy.flow_budget_min, d.flow_budget_min);
  EXPECT_NE(p.policy.flow_budget_max, d.flow_budget_max);
  EXPECT_NE(p.policy.max_batch_seqs, d.max_batch_seqs);
  const auto t = testing::recorded_run(PolicyKind::P1FlowControl);
  const TimeModel dt;
  EXPECT_NE(t.time.kind, dt.kind);
  EXPECT_NE(t.time.d0, dt.d0);
  EXPECT_NE(t.time.d1, dt.d1);
  EXPECT_NE(t.time.c, dt.c);
  EXPECT_NE(t.time.b0, dt.b0);
  EXPECT_NE(t.time.la, dt.la);
  EXPECT_NE(t.time.unit, dt.unit);
  EXPECT_NE(t.time.a, dt.a);
  EXPECT_NE(t.time.lb, dt.lb);
  EXPECT_NE(t.time.lc, dt.lc);
  EXPECT_NE(t.time.ld, dt.ld);
}

TEST(Itf, RoundTripsRecordedRunsOfEveryPolicy) {
  for (auto kind : all_policy_kinds()) {
    SCOPED_TRACE(std::string(to_string(kind)));
    const auto t = recorded_run(kind);
    ASSERT_FALSE(t.states.empty());
    const auto back = parse_itf(to_itf_json(t), "mem");
    expect_same(t, back);
    EXPECT_EQ(back.params.policy.kind, kind);
    EXPECT_EQ(back.workload.requests.size(), t.workload.requests.size());
    EXPECT_EQ(back.time.d1, t.time.d1);  // bit-exact real
    EXPECT_EQ(back.meta.note, t.meta.note);
    EXPECT_EQ(back.meta.violation_step, t.meta.violation_step);
  }
}

// A closed-loop run (c = 1, three requests at step 0) records max_concurrency, reads it back,
// and replays: without it the replay would admit all three at step 0 and diverge at
// states[0].arrived. Open-loop traces carry no such key (their bytes are unchanged).
TEST(Itf, ClosedLoopTracesRecordTheirConcurrencyAndReplay) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 16;
  Workload w;
  for (int i = 0; i < 3; ++i) w.requests.push_back({0, 0.0, 2, 2, 0});
  w.max_concurrency = 1;
  SeededChoices choices(1);
  auto t = record_run(p, TimeModel{}, w, choices, SimOptions{}, TraceMeta{});
  const auto text = to_itf_json(t);
  const json one = {{"#bigint", "1"}};
  EXPECT_EQ(json::parse(text)["states"][0]["max_concurrency"], one);
  const auto back = parse_itf(text, "mem");
  EXPECT_EQ(back.workload.max_concurrency, 1);
  EXPECT_TRUE(replay(back).reproduced) << replay(back).message();
  auto open = back;
  open.workload.max_concurrency = 0;
  const auto r = replay(open);
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.field, "states[1].arrived") << r.message();
  EXPECT_FALSE(json::parse(to_itf_json(open))["states"][0].contains("max_concurrency"));
}

TEST(Itf, FlowControlRecordsItsPicks) {
  const auto t = recorded_run(PolicyKind::P1FlowControl);
  std::size_t picks = 0;
  for (const auto& s : t.states) picks += s.picks.size();
  ASSERT_GT(picks, 0U);
  EXPECT_EQ(parse_itf(to_itf_json(t), "mem").picks(), t.picks());
}

TEST(Itf, FileRoundTripAndLoop) {
  auto t = recorded_run(PolicyKind::VllmFcfs);
  t.loop = 2;
  t.meta.seed = 0xFFFFFFFFFFFFFFFFULL;  // beyond int64: still exact
  const auto path = std::filesystem::path(KVCHECK_BINARY_DIR) / "test-out" / "rt.itf.json";
  write_itf(t, path);
  const auto back = read_itf(path);
  expect_same(t, back);
  EXPECT_EQ(back.meta.seed, t.meta.seed);
  EXPECT_EQ(json::parse(to_itf_json(t))["loop"], 3);  // ITF index: state 0 is "init"
}

// A lasso may loop back to its very last state (a self-loop witness): ITF loop index = the
// number of trace states (state 0 is "init"), the largest the reader accepts.
TEST(Itf, ALoopAtTheLastStateReadsBack) {
  auto t = recorded_run(PolicyKind::VllmFcfs);
  ASSERT_GE(t.states.size(), 2U);
  t.loop = static_cast<std::int64_t>(t.states.size()) - 1;
  const auto text = to_itf_json(t);
  EXPECT_EQ(json::parse(text)["loop"], t.states.size());
  const auto back = parse_itf(text, "mem");
  ASSERT_TRUE(back.loop.has_value());
  EXPECT_EQ(*back.loop, *t.loop);
}

TEST(Itf, WrittenFormFollowsAdr015) {
  const auto t = recorded_run(PolicyKind::P2Fcfs);
  const auto j = json::parse(to_itf_json(t));
  EXPECT_EQ(j["#meta"]["format"], "ITF");
  EXPECT_EQ(j["#meta"]["policy"], "p2_fcfs");
  ASSERT_EQ(j["states"].size(), t.states.size() + 1);
  const auto& s0 = j["states"][0];
  EXPECT_EQ(s0["mbt::actionTaken"], "init");
  EXPECT_EQ(s0["num_blocks"], json({{"#bigint", "24"}}));
  for (const auto& name : j["params"]) EXPECT_TRUE(s0.contains(name)) << name;
  for (std::size_t i = 0; i < j["states"].size(); ++i) {
    const auto& s = j["states"][i];
    EXPECT_EQ(s["#meta"]["index"], i);
    for (const auto& v : j["vars"]) EXPECT_TRUE(s.contains(v)) << v << " in state " << i;
    if (i > 0) {
      EXPECT_FALSE(s.contains("num_blocks"));
    }
    const auto& arr = s["mbt::nondetPicks"]["arrivals"];
    if (arr["tag"] == "Some") {
      const auto& set = arr["value"]["#set"];
      for (std::size_t k = 1; k < set.size(); ++k)
        EXPECT_LT(std::stoll(set[k - 1]["#bigint"].get<std::string>()),
                  std::stoll(set[k]["#bigint"].get<std::string>()));
    }
  }
  EXPECT_EQ(j["states"][1]["step"], json({{"#bigint", "0"}}));
}

TEST(Itf, ReaderAcceptsPlainJsonIntegers) {
  const auto t = recorded_run(PolicyKind::VllmFcfs);
  auto j = json::parse(to_itf_json(t));
  j["states"][0]["num_blocks"] = 24;
  j["states"][1]["step"] = 0;
  EXPECT_EQ(parse_itf(j.dump(), "mem").states, t.states);
}

/// The InputError from parsing `text`; fails the test when it parses.
InputError parse_error(const std::string& text) {
  try {
    (void)parse_itf(text, "bad.itf.json");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "parsed: " << text.substr(0, 80);
  return trace_error("", "", "");
}

struct Tamper {
  const char* name;
  void (*edit)(json&);
  const char* field;  ///< expected JSON path in the message
};

const Tamper kTampers[] = {
    {"missing states", [](json& j) { j.erase("states"); }, "states"},
    {"empty states", [](json& j) { j["states"] = json::array(); }, "states"},
    {"missing param", [](json& j) { j["states"][0].erase("num_blocks"); }, "states[0].num_blocks"},
    {"wrong type", [](json& j) { j["states"][2]["running"] = "x"; }, "states[2].running"},
    {"float int", [](json& j) { j["states"][1]["step"] = 1.5; }, "states[1].step"},
    {"bad bigint", [](json& j) { j["states"][1]["used_blocks"] = {{"#bigint", "1e3"}}; },
     "states[1].used_blocks"},
    {"overflow", [](json& j) { j["states"][1]["used_blocks"] = {{"#bigint", "99999999999999999999"}}; },
     "states[1].used_blocks"},
    {"negative id", [](json& j) { j["states"][1]["arrived"][0] = {{"#bigint", "-1"}}; },
     "states[1].arrived[0]"},
    {"unknown policy", [](json& j) { j["states"][0]["policy"] = "lottery"; }, "states[0].policy"},
    {"zero block size", [](json& j) { j["states"][0]["block_size"] = {{"#bigint", "0"}}; },
     "states[0].block_size"},
    {"bad real", [](json& j) { j["states"][0]["time_model"]["d0"] = "fast"; },
     "states[0].time_model.d0"},
    {"bad tag", [](json& j) { j["states"][1]["mbt::nondetPicks"]["choices"]["tag"] = "Maybe"; },
     "states[1].mbt::nondetPicks.choices.tag"},
    {"arrivals mismatch", [](json& j) { j["states"][1]["arrived"] = json::array(); },
     "states[1].mbt::nondetPicks.arrivals"},
    {"no init", [](json& j) { j["states"][0]["mbt::actionTaken"] = "step"; },
     "states[0].mbt::actionTaken"},
    {"bad loop", [](json& j) { j["loop"] = 999; }, "loop"},
    {"not ITF", [](json& j) { j["#meta"]["format"] = "TLC"; }, "#meta.format"},
    {"meta not an object", [](json& j) { j["#meta"] = json::array(); }, "#meta"},
    {"meta policy mismatch", [](json& j) { j["#meta"]["policy"] = "orca"; }, "#meta.policy"},
    {"map keys unsorted", [](json& j) {
       auto& m = j["states"][2]["requests"]["#map"];
       std::swap(m[0], m[1]);
     }, "states[2].requests.#map[1][0]"},
    {"class out of range", [](json& j) { j["states"][0]["workload"][0]["class"] = {{"#bigint", "7"}}; },
     "states[0].workload[0].class"},
    // the fixture's two classes are 0 and 1: 2 is one past the last
    {"class one past the last", [](json& j) { j["states"][0]["workload"][0]["class"] = {{"#bigint", "2"}}; },
     "states[0].workload[0].class"},
    // `params` and `vars` list names (docs/itf.md): strings, each checked, not only the first
    {"param name not a string", [](json& j) { j["params"][1] = 7; }, "params[1]"},
    {"var name not a string", [](json& j) { j["vars"][2] = json::array(); }, "vars[2]"},
};

TEST(Itf, MalformedTracesNameFileAndField) {
  const auto good = json::parse(to_itf_json(recorded_run(PolicyKind::VllmFcfs)));
  for (const auto& t : kTampers) {
    SCOPED_TRACE(t.name);
    auto j = good;
    t.edit(j);
    const auto e = parse_error(j.dump());
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
    EXPECT_EQ(e.file(), "bad.itf.json");
    EXPECT_EQ(e.field(), t.field) << e.what();
  }
}

TEST(Itf, BadJsonAndTruncationAreParseErrors) {
  const auto text = to_itf_json(recorded_run(PolicyKind::P2Fcfs));
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, text.size() / 3, text.size() - 3}) {
    const auto e = parse_error(text.substr(0, cut));
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
    EXPECT_NE(std::string(e.what()).find("bad.itf.json"), std::string::npos);
  }
  EXPECT_EQ(parse_error("[1, 2]").field(), "(document)");
  EXPECT_EQ(parse_error("{\"states\": 3}").field(), "states");
  EXPECT_EQ(parse_error(std::string(100000, '[')).code(), ExitCode::TraceParseError);
}

// Any single-value mutation of a real trace either parses (and then replays without throwing:
// reproduced or diverged) or is an InputError(150): never another exception or a crash.
TEST(Itf, MutatedTracesNeverEscapeAsOtherErrors) {
  const auto good = json::parse(to_itf_json(recorded_run(PolicyKind::P1FlowControl, 3, 12)));
  const auto leaves = good.flatten();
  std::vector<std::string> paths;
  for (const auto& [k, v] : leaves.items()) paths.push_back(k);
  const json junk[] = {"x", -1, 2.5, nullptr, json::object(), json::array({1}), true,
                       json{{"#bigint", "-99999999999999999999"}}, json{{"#bigint", "7"}},
                       json{{"tag", "Some"}, {"value", 3}}};
  std::uint64_t rng = 12345;
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 100; ++i) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto& path = paths[(rng >> 33) % paths.size()];
    auto j = good;
    j[json::json_pointer(path)] = junk[(rng >> 13) % std::size(junk)];
    try {
      const auto t = parse_itf(j.dump(), "m.itf.json");
      ++parsed;
      (void)replay(t);
    } catch (const InputError& e) {
      ++rejected;
      EXPECT_EQ(e.code(), ExitCode::TraceParseError) << path;
    } catch (const std::exception& e) {
      ADD_FAILURE() << path << " -> " << e.what();
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(parsed, 0) << "no mutation was accepted: the replay path went untested";
}

// A checked-in trace (`kvcheck simulate configs/p2_fcfs_unsafe.toml --itf
// tests/counterexamples/data/p2_fcfs_unsafe.itf.json`) keeps parsing, replaying and re-writing
// byte-identically: a format change must be deliberate (regenerate the file with that command).
TEST(Itf, GoldenTraceStaysReadableAndByteStable) {
  const auto path =
      std::filesystem::path(KVCHECK_SOURCE_DIR) / "tests/counterexamples/data/p2_fcfs_unsafe.itf.json";
  const auto t = read_itf(path);
  EXPECT_EQ(t.meta.violated_property, "no_preemption");
  EXPECT_EQ(t.params.policy.kind, PolicyKind::P2Fcfs);
  const auto r = replay(t);
  EXPECT_TRUE(r.reproduced) << r.message();
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(to_itf_json(t), text);
}

// A trace written before the vLLM rules' parameters existed (kParamsAddedLater, 2026-12) still
// parses with their defaults and replays: the same run, the same verdict.
TEST(Itf, TraceWithoutLaterParamsReadsWithDefaults) {
  const auto path = std::filesystem::path(KVCHECK_SOURCE_DIR) /
                    "tests/counterexamples/data/p2_fcfs_unsafe.before-vllm-rules.itf.json";
  const auto t = read_itf(path);
  EXPECT_EQ(t.params.engine.max_model_len, kUnlimited);
  EXPECT_TRUE(t.params.engine.reject_unservable);
  EXPECT_FALSE(t.params.engine.recompute_keeps_output);
  EXPECT_FALSE(t.params.policy.full_sequence_admission);
  const auto r = replay(t);
  EXPECT_TRUE(r.reproduced) << r.message();
}

TEST(Itf, MissingFileIsAParseError) {
  try {
    (void)read_itf("/nonexistent/x.itf.json");
    FAIL() << "read a missing file";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
    EXPECT_EQ(e.file(), "/nonexistent/x.itf.json");
  }
}

}  // namespace
}  // namespace kvcheck
