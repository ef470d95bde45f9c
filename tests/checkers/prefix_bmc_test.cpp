// BMC from a simulated prefix (checkers/z3/prefix_bmc.h, issue 14 item 5): the symbolic start
// state equals the concrete one and the symbolic unrolling from it, with the new arrivals fixed,
// equals the concrete engine continuing from the prefix (every policy, every step and field);
// a known-unsafe case is VIOLATED with a whole-run trace that replays from the empty engine and
// repeats the prefix; a known-safe case, an exhausted rlimit and too many residents are UNKNOWN,
// never a pass; bad steps are config errors naming the flag.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>

#include "checkers/z3/confirm.h"
#include "checkers/z3/prefix_bmc.h"
#include "counterexamples/replay.h"
#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/engine_step.h"
#include "random_model.h"

namespace kvcheck {
namespace {

using test::random_params;

/// Prefix picks for steps < S (as recorded), seeded choices after; records every pick.
class PrefixThenSeeded final : public ChoiceSource {
 public:
  PrefixThenSeeded(std::vector<std::vector<std::int64_t>> prefix, std::uint64_t seed)
      : prefix_(std::move(prefix)), seeded_(seed) {}
  std::int64_t pick(std::int64_t step, int id, std::int64_t lo, std::int64_t hi) override {
    if (step != cur_) cur_ = step, idx_ = 0;
    const auto s = static_cast<std::size_t>(step);
    const auto v = s < prefix_.size() && idx_ < prefix_[s].size() ? prefix_[s][idx_++]
                                                                   : seeded_.pick(step, id, lo, hi);
    if (picks.size() <= s) picks.resize(s + 1);
    picks[s].push_back(v);
    return v;
  }
  std::vector<std::vector<std::int64_t>> picks;

 private:
  std::vector<std::vector<std::int64_t>> prefix_;
  SeededChoices seeded_;
  std::int64_t cur_ = -1;
  std::size_t idx_ = 0;
};

bool per_class(const ModelParams& p) {
  return p.policy.kind == PolicyKind::P2Wait || p.policy.kind == PolicyKind::P1ClassBudgets;
}

Request random_request(const ModelParams& p, std::int64_t arrival, std::mt19937_64& rng) {
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  Request r;
  r.arrival_step = arrival;
  r.arrival_time = static_cast<double>(arrival);
  r.klass = pick(0, 1);
  const auto& c = p.classes[static_cast<std::size_t>(r.klass)];
  r.prompt = per_class(p) ? c.prompt : pick(1, 4);
  r.output = per_class(p) ? c.output : pick(1, 4);
  return r;
}

struct SlotObs {
  std::int64_t status, pos, computed, generated, blocks;
};

SlotObs observe(const ConcreteView& v, std::int32_t id) {
  const auto& st = v.state(id);
  SlotObs o{static_cast<std::int64_t>(st.status), 0, st.computed, st.generated, st.blocks};
  for (std::size_t k = 0; k < v.waiting().size(); ++k)
    if (v.waiting()[k] == id) o.pos = static_cast<std::int64_t>(k);
  for (std::size_t k = 0; k < v.running().size(); ++k)
    if (v.running()[k] == id) o.pos = static_cast<std::int64_t>(k);
  for (std::size_t k = 0; k < v.swapped().size(); ++k)
    if (v.swapped()[k] == id) o.pos = static_cast<std::int64_t>(k);
  return o;
}

/// The symbolic unrolling from `prefix`'s state with the arrivals `added` (2 slots: at most two)
/// fixed, against the concrete engine running the prefix's workload plus `added` for `steps`
/// steps after it. Returns the first difference, or nothing. `residents` / `swapped` add up the
/// start's residents and keep its longest swapped queue (what the cases reached).
std::optional<std::string> difference_from(const ModelParams& p, const PrefixRun& prefix,
                                           const Workload& added, int steps, int& residents,
                                           int& swapped) {
  const auto s = prefix.start.step;
  auto whole = prefix.workload;
  for (const auto& r : added.requests) whole.requests.push_back(r);
  // Concrete: the whole workload from the empty engine, one engine step per step index (no idle
  // skipping, so step t of the run is depth t - S of the unrolling).
  PrefixThenSeeded choices(prefix.picks, 7);
  TimeModel time;
  ConcreteView v(p, whole, time, choices);
  while (v.step() < s) engine_step(v);
  const auto here = concrete_start(v, s);
  residents += static_cast<int>(here.residents.size());
  int queue = 0;
  for (const auto& r : here.residents) queue += r.status == Status::Swapped;
  swapped = std::max(swapped, queue);
  std::ostringstream diff;
  if (here.used != prefix.start.used || here.residents.size() != prefix.start.residents.size())
    return "the concrete state at S differs from the prefix's start";
  // Symbolic from the prefix's state.
  z3::context ctx;
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_hi = spec.output_hi = 4;
  spec.arrival_hi = 4;
  Unroller u(ctx, p, spec, &prefix.start);
  SymbolicScope scope(ctx);
  z3::solver solver(ctx);
  solver.add(u.fixes(added).e);
  std::vector<Unroller::Step> st;
  auto state = u.initial();
  std::vector<std::vector<SlotObs>> conc;
  std::vector<std::int64_t> conc_pre, conc_used;
  for (int t = 0; t < steps; ++t) {
    engine_step(v);
    std::vector<SlotObs> row;
    for (const auto& r : prefix.start.residents) row.push_back(observe(v, r.id));
    for (std::size_t j = 0; j < added.requests.size(); ++j)
      row.push_back(observe(v, static_cast<std::int32_t>(prefix.workload.requests.size() + j)));
    conc.push_back(row);
    conc_pre.push_back(static_cast<std::int64_t>(v.last_step().preempted.size() +
                                                  v.last_step().swapped_out.size()));
    conc_used.push_back(v.used_blocks());
    st.push_back(u.step(state, "t" + std::to_string(t), {}));
    for (const auto& c : st.back().side) solver.add(c.e);
    const auto& sp = st.back().obs.picks;
    const auto& cp = v.last_step().picks;
    if (sp.size() != cp.size()) return "step " + std::to_string(t) + ": #picks";
    for (std::size_t j = 0; j < sp.size(); ++j) solver.add(sp[j].e == ctx.int_val(cp[j]));
    std::vector<SymBool> eqs;
    state = u.cut(st.back().post, std::to_string(t + 1), eqs);
    for (const auto& e : eqs) solver.add(e.e);
  }
  if (solver.check() != z3::sat) return std::string("symbolic unrolling unsatisfiable");
  const auto m = solver.get_model();
  const auto val = [&](const SymInt& x) { return Unroller::value(m, x); };
  for (int t = 0; t < steps; ++t) {
    const auto& x = st[static_cast<std::size_t>(t)];
    const auto at = "step S+" + std::to_string(t) + ": ";
    if (val(x.obs.preemptions) != conc_pre[static_cast<std::size_t>(t)])
      return at + "preemptions";
    if (val(x.post.used) != conc_used[static_cast<std::size_t>(t)]) return at + "used";
    // The residents and the added arrivals (symbolic slots beyond them are absent).
    for (std::size_t i = 0; i < conc[static_cast<std::size_t>(t)].size(); ++i) {
      const auto& y = x.post.slots[i];
      const auto& o = conc[static_cast<std::size_t>(t)][i];
      if (val(y.status) != o.status || val(y.pos) != o.pos || val(y.computed) != o.computed ||
          val(y.generated) != o.generated || val(y.blocks) != o.blocks) {
        diff << at << "slot " << i << ": symbolic (" << val(y.status) << ", " << val(y.pos) << ", "
             << val(y.computed) << ", " << val(y.generated) << ", " << val(y.blocks)
             << ") != concrete (" << o.status << ", " << o.pos << ", " << o.computed << ", "
             << o.generated << ", " << o.blocks << ")";
        return diff.str();
      }
    }
  }
  return std::nullopt;
}

/// One random case: a workload of 5 random requests, the prefix to step S (1..last_start), 2
/// new arrivals at S + [0, 2], compared by difference_from.
std::optional<std::string> prefix_difference(const ModelParams& p, std::mt19937_64& rng,
                                             int steps, int& residents, int& swapped,
                                             std::int64_t last_start = 4) {
  Workload w;
  std::int64_t a = 0;
  for (int i = 0; i < 5; ++i) {
    a += std::uniform_int_distribution<std::int64_t>(0, 1)(rng);
    w.requests.push_back(random_request(p, a, rng));
  }
  const auto s = std::uniform_int_distribution<std::int64_t>(1, last_start)(rng);
  PrefixRun prefix;
  try {
    prefix = simulate_prefix(p, TimeModel{}, w, s, {});
  } catch (const InputError&) {
    return std::nullopt;  // the run ended before s
  }
  Workload added;
  added.clock = ArrivalClock::Steps;
  std::int64_t b = s;
  for (int j = 0; j < 2; ++j) {
    b += std::uniform_int_distribution<std::int64_t>(0, 1)(rng);
    added.requests.push_back(random_request(p, b, rng));
  }
  return difference_from(p, prefix, added, steps, residents, swapped);
}

class PrefixDifferential : public ::testing::TestWithParam<PolicyKind> {};

// The one-definition rule across the prefix: the symbolic start is the concrete state, and the
// unrolling from it equals the concrete engine continuing from the prefix.
TEST_P(PrefixDifferential, SymbolicFromPrefixMatchesConcrete) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(GetParam()) * 7919 + 11);
  int residents = 0, swapped = 0;
  for (int run = 0; run < 6; ++run) {
    const auto p = random_params(GetParam(), rng, false, 4);
    const auto d = prefix_difference(p, rng, 3, residents, swapped);
    ASSERT_FALSE(d) << "run " << run << ": " << *d;
  }
  EXPECT_GE(residents, 3) << "the cases must start from states with residents";
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, PrefixDifferential,
                         ::testing::ValuesIn(all_policy_kinds()),
                         [](const auto& pi) { return std::string(to_string(pi.param)); });

// The same from states that hold swapped requests (vLLM V0's swap mode): the prefix's swapped
// queue is the symbolic start's (concrete_start), and the unrolling continues it as the engine
// does. Small pools (5..7 blocks of 1 token) so the prefixes swap.
TEST(PrefixDifferentialSwap, SymbolicFromASwappedPrefixMatchesConcrete) {
  std::mt19937_64 rng(0x5A9);
  int residents = 0, swapped = 0;
  for (int run = 0; run < 24; ++run) {
    auto p = random_params(PolicyKind::VllmV0, rng, false, 4);
    p.policy.preemption_mode = PreemptionMode::Swap;
    p.engine.block_size = 1;  // every decode takes a block: pressure within a few steps
    p.engine.num_blocks = std::uniform_int_distribution<std::int64_t>(5, 7)(rng);
    p.engine.cpu_blocks = std::uniform_int_distribution<std::int64_t>(2, 10)(rng);
    const auto d = prefix_difference(p, rng, 3, residents, swapped, 8);
    ASSERT_FALSE(d) << "run " << run << ": " << *d;
  }
  // `swapped`: the longest swapped queue a case starts from. Random cases reach one swapped
  // request; a queue of two (its order) is the by-hand case below.
  EXPECT_GE(swapped, 1) << "the cases must start from states with a swapped request";
  std::cout << "residents " << residents << ", longest swapped queue at a start " << swapped
            << "\n";
}

// By hand (configs/vllm_v0_swap_safe.toml's header): at step 3 D, then C, are swapped out, so
// the state at step 4 has A and B running and the swapped queue [D, C] (V0's pop order), 6 of 8
// GPU blocks held. From there the unrolling must swap D in before C at step 8, as the engine
// does: 9 steps compared, to both requests' completion at step 12.
TEST(PrefixDifferentialSwap, FromTheSafeTwinsSwappedQueueByHand) {
  const auto cfg = load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" /
                               "vllm_v0_swap_safe.toml");
  const auto w = build_workload(cfg);
  const auto prefix = simulate_prefix(cfg.model, TimeModel{}, w, 4, {});
  ASSERT_EQ(prefix.start.residents.size(), 4U);
  EXPECT_EQ(prefix.start.used, 6);
  const auto& r = prefix.start.residents;
  const auto swapped_at = [&](std::size_t i, std::int64_t pos) {
    EXPECT_EQ(r[i].status, Status::Swapped) << "request " << i;
    EXPECT_EQ(r[i].pos, pos) << "request " << i;
  };
  EXPECT_EQ(r[0].status, Status::Running);
  EXPECT_EQ(r[1].status, Status::Running);
  swapped_at(3, 0);  // D, swapped out first
  swapped_at(2, 1);  // C
  Workload none;
  none.clock = ArrivalClock::Steps;
  int residents = 0, swapped = 0;
  const auto d = difference_from(cfg.model, prefix, none, 9, residents, swapped);
  EXPECT_FALSE(d) << *d;
  EXPECT_EQ(swapped, 2);
}

/// A vLLM FCFS engine whose workload (two requests of 3 + 4 tokens on 6 blocks of 2) never
/// preempts alone; two more arrivals after step 2 can make it preempt.
ModelParams cascade_params(std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.block_size = 2;
  p.engine.num_blocks = blocks;
  return p;
}

Workload two_requests() {
  Workload w;
  for (int i = 0; i < 2; ++i) w.requests.push_back({0, 0.0, 3, 4, 0});
  return w;
}

BmcSpec cascade_spec() {
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_lo = spec.output_lo = 1;
  spec.prompt_hi = spec.output_hi = 4;
  spec.arrival_lo = 0;
  spec.arrival_hi = 1;
  spec.properties = {PropertyId::NoPreemption};
  return spec;
}

SolverOptions quiet() {
  SolverOptions o;
  o.seed_runs = 0;
  return o;
}

TEST(PrefixBmc, FindsThePreemptionAndTheWholeRunReplaysFromEmpty) {
  const auto p = cascade_params(8);
  const auto spec = cascade_spec();
  const auto r = run_prefix_bmc(p, TimeModel{}, two_requests(), spec, 2, 4, quiet());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << r.verdict.reason;
  ASSERT_TRUE(r.cex);
  EXPECT_FALSE(r.in_prefix);
  EXPECT_GE(r.cex->step, 2);
  // The prefix's requests come first, in their order; the new ones arrive at S or later.
  ASSERT_GT(r.cex->workload.requests.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_EQ(r.cex->workload.requests[i].prompt, r.prefix.workload.requests[i].prompt);
  for (std::size_t i = 2; i < r.cex->workload.requests.size(); ++i)
    EXPECT_GE(r.cex->workload.requests[i].arrival_step, 2);
  const auto c = confirm_counterexample(p, TimeModel{}, *r.cex, TraceMeta{});
  ASSERT_TRUE(c.reproduced) << c.detail;
  EXPECT_TRUE(starts_with_prefix(c.trace.states, r.prefix));
  EXPECT_TRUE(replay(c.trace).reproduced);
}

// --from-step auto: the step at whose start the simulated run holds the most blocks, over
// max_steps engine steps. By hand, one request (prompt 1, output 10) on blocks of 1 token holds
// 1 block after step 0 and one more after each step, so the pool is fullest at the start of the
// last step scanned: step 3 for max_steps = 3, step 5 for 5 (mutation run 9's survivor: a scan
// that started its count at 1 answered 2).
TEST(PrefixBmc, FullestStepIsTheLastOfAGrowingRun) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.block_size = 1;
  p.engine.num_blocks = 64;
  Workload w;
  w.requests.push_back({0, 0.0, 1, 10, 0});
  EXPECT_EQ(fullest_step(p, TimeModel{}, w, 3), 3);
  EXPECT_EQ(fullest_step(p, TimeModel{}, w, 5), 5);
}

TEST(PrefixBmc, NoViolationAfterThePrefixIsUnknownNeverAPass) {
  const auto p = cascade_params(1000);  // nothing can ever be preempted
  const auto r = run_prefix_bmc(p, TimeModel{}, two_requests(), cascade_spec(), 2, 3, quiet());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_NE(r.verdict.reason.find("covers only runs through that state"), std::string::npos)
      << r.verdict.reason;
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::Inconclusive);
  EXPECT_FALSE(r.cex);
}

TEST(PrefixBmc, AnExhaustedRlimitIsUnknown) {
  auto opts = quiet();
  opts.rlimit = 1;
  const auto r = run_prefix_bmc(cascade_params(8), TimeModel{}, two_requests(), cascade_spec(),
                                2, 4, opts);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_NE(r.verdict.reason.find("solver unknown"), std::string::npos) << r.verdict.reason;
}

TEST(PrefixBmc, MoreResidentsThanTheCapIsUnknown) {
  const auto r = run_prefix_bmc(cascade_params(8), TimeModel{}, two_requests(), cascade_spec(),
                                2, 4, quiet(), 1);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_NE(r.verdict.reason.find("2 residents"), std::string::npos) << r.verdict.reason;
}

TEST(PrefixBmc, AViolationInsideThePrefixIsReportedWithoutTheSolver) {
  auto w = two_requests();
  for (int i = 0; i < 3; ++i) w.requests.push_back({0, 0.0, 3, 4, 0});  // 5 on 6 blocks
  const auto p = cascade_params(6);
  const auto r = run_prefix_bmc(p, TimeModel{}, w, cascade_spec(), 8, 2, quiet());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_TRUE(r.in_prefix);
  EXPECT_LT(r.cex->step, 8);
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, *r.cex, TraceMeta{}).reproduced);
}

TEST(PrefixBmc, BadStepsAreConfigErrorsNamingTheFlag) {
  const auto p = cascade_params(8);
  for (const std::int64_t s : {std::int64_t{-1}, std::int64_t{1000}}) {
    try {
      (void)simulate_prefix(p, TimeModel{}, two_requests(), s, {});
      ADD_FAILURE() << "step " << s << " accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::ConfigError);
      EXPECT_EQ(e.field(), "--from-step");
    }
  }
}

// A timed workload is re-expressed on the step clock; the re-run reaches the same state.
TEST(PrefixBmc, ATimedWorkloadBecomesItsStepClockPrefix) {
  Workload w;
  w.clock = ArrivalClock::Timed;
  for (int i = 0; i < 4; ++i) w.requests.push_back({0, 0.05 * i, 3, 4, 0});
  TimeModel time;
  const auto pr = simulate_prefix(cascade_params(8), time, w, 3, {});
  EXPECT_EQ(pr.workload.clock, ArrivalClock::Steps);
  for (std::size_t i = 1; i < pr.workload.requests.size(); ++i)
    EXPECT_LE(pr.workload.requests[i - 1].arrival_step, pr.workload.requests[i].arrival_step);
  for (const auto& r : pr.workload.requests) EXPECT_LT(r.arrival_step, 3);
}

}  // namespace
}  // namespace kvcheck
