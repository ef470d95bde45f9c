// Three-way agreement (issue 13): on one workload envelope (io/envelope.h) the explicit-state
// explorer, Z3 k-induction and the RapidCheck fuzzer must not contradict each other. A
// contradiction is a VIOLATED witness (a concrete workload, found by one checker) that lies
// inside the part of the envelope another checker PROVED (or the explorer exhausted), on a
// safety property both check. UNKNOWN (a state limit, a solver budget) may disagree with anything.
// The expectations come from that rule alone, not from earlier outputs.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checkers/z3/bmc_spec.h"
#include "checkers/explicit/explore_options.h"
#include "checkers/explicit/explorer.h"
#include "checkers/fuzz/fuzz_model.h"
#include "checkers/fuzz/search.h"
#include "checkers/z3/k_induction.h"
#include "checkers/z3/seed_search.h"
#include "io/config.h"
#include "io/envelope.h"
#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

namespace fs = std::filesystem;
namespace ex = explicit_state;

/// One checker's outcome: did it prove its part of the envelope, and a witness if violated.
struct Outcome {
  std::string checker;
  bool ran = false;
  bool proved = false;               ///< PROVED / exhausted explorer
  std::vector<PropertyId> properties;
  std::optional<Workload> witness;   ///< VIOLATED: the workload
  std::string property;              ///< the violated property's name
  std::string detail;
  double seconds = 0.0;              ///< wall time, printed only (nothing depends on it)
  /// Is `w` inside the part of the envelope this checker proved?
  std::function<bool(const Workload&)> covers;
};

bool checks(const Outcome& o, const std::string& property) {
  for (auto p : o.properties)
    if (info(p).name == property) return true;
  return false;
}

bool is_safety(const std::string& name) {
  const auto id = parse_property(name);
  return id && info(*id).kind == PropertyKind::Safety;
}

std::map<std::int64_t, std::int64_t> per_step(const Workload& w) {
  std::map<std::int64_t, std::int64_t> n;
  for (const auto& r : w.requests) ++n[r.arrival_step];
  return n;
}

Outcome run_explore(const Config& cfg, std::int64_t max_states) {
  Outcome o;
  o.checker = "explore";
  ex::ExploreOptions opts;
  try {
    opts = ex::read_explore_options(cfg);
  } catch (const InputError& e) {
    o.detail = e.what();
    return o;
  }
  opts.max_states = std::min(opts.max_states, max_states);
  opts.analyses = {true, false, false};  // safety: the property the others check too
  const auto r = ex::explore(cfg, opts);
  o.ran = true;
  o.properties = opts.properties;
  o.proved = r.verdict.kind == VerdictKind::Proved && r.complete;
  if (r.safety) {
    o.witness = r.safety->trace.workload;
    o.property = r.safety->witness.property;
  }
  o.detail = to_string(r.verdict) + " " + r.verdict.reason;
  o.covers = [opts](const Workload& w) {
    if (opts.mode != ex::ExploreMode::Bounded || opts.min_arrivals > 0 || opts.max_waiting > 0)
      return false;
    if (opts.max_requests > 0 && static_cast<std::int64_t>(w.requests.size()) > opts.max_requests)
      return false;
    for (const auto& [step, n] : per_step(w))
      if (n > opts.max_arrivals) return false;
    for (const auto& q : w.requests)
      if (std::find(opts.shapes.begin(), opts.shapes.end(),
                    ex::ArrivalShape{q.prompt, q.output, q.klass}) == opts.shapes.end())
        return false;
    return true;
  };
  return o;
}

Outcome run_prove(const Config& cfg, double seconds) {
  Outcome o;
  o.checker = "prove";
  BmcSpec spec;
  try {
    // As the commands do: the Z3 unrolling has no in-flight requests.
    refuse_in_flight_for_z3(cfg);
    spec = parse_bmc_spec(cfg);
  } catch (const InputError& e) {
    o.detail = e.what();
    return o;
  }
  SolverOptions so;
  so.rlimit = 50'000'000;  // exhausted: UNKNOWN, allowed to disagree
  so.deadline = std::chrono::steady_clock::now() +
                std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  const auto r = prove_k_induction(cfg.model, spec, so);
  o.ran = true;
  o.properties = spec.properties;
  o.proved = r.verdict.kind == VerdictKind::Proved;
  if (r.cex) {
    o.witness = r.cex->workload;
    o.property = std::string(info(r.cex->property).name);
  }
  o.detail = to_string(r.verdict) + " " + r.verdict.reason;
  const auto params = cfg.model;
  o.covers = [spec, params](const Workload& w) { return within_spec(params, spec, w); };
  return o;
}

Outcome run_fuzz(const Config& cfg, int runs) {
  Outcome o;
  o.checker = "fuzz";
  fuzz::ModelPtr m;
  try {
    m = fuzz::make_fuzz_model(cfg);
  } catch (const InputError& e) {
    o.detail = e.what();
    return o;
  }
  fuzz::SearchParams p;
  p.seed = 7;
  p.runs = runs;
  const auto r = fuzz::search(m, p);
  o.ran = true;
  o.properties = m->properties;
  if (r.failure) {
    o.witness = m->case_workload(r.failure->minimal);
    o.property = r.failure->result.what;
  }
  o.detail = r.failure ? "VIOLATED " + r.failure->result.what : "no violation";
  o.covers = [](const Workload&) { return false; };  // random cases prove nothing
  return o;
}

std::string show(const Workload& w) {
  std::string s;
  for (const auto& r : w.requests)
    s += "{t" + std::to_string(r.arrival_step) + " p" + std::to_string(r.prompt) + " o" +
         std::to_string(r.output) + " c" + std::to_string(r.klass) + "} ";
  return s;
}

/// The agreement rule over every pair; returns the contradictions found.
std::vector<std::string> contradictions(const std::vector<Outcome>& all) {
  std::vector<std::string> out;
  for (const auto& v : all) {
    if (!v.witness || !is_safety(v.property)) continue;
    for (const auto& p : all) {
      if (&p == &v || !p.proved || !checks(p, v.property)) continue;
      if (p.covers(*v.witness))
        out.push_back(p.checker + " PROVED (" + p.detail + ") but " + v.checker + " VIOLATED " +
                      v.property + " on a workload inside its part of the envelope: " +
                      show(*v.witness));
    }
  }
  return out;
}

/// `f()` with its wall time recorded in the outcome (printed, never compared).
template <class F>
Outcome timed(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  Outcome o = f();
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

/// `prove_seconds`: an outer guard only (reached: UNKNOWN, which may disagree); the per-query
/// rlimit decides the path. `explored`: the explorer's outcome when the caller already has it.
std::vector<Outcome> run_all(const Config& cfg, bool with_fuzz, double prove_seconds = 20.0,
                             std::optional<Outcome> explored = std::nullopt) {
  std::vector<Outcome> all;
  all.push_back(explored ? std::move(*explored) : timed([&] { return run_explore(cfg, 50'000); }));
  all.push_back(timed([&] { return run_prove(cfg, prove_seconds); }));
  if (with_fuzz) all.push_back(timed([&] { return run_fuzz(cfg, 100); }));
  return all;
}

// The reproducer: explore said PROVED (11 states), prove VIOLATED at step 1 on
// a class b of prompt 3 and output 3 that the config does not have. Both now read the
// envelope's classes (a: prompt 1, output 2; b: prompt 2, output 1), budgets 1 + 1 keep
// 5 + 3 = 8 <= 8 tokens (the file's header), so both must prove it.
TEST(Agreement, ExploreP1BudgetsSafeExploreAndProveAgree) {
  const auto cfg = load_config(fs::path(KVCHECK_SOURCE_DIR) / "configs" / "explore_p1_budgets_safe.toml");
  const auto all = run_all(cfg, false, 600.0);  // a loaded machine must not make it UNKNOWN
  for (const auto& o : all) EXPECT_TRUE(o.ran) << o.checker << ": " << o.detail;
  EXPECT_TRUE(all[0].proved) << all[0].detail;
  EXPECT_TRUE(all[1].proved) << all[1].detail;
  const auto c = contradictions(all);
  EXPECT_TRUE(c.empty()) << c.front();
}

/// The shipped configs, one ctest entry each (so ctest -j spreads them over the cores).
std::vector<std::string> shipped_config_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(KVCHECK_SOURCE_DIR) / "configs"))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Configs the explorer must exhaust or refute within 50,000 states (small by construction,
/// hand-checked in their headers): were one of them skipped, the agreement rule would be
/// checked on fewer configs than it claims, so for these a skip is a failure.
bool must_compare(const std::string& name) {
  static const char* const kSmall[] = {"vllm_fcfs_safe", "vllm_fcfs_unsafe", "orca_safe",
                                       "p1_flow_control_safe", "explore_p1_budgets_safe",
                                       "explore_p1_budgets_unsafe"};
  return std::find(std::begin(kSmall), std::end(kSmall), name) != std::end(kSmall);
}

class ShippedAgreement : public ::testing::TestWithParam<std::string> {};

// Every shipped config the explorer exhausts (or refutes) within 50,000 states: explore,
// prove and fuzz must not contradict each other on it.
TEST_P(ShippedAgreement, NoContradiction) {
  const auto cfg = load_config(fs::path(KVCHECK_SOURCE_DIR) / "configs" / (GetParam() + ".toml"));
  if (cfg.cluster.only || cfg.network_only)  // P3 [cluster], [network]: no workload
    GTEST_SKIP() << "no per-iteration workload";
  auto ex = timed([&] { return run_explore(cfg, 50'000); });
  if (!ex.ran || !(ex.proved || ex.witness)) {
    if (must_compare(GetParam())) FAIL() << "the explorer did not finish: " << ex.detail;
    GTEST_SKIP() << "too big for the explorer: " << ex.detail;
  }
  const auto all = run_all(cfg, true, 20.0, std::move(ex));
  for (const auto& o : all)
    std::printf("%s %s: %s (%.1f s)\n", cfg.name.c_str(), o.checker.c_str(), o.detail.c_str(),
                o.seconds);
  for (const auto& c : contradictions(all)) ADD_FAILURE() << cfg.name << ": " << c;
}

INSTANTIATE_TEST_SUITE_P(Configs, ShippedAgreement, ::testing::ValuesIn(shipped_config_names()),
                         [](const auto& p) { return p.param; });

/// A tiny random envelope as a config: a pool of 3..8 one-token blocks, 1..3 requests with
/// prompt and output in [1, 3], a policy every checker supports.
struct TinyEnvelope {
  std::string policy;
  std::int64_t blocks = 3, requests = 1, prompt_hi = 1, output_hi = 1, lookahead = 0;
  std::string toml() const {
    return "[engine]\nblock_size = 1\nnum_blocks = " + std::to_string(blocks) +
           "\nlookahead = " + std::to_string(lookahead) + "\n[policy]\nname = \"" + policy +
           "\"\n[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 1, output = 1 }]\n"
           "[check]\nproperties = [\"kv_no_overflow\", \"kv_within_capacity\", \"no_preemption\", "
           "\"conservation\"]\n[envelope]\nprompt = [1, " + std::to_string(prompt_hi) +
           "]\noutput = [1, " + std::to_string(output_hi) + "]\nmax_requests = " +
           std::to_string(requests) + "\n[explore]\nmax_requests = " + std::to_string(requests) +
           "\nmax_arrivals_per_step = " + std::to_string(requests) + "\n[bmc]\narrival = [0, 2]\n" +
           "max_k = 4\n[fuzz]\nmax_groups = 3\n[fuzz.stability]\nenabled = false\n";
  }
};

rc::Gen<TinyEnvelope> tiny_envelope() {
  return rc::gen::apply(
      [](std::string policy, std::int64_t blocks, std::int64_t n, std::int64_t p, std::int64_t o,
         std::int64_t la) {
        return TinyEnvelope{std::move(policy), blocks, n, p, o, la};
      },
      rc::gen::element<std::string>("vllm_fcfs", "p2_fcfs", "sarathi", "orca",
                                    "faster_transformer", "vanilla_vllm"),
      rc::gen::inRange<std::int64_t>(3, 9), rc::gen::inRange<std::int64_t>(1, 4),
      rc::gen::inRange<std::int64_t>(1, 4), rc::gen::inRange<std::int64_t>(1, 4),
      rc::gen::inRange<std::int64_t>(0, 2));
}

// Random tiny envelopes drawn with RapidCheck's generators (a fixed seed per case, so a failure
// names its config), under the same rule; the Z3 budget keeps each case to seconds.
TEST(Agreement, RandomTinyEnvelopes) {
  const auto gen = tiny_envelope();
  for (int i = 0; i < 30; ++i) {
    const auto env = gen(rc::Random(static_cast<std::uint64_t>(1000 + i)), 50).value();
    const auto text = env.toml();
    const auto cfg = parse_config(text, "tiny_" + std::to_string(i) + ".toml");
    const auto all = run_all(cfg, true);
    for (const auto& o : all) EXPECT_TRUE(o.ran) << o.checker << ": " << o.detail << "\n" << text;
    for (const auto& c : contradictions(all)) ADD_FAILURE() << c << "\n" << text;
  }
}

}  // namespace
}  // namespace kvcheck
