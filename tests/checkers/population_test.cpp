// The population encoding (checkers/z3/population_view.h, population_proof.h): differential test
// against the per-request simulator on random small class instances (per-(class, stage) counts
// and KV usage at every step), the papers' own instances proved, a known-unsafe instance not
// proved, a planted cap bug caught, and models the encoding does not take.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "checkers/z3/population_proof.h"
#include "io/config.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"

namespace kvcheck {
namespace {

Config load(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / name);
}

/// What one step leaves, in population terms.
struct Counts {
  std::vector<std::int64_t> wait;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> run;  ///< (class, stage) -> n
  std::int64_t used_blocks = 0, used_tokens = 0, done = 0;
  bool overflow = false;
};

using Arrivals = std::vector<std::vector<std::int64_t>>;  ///< [step][class]

/// The per-request simulator on `arr`, same-step arrivals of different classes interleaved at
/// random (the encoding's per-class order must not matter).
std::vector<Counts> run_concrete(const ModelParams& p, const Arrivals& arr, std::mt19937_64& rng) {
  Workload w;
  for (std::size_t t = 0; t < arr.size(); ++t) {
    std::vector<std::int64_t> order;
    for (std::size_t k = 0; k < arr[t].size(); ++k)
      for (std::int64_t i = 0; i < arr[t][k]; ++i) order.push_back(static_cast<std::int64_t>(k));
    std::shuffle(order.begin(), order.end(), rng);
    for (auto k : order) {
      const auto& c = p.classes[static_cast<std::size_t>(k)];
      w.requests.push_back(Request{static_cast<std::int64_t>(t), 0.0, c.prompt, c.output, k});
    }
  }
  TimeModel time;
  SeededChoices choices(1);
  ConcreteView v(p, w, time, choices);
  std::vector<Counts> out;
  for (std::size_t t = 0; t < arr.size(); ++t) {
    engine_step(v);
    Counts c;
    c.wait.assign(p.classes.size(), 0);
    for (auto id : v.waiting()) ++c.wait[static_cast<std::size_t>(v.input(id).klass)];
    for (auto id : v.running()) ++c.run[{v.input(id).klass, v.state(id).generated}];
    c.used_blocks = v.last_step().used_blocks;
    c.used_tokens = v.last_step().used_tokens;
    c.overflow = v.last_step().overflow;
    c.done = v.done();
    out.push_back(c);
  }
  return out;
}

std::int64_t value(const SymInt& x) {
  std::int64_t v = 0;
  if (!x.e.simplify().is_numeral_i64(v)) throw std::logic_error("not a numeral: " + x.e.to_string());
  return v;
}

/// The population encoding on the same arrivals; the first difference (in words), if any.
/// Stops after the first overflow step (what an overflow evicts is not modelled).
/// `budgets_as_terms`: the view gets params whose class budgets are wrong (each + 1) and the
/// true ones only as its budget terms, so a literal read of `budget` anywhere would differ.
std::optional<std::string> first_difference(const ModelParams& p, const Arrivals& arr,
                                            const std::vector<Counts>& conc,
                                            std::int64_t cap_delta = 0, int* compared = nullptr,
                                            bool budgets_as_terms = false) {
  std::string why;
  const auto layout = population_layout(p, why, cap_delta);
  if (!layout) return "no layout: " + why;
  z3::context ctx;
  SymbolicScope scope(ctx);
  auto state = pop_empty(*layout);
  const auto props = population_default_properties(p);
  auto view_params = p;
  std::vector<SymInt> budgets;
  if (budgets_as_terms)
    for (auto& c : view_params.classes) budgets.push_back(Symbolic::lit(c.budget++));
  for (std::size_t t = 0; t < arr.size(); ++t) {
    std::vector<SymInt> a;
    for (auto n : arr[t]) a.push_back(Symbolic::lit(n));
    const auto step = population_step(view_params, *layout, props, state, a, budgets);
    state = step.post;
    const auto& c = conc[t];
    std::ostringstream d;
    d << "step " << t << ": ";
    const bool over = step.overflow.e.simplify().is_true();
    if (over != c.overflow) return d.str() + "overflow differs";
    if (over) return std::nullopt;  // which requests the repair evicts is not modelled
    if (value(step.used_blocks) != c.used_blocks)
      return d.str() + "used blocks " + std::to_string(value(step.used_blocks)) + " != " +
             std::to_string(c.used_blocks);
    if (value(step.used_tokens) != c.used_tokens) return d.str() + "used tokens differ";
    for (std::size_t k = 0; k < p.classes.size(); ++k) {
      if (value(state.wait[k]) != c.wait[k])
        return d.str() + "class " + std::to_string(k) + " waiting " +
               std::to_string(value(state.wait[k])) + " != " + std::to_string(c.wait[k]);
      for (std::size_t s = 0; s < state.run[k].size(); ++s) {
        const auto it = c.run.find({static_cast<std::int64_t>(k), static_cast<std::int64_t>(s)});
        const std::int64_t want = it == c.run.end() ? 0 : it->second;
        if (value(state.run[k][s]) != want)
          return d.str() + "class " + std::to_string(k) + " stage " + std::to_string(s) + ": " +
                 std::to_string(value(state.run[k][s])) + " != " + std::to_string(want);
      }
    }
    for (const auto& [name, b] : step.claim)
      if (!b.e.simplify().is_true()) return d.str() + "claim part fails: " + name;
    if (value(state.done) != c.done) return d.str() + "done differs";
    if (compared) ++*compared;
  }
  return std::nullopt;
}

/// A random small class instance of P1 Algorithm 1 or WAIT.
ModelParams random_model(std::mt19937_64& rng) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  ModelParams p;
  p.policy.kind = pick(0, 1) ? PolicyKind::P1ClassBudgets : PolicyKind::P2Wait;
  p.policy.wait_force_when_idle = p.policy.kind == PolicyKind::P2Wait && pick(0, 2) == 0;
  p.engine.block_size = pick(1, 3);
  p.engine.lookahead = pick(0, 1);
  p.engine.num_blocks = pick(6, 60);
  const auto n = pick(2, 3);
  for (std::int64_t k = 0; k < n; ++k) {
    ClassSpec c;
    c.name = "c" + std::to_string(k);
    c.prompt = pick(1, 5);
    c.output = pick(1, 6);
    c.budget = pick(0, 3);
    c.threshold = pick(0, 3);
    p.classes.push_back(c);
  }
  return p;
}

Arrivals random_arrivals(std::mt19937_64& rng, std::size_t classes, int steps) {
  Arrivals a(static_cast<std::size_t>(steps), std::vector<std::int64_t>(classes, 0));
  const auto hi = std::uniform_int_distribution<std::int64_t>(1, 5)(rng);
  for (auto& s : a)
    for (auto& x : s) x = std::uniform_int_distribution<std::int64_t>(0, hi)(rng);
  return a;
}

TEST(PopulationDifferential, MatchesTheSimulatorOnRandomClassInstances) {
  std::mt19937_64 rng(14);
  int overflowed = 0, compared = 0, steps = 0, full_waits = 0;
  for (int i = 0; i < 150; ++i) {
    const auto p = random_model(rng);
    const auto arr = random_arrivals(rng, p.classes.size(), 14);
    const auto conc = run_concrete(p, arr, rng);
    for (const auto& c : conc) overflowed += c.overflow ? 1 : 0;
    const auto diff = first_difference(p, arr, conc, 0, &steps);
    for (const auto& c : conc) {
      if (c.overflow) break;  // compared up to here
      for (std::size_t k = 0; k < c.wait.size(); ++k)
        full_waits += c.wait[k] > p.classes[k].budget + p.classes[k].threshold + 1 ? 1 : 0;
    }
    std::ostringstream desc;
    desc << "bs=" << p.engine.block_size << " la=" << p.engine.lookahead << " M=" << p.engine.num_blocks << " force=" << p.policy.wait_force_when_idle;
    for (const auto& c : p.classes) desc << " (" << c.prompt << "," << c.output << ",b" << c.budget << ",n" << c.threshold << ")";
    desc << " arr:";
    for (const auto& s : arr) { desc << " ["; for (auto x : s) desc << x << ","; desc << "]"; }
    EXPECT_FALSE(diff.has_value()) << "instance " << i << " ("
                                   << to_string(p.policy.kind) << "): " << *diff << "\n" << desc.str();
    ++compared;
  }
  EXPECT_EQ(compared, 150);
  EXPECT_GT(overflowed, 0);  // some instances reach the (unmodelled) overflow path
  EXPECT_GT(steps, 400);     // steps compared before any overflow
  EXPECT_GT(full_waits, 50);  // queues longer than the visible prefix
  std::cout << steps << " steps compared, " << full_waits << " with truncated queues\n";
}

TEST(PopulationDifferential, PlantedCapOneTooSmallIsCaught) {
  // Every instance whose queues and groups fill up must show the bug.
  std::mt19937_64 rng(7);
  int caught = 0;
  for (int i = 0; i < 20; ++i) {
    auto p = random_model(rng);
    p.engine.num_blocks = 10'000;  // no overflow: every step is compared
    for (auto& c : p.classes) c.budget = c.threshold = 2;
    Arrivals arr(10, std::vector<std::int64_t>(p.classes.size(), 3));
    const auto conc = run_concrete(p, arr, rng);
    ASSERT_FALSE(first_difference(p, arr, conc).has_value());
    caught += first_difference(p, arr, conc, -1).has_value() ? 1 : 0;
  }
  EXPECT_EQ(caught, 20);
}

// P1's class budgets as the view's terms (a `[prove] class_budget` range), with the params the
// view holds changed: the policy and alg1_memory_bound read b_k through the view only, so the
// counts still match the simulator's at the true budgets.
TEST(PopulationDifferential, ClassBudgetsAreReadOnlyThroughTheView) {
  std::mt19937_64 rng(41);
  int tried = 0, compared = 0;
  for (int i = 0; i < 60; ++i) {
    const auto p = random_model(rng);
    if (p.policy.kind != PolicyKind::P1ClassBudgets) continue;
    const auto arr = random_arrivals(rng, p.classes.size(), 8);
    const auto conc = run_concrete(p, arr, rng);
    const auto d = first_difference(p, arr, conc, 0, &compared, true);
    EXPECT_FALSE(d.has_value()) << *d;
    ++tried;
  }
  EXPECT_GE(tried, 10);
  EXPECT_GE(compared, 40);
}

SolverOptions budget() {
  SolverOptions o;
  if (std::getenv("POP_PROGRESS")) o.progress = &std::cerr;  // one line per query
  o.rlimit = 400'000'000;  // deterministic per-query budget; exhausted = UNKNOWN
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(PopulationProof, P1Section41AtThePapersScale) {
  const auto cfg = load("p1_alg1_sec41.toml");
  PopulationBounds b;
  b.properties = {PropertyId::KvNoOverflow, PropertyId::NoEviction, PropertyId::Alg1MemoryBound,
                  PropertyId::Conservation, PropertyId::ExactDelivery};
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = prove_population(cfg.model, b, budget());
  const auto s = seconds_since(t0);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  EXPECT_TRUE(r.applicable);
  EXPECT_NE(r.claim.find("M = 16492"), std::string::npos) << r.claim;
  std::cout << "p1_alg1_sec41: " << to_string(r.verdict) << " k=" << r.k << " in " << s
            << " s, " << r.work << " units\n" << r.claim << "\n";
}

TEST(PopulationProof, WaitNoEvictionAtThePapersCapacity) {
  const auto cfg = load("p2_wait_paper_scale.toml");
  PopulationBounds b;
  b.properties = {PropertyId::KvNoOverflow, PropertyId::NoEviction, PropertyId::Conservation};
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = prove_population(cfg.model, b, budget());
  const auto s = seconds_since(t0);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
  std::cout << "p2_wait_paper_scale: " << to_string(r.verdict) << " k=" << r.k << " in " << s
            << " s, " << r.work << " units\n" << r.claim << "\n";
}

ModelParams small_p1(std::int64_t num_blocks) {
  // One class, l = 2, o = 3, b = 2, lookahead 1: w = 2*3 + (3 + 9)/2 = 12, sum b w = 24.
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.block_size = 1;
  p.engine.lookahead = 1;
  p.engine.num_blocks = num_blocks;
  p.classes.push_back(ClassSpec{"c", 2, 3, 1.0, 2, 0});
  return p;
}

TEST(PopulationProof, SmallP1ProvedAtInequality2AndViolatedBelow) {
  PopulationBounds b;
  b.cex_depth = 8;
  const auto ok = prove_population(small_p1(24), b, budget());
  EXPECT_EQ(ok.verdict.kind, VerdictKind::Proved) << ok.verdict.reason;
  const auto bad = prove_population(small_p1(23), b, budget());
  EXPECT_EQ(bad.verdict.kind, VerdictKind::Violated) << bad.verdict.reason;
  EXPECT_FALSE(bad.arrivals.empty());
}

TEST(PopulationProof, P1UnsafeBudgetsAreNeverProved) {
  // Dong & Cao's budgets (5,5,5): sum b_k w_k = 20300 > M = 16492.
  // Not inductive at k = 1 (the free state may hold every group full); the overflow itself
  // needs ~47 steps from the empty engine, beyond a cheap BMC, so UNKNOWN is the answer here.
  const auto cfg = load("p1_alg1_unsafe.toml");
  PopulationBounds b;
  b.max_k = 1;
  const auto r = prove_population(cfg.model, b, budget());
  EXPECT_NE(r.verdict.kind, VerdictKind::Proved);
  EXPECT_TRUE(r.verdict.kind == VerdictKind::Violated || r.verdict.kind == VerdictKind::Unknown)
      << r.verdict.reason;
}

// `[prove] class_budget`: every b in [lo, hi], each class independently. By hand (ineq. (2),
// w = l*o + (o + o^2)/2): one class (l 2, o 3) has w = 12, so [0, 2] needs 24 tokens and
// [0, 1] needs 12; proved there, and one below the range's top vector breaks kv_no_overflow,
// reported as UNKNOWN naming that vector (the config's own budget is not the model's).
TEST(PopulationProof, ClassBudgetRangeNeedsItsTopVectorsBound) {
  PopulationBounds b;
  b.cex_depth = 8;
  b.class_budget = std::pair<std::int64_t, std::int64_t>{0, 2};
  const auto ok = prove_population(small_p1(24), b, budget());
  EXPECT_EQ(ok.verdict.kind, VerdictKind::Proved) << ok.verdict.reason;
  EXPECT_NE(ok.claim.find("b_k in [0, 2] for each of the 1 class"), std::string::npos) << ok.claim;
  const auto bad = prove_population(small_p1(23), b, budget());
  EXPECT_EQ(bad.verdict.kind, VerdictKind::Unknown) << bad.verdict.reason;
  EXPECT_NE(bad.verdict.reason.find("at class budgets (2)"), std::string::npos) << bad.verdict.reason;
  b.class_budget = std::pair<std::int64_t, std::int64_t>{0, 1};
  EXPECT_EQ(prove_population(small_p1(12), b, budget()).verdict.kind, VerdictKind::Proved);
  EXPECT_NE(prove_population(small_p1(11), b, budget()).verdict.kind, VerdictKind::Proved);
}

// Two classes, each b_k in [0, 2] on its own: (l 2, o 3) w = 12 and (l 1, o 2) w = 5, so the
// worst vector (2, 2) needs 2 * 12 + 2 * 5 = 34 tokens. Proved at 34; at 33 the model's
// violating vector is (2, 2): (2, 1) needs 29 and (1, 2) 22.
TEST(PopulationProof, ClassBudgetRangeCoversEveryVectorOfTwoClasses) {
  auto two = [](std::int64_t blocks) {
    auto p = small_p1(blocks);
    p.classes.push_back(ClassSpec{"d", 1, 2, 1.0, 1, 0});
    return p;
  };
  PopulationBounds b;
  b.cex_depth = 8;
  b.class_budget = std::pair<std::int64_t, std::int64_t>{0, 2};
  const auto ok = prove_population(two(34), b, budget());
  EXPECT_EQ(ok.verdict.kind, VerdictKind::Proved) << ok.verdict.reason;
  const auto bad = prove_population(two(33), b, budget());
  EXPECT_EQ(bad.verdict.kind, VerdictKind::Unknown) << bad.verdict.reason;
  EXPECT_NE(bad.verdict.reason.find("at class budgets (2, 2)"), std::string::npos)
      << bad.verdict.reason;
  // A budget range on a policy that reads no budgets is not applicable.
  auto wait = two(34);
  wait.policy.kind = PolicyKind::P2Wait;
  EXPECT_EQ(prove_population(wait, b, budget()).verdict.kind, VerdictKind::Unknown);
}

TEST(PopulationProof, PlantedCapOneTooSmallIsNotProved) {
  PopulationBounds b;
  b.cap_delta = -1;
  const auto r = prove_population(small_p1(24), b, budget());
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown) << r.verdict.reason;
}

TEST(PopulationProof, OtherModelsAreNotApplicable) {
  const auto r = prove_population(load("vllm_fcfs_safe.toml").model, {}, budget());
  EXPECT_FALSE(r.applicable);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_NE(r.verdict.reason.find("not applicable"), std::string::npos);
  auto p = small_p1(24);
  PopulationBounds b;
  b.properties = {PropertyId::Schedulable};
  EXPECT_FALSE(prove_population(p, b, budget()).applicable);
}

}  // namespace
}  // namespace kvcheck
