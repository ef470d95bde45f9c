// Differential test: the symbolic unrolling (SymbolicView over Z3) with every input pinned to a
// random concrete workload must reproduce ConcreteView's run exactly, step by step and field by
// field, for every PolicyKind. A deliberately perturbed input must be detected.
#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "checkers/z3/unroller.h"
#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "random_model.h"

namespace kvcheck {
namespace {

using test::random_params;

/// One concrete step, as the comparison needs it.
struct SlotObs {
  std::int64_t status, pos, computed, generated, blocks, batch;
  bool completed;
};
struct ConcreteStep {
  std::vector<SlotObs> slots;
  bool overflow, swap_abort;
  std::int64_t preemptions, evictions, used_blocks, used_tokens, demand, batch_size;
  std::vector<std::int64_t> picks;
};

std::vector<ConcreteStep> run_concrete(const ModelParams& p, const Workload& w, int steps,
                                       std::uint64_t seed) {
  TimeModel time;
  SeededChoices choices(seed);
  ConcreteView v(p, w, time, choices);
  std::vector<ConcreteStep> out;
  for (int t = 0; t < steps; ++t) {
    engine_step(v);
    const auto& r = v.last_step();
    // A swap out is a preemption (vLLM V0 counts both; ConcreteView's step_preemptions).
    ConcreteStep s{{}, r.overflow, r.swap_abort,
                   static_cast<std::int64_t>(r.preempted.size() + r.swapped_out.size()),
                   static_cast<std::int64_t>(r.evicted.size()), r.used_blocks, r.used_tokens,
                   r.demand_blocks, static_cast<std::int64_t>(r.batch.size()), r.picks};
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(w.requests.size()); ++i) {
      const auto& st = v.state(i);
      SlotObs o{static_cast<std::int64_t>(st.status), 0, st.computed, st.generated, st.blocks,
                0, false};
      for (std::size_t k = 0; k < v.waiting().size(); ++k)
        if (v.waiting()[k] == i) o.pos = static_cast<std::int64_t>(k);
      for (std::size_t k = 0; k < v.running().size(); ++k)
        if (v.running()[k] == i) o.pos = static_cast<std::int64_t>(k);
      for (std::size_t k = 0; k < v.swapped().size(); ++k)
        if (v.swapped()[k] == i) o.pos = static_cast<std::int64_t>(k);
      for (const auto& [id, n] : r.batch)
        if (id == i) o.batch = n;
      for (auto id : r.completed) o.completed = o.completed || id == i;
      s.slots.push_back(o);
    }
    out.push_back(s);
  }
  return out;
}

/// Compares a value; appends "step t: field: symbolic X != concrete Y" on the first mismatch.
bool same(std::ostringstream& diff, int t, const std::string& field, std::int64_t sym,
          std::int64_t conc) {
  if (sym == conc) return true;
  diff << "step " << t << ": " << field << ": symbolic " << sym << " != concrete " << conc;
  return false;
}

/// Unrolls the symbolic model with inputs pinned to `w` (and prompt of slot `perturb` + 1 when
/// perturb >= 0), pins choices to the concrete picks, and returns the first difference.
std::optional<std::string> first_difference(const ModelParams& p, const Workload& w,
                                            const std::vector<ConcreteStep>& conc,
                                            int perturb) {
  z3::context ctx;
  BmcSpec spec;
  spec.slots = static_cast<int>(w.requests.size());
  spec.arrival_hi = 100;
  spec.max_concurrency = w.max_concurrency;
  Unroller u(ctx, p, spec);
  z3::solver solver(ctx);
  SymbolicScope scope(ctx);
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    const auto& r = w.requests[i];
    const auto& in = u.inputs()[i];
    const std::int64_t bump = static_cast<int>(i) == perturb ? 1 : 0;
    solver.add(in.arrival.e == ctx.int_val(r.arrival_step));
    solver.add(in.prompt.e == ctx.int_val(r.prompt + bump));
    solver.add(in.output.e == ctx.int_val(r.output));
    solver.add(in.klass.e == ctx.int_val(r.klass));
  }
  std::vector<Unroller::Step> steps;
  auto state = u.initial();
  for (std::size_t t = 0; t < conc.size(); ++t) {
    std::string tag = "t";  // appended: GCC 12 warns (-Wrestrict) on "t" + to_string(...)
    tag += std::to_string(t);
    steps.push_back(u.step(state, tag, {PropertyId::SwapSpace}));
    for (const auto& c : steps.back().side) solver.add(c.e);
    const auto& picks = steps.back().obs.picks;
    if (picks.size() != conc[t].picks.size()) return "step " + std::to_string(t) + ": #picks";
    for (std::size_t j = 0; j < picks.size(); ++j)
      solver.add(picks[j].e == ctx.int_val(conc[t].picks[j]));
    std::vector<SymBool> eqs;
    state = u.cut(steps.back().post, std::to_string(t + 1), eqs);
    for (const auto& e : eqs) solver.add(e.e);
  }
  if (solver.check() != z3::sat) return std::string("symbolic unrolling unsatisfiable");
  const auto m = solver.get_model();
  std::ostringstream diff;
  for (std::size_t t = 0; t < conc.size(); ++t) {
    const auto& s = steps[t];
    const auto& c = conc[t];
    const int ti = static_cast<int>(t);
    const auto v = [&](const SymInt& x) { return Unroller::value(m, x); };
    if (!same(diff, ti, "overflow", Unroller::value(m, s.obs.overflow), c.overflow) ||
        !same(diff, ti, "preemptions", v(s.obs.preemptions), c.preemptions) ||
        !same(diff, ti, "evictions", v(s.obs.evictions), c.evictions) ||
        !same(diff, ti, "used_blocks", v(s.obs.used_blocks), c.used_blocks) ||
        !same(diff, ti, "used_tokens", v(s.obs.used_tokens), c.used_tokens) ||
        !same(diff, ti, "demand_blocks", v(s.obs.demand_blocks), c.demand) ||
        !same(diff, ti, "batch_size", v(s.obs.batch_size), c.batch_size) ||
        !same(diff, ti, "swap_abort", !Unroller::value(m, s.props[0]), c.swap_abort))
      return diff.str();
    // The pool counter carried in the state is the sum of the blocks the requests hold on the
    // GPU (a swapped request's are in the CPU pool).
    std::int64_t held = 0;
    for (const auto& o : c.slots)
      if (o.status != status_code(Status::Swapped)) held += o.blocks;
    if (!same(diff, ti, "used (pool counter)", v(s.post.used), held)) return diff.str();
    for (std::size_t i = 0; i < c.slots.size(); ++i) {
      const auto& x = s.post.slots[i];
      const auto& o = c.slots[i];
      const auto f = [&](const char* name) { return "slot " + std::to_string(i) + "." + name; };
      if (!same(diff, ti, f("status"), v(x.status), o.status) ||
          !same(diff, ti, f("pos"), v(x.pos), o.pos) ||
          !same(diff, ti, f("computed"), v(x.computed), o.computed) ||
          !same(diff, ti, f("generated"), v(x.generated), o.generated) ||
          !same(diff, ti, f("blocks"), v(x.blocks), o.blocks) ||
          !same(diff, ti, f("batch"), v(s.obs.batch_tokens[i]), o.batch) ||
          !same(diff, ti, f("completed"), Unroller::value(m, s.obs.completed[i]), o.completed))
        return diff.str();
    }
  }
  return std::nullopt;
}

/// A random workload of n requests, arrivals sorted; per-class shapes for class-based policies.
Workload random_workload(const ModelParams& p, int n, std::mt19937_64& rng) {
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const bool per_class = p.policy.kind == PolicyKind::P2Wait ||
                         p.policy.kind == PolicyKind::P1ClassBudgets;
  Workload w;
  std::int64_t a = 0;
  for (int i = 0; i < n; ++i) {
    a += pick(0, 1) * pick(0, 2);
    Request r;
    r.arrival_step = a;
    r.klass = pick(0, 1);
    const auto& c = p.classes[static_cast<std::size_t>(r.klass)];
    r.prompt = per_class ? c.prompt : pick(1, 4);
    r.output = per_class ? c.output : pick(1, 4);
    w.requests.push_back(r);
  }
  return w;
}

constexpr int kSteps = 10;
constexpr int kCasesPerPolicy = 6;
constexpr int kSwapCases = 30;

class Differential : public ::testing::TestWithParam<PolicyKind> {};

TEST_P(Differential, SymbolicMatchesConcreteEveryStep) {
  std::mt19937_64 rng(0xC0FFEE + static_cast<std::uint64_t>(GetParam()));
  for (int c = 0; c < kCasesPerPolicy; ++c) {
    const auto p = random_params(GetParam(), rng);
    const int n = 3 + c % 4;  // N = 3..6
    const auto w = random_workload(p, n, rng);
    const auto seed = static_cast<std::uint64_t>(c) + 1;
    const auto conc = run_concrete(p, w, kSteps, seed);
    const auto diff = first_difference(p, w, conc, -1);
    EXPECT_FALSE(diff.has_value()) << to_string(GetParam()) << " case " << c << ": " << *diff;
  }
}

// Closed loop (models/arrival_rules.h): the same random cases with at most 1..3 requests in
// flight, so gated arrivals (due, pending, entering later in index order) are compared too.
TEST_P(Differential, SymbolicMatchesConcreteUnderAClosedLoop) {
  std::mt19937_64 rng(0xC105ED + static_cast<std::uint64_t>(GetParam()));
  for (int c = 0; c < 4; ++c) {
    const auto p = random_params(GetParam(), rng);
    auto w = random_workload(p, 3 + c % 3, rng);
    w.max_concurrency = 1 + c % 3;
    const auto conc = run_concrete(p, w, kSteps, static_cast<std::uint64_t>(c) + 1);
    const auto diff = first_difference(p, w, conc, -1);
    EXPECT_FALSE(diff.has_value()) << to_string(GetParam()) << " case " << c << ": " << *diff;
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Differential, ::testing::ValuesIn(all_policy_kinds()),
                         [](const auto& pi) { return std::string(to_string(pi.param)); });

// The same with the vLLM rules drawn at random (issue 18): one definition of each rule, so the
// symbolic unrolling with the inputs fixed must match the simulator step by step.
class DifferentialVllmRules : public ::testing::TestWithParam<PolicyKind> {};

TEST_P(DifferentialVllmRules, SymbolicMatchesConcreteEveryStep) {
  std::mt19937_64 rng(0x5EED + static_cast<std::uint64_t>(GetParam()));
  for (int c = 0; c < kCasesPerPolicy; ++c) {
    const auto p = random_params(GetParam(), rng, true);
    const int n = 3 + c % 3;  // N = 3..5
    const auto w = random_workload(p, n, rng);
    const auto seed = static_cast<std::uint64_t>(c) + 1;
    const auto conc = run_concrete(p, w, kSteps, seed);
    const auto diff = first_difference(p, w, conc, -1);
    EXPECT_FALSE(diff.has_value()) << to_string(GetParam()) << " case " << c << ": " << *diff;
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, DifferentialVllmRules,
                         ::testing::ValuesIn(all_policy_kinds()),
                         [](const auto& pi) { return std::string(to_string(pi.param)); });

// vLLM V0's swap mode (models/policies/vllm_v0.h rules 8-12): a swapped queue, a CPU pool of
// 0..8 blocks (so can_swap_out fails in some cases: the swap_abort observation is compared),
// swap ins and the positions of all three queues. The pool is small (3..6 blocks) and the
// requests long enough (outputs up to 6) that most cases swap.
TEST(DifferentialSwap, SymbolicMatchesConcreteEveryStep) {
  std::mt19937_64 rng(0x5A4B);
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const auto is = [](const SlotObs& o, Status s) { return o.status == status_code(s); };
  // Events the cases must reach (counted on the concrete runs): a swap in, a swap in that
  // leaves part of the swapped queue behind, a swap out onto a non-empty swapped queue, and a
  // CPU pool too small.
  int swapped_in = 0, partial_in = 0, out_behind = 0, aborted = 0;
  for (int c = 0; c < kSwapCases; ++c) {
    auto p = random_params(PolicyKind::VllmV0, rng, true);
    p.policy.preemption_mode = PreemptionMode::Swap;
    p.engine.num_blocks = pick(4, 7);
    p.engine.cpu_blocks = pick(2, 10);
    p.engine.max_batched_tokens = kUnlimited;
    auto w = random_workload(p, 4 + c % 3, rng);
    for (auto& r : w.requests) r.output = pick(3, 8);
    const auto conc = run_concrete(p, w, 14, 1);
    for (std::size_t t = 1; t < conc.size(); ++t) {
      int in = 0, out = 0, stay = 0;
      for (std::size_t i = 0; i < conc[t].slots.size(); ++i) {
        const auto& was = conc[t - 1].slots[i];
        const auto& now = conc[t].slots[i];
        in += is(was, Status::Swapped) && is(now, Status::Running);
        out += is(was, Status::Running) && is(now, Status::Swapped);
        stay += is(was, Status::Swapped) && is(now, Status::Swapped);
      }
      swapped_in += in > 0;
      partial_in += in > 0 && stay > 0;
      out_behind += out > 0 && stay > 0;
      aborted += conc[t].swap_abort;
    }
    const auto diff = first_difference(p, w, conc, -1);
    EXPECT_FALSE(diff.has_value()) << "case " << c << ": " << *diff;
  }
  EXPECT_GT(swapped_in, 0);
  EXPECT_GT(partial_in, 0);
  EXPECT_GT(out_behind, 0);
  EXPECT_GT(aborted, 0);
  std::cout << "swap ins " << swapped_in << ", partial " << partial_in << ", swap outs behind "
            << out_behind << ", aborts " << aborted << "\n";
}

// Two preemptions in one step, requeued at the head: vllm_fcfs on 5 blocks of 1 token, A and B
// (prompt 2) and C (prompt 1), outputs 3, all admitted at step 0 (2 + 2 + 1 = 5 blocks). At
// step 1 A needs a 3rd block: the newest, C, is preempted; then B needs one and is itself the
// newest: preempted too. Both go to the head of the queue, so the symbolic positions of two
// preempted requests (and everyone behind them) are compared, which random cases rarely reach.
TEST(DifferentialByHand, TwoPreemptionsRequeuedAtTheHead) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.policy.watermark_blocks = 0;
  p.engine.num_blocks = 5;
  p.engine.lookahead = 0;
  p.engine.requeue = Requeue::Front;
  Workload w;
  w.requests = {{0, 0.0, 2, 3, 0}, {0, 0.0, 2, 3, 0}, {0, 0.0, 1, 3, 0}};
  const auto conc = run_concrete(p, w, 6, 1);
  ASSERT_GE(conc.size(), 2U);
  EXPECT_EQ(conc[1].preemptions, 2);
  const auto diff = first_difference(p, w, conc, -1);
  EXPECT_FALSE(diff.has_value()) << *diff;
}

// Dong & Cao Algorithm 2 admits only while the active set plus the new prompt fits: pool 6
// blocks of 1 token, budget B_t = 1, A (3, 3) at step 0 (admitted: 3 <= 6), B (3, 3) at
// step 1: A's next step needs 4 blocks, 4 + 3 = 7 > 6, so B waits until A completes (step 2,
// generated 3), then is admitted at step 3. The symbolic view, whose slots run past the
// running requests, must leave the active set's count untouched where nothing is repaired.
TEST(DifferentialByHand, FlowControlAdmitsOnlyWhatFits) {
  ModelParams p;
  p.policy.kind = PolicyKind::P1FlowControl;
  p.policy.flow_budget_min = p.policy.flow_budget_max = 1;
  p.engine.num_blocks = 6;
  p.engine.lookahead = 0;
  Workload w;
  w.requests = {{0, 0.0, 3, 3, 0}, {1, 0.0, 3, 3, 0}};
  const auto conc = run_concrete(p, w, 5, 1);
  ASSERT_GE(conc.size(), 4U);
  EXPECT_EQ(conc[1].slots[1].status, status_code(Status::Waiting));
  EXPECT_EQ(conc[3].slots[1].status, status_code(Status::Running));
  const auto diff = first_difference(p, w, conc, -1);
  EXPECT_FALSE(diff.has_value()) << *diff;
}

// c = 1, three requests (prompt 2, output 2) at step 0 on 8 blocks: they run one after
// another, entering at steps 0, 2 and 4 (tests/models/closed_loop_test.cpp's schedule); the
// symbolic unrolling must gate the second and third slot the same way.
TEST(DifferentialByHand, ConcurrencyOneGatesLaterSlots) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 8;
  p.engine.lookahead = 0;
  Workload w;
  for (int i = 0; i < 3; ++i) w.requests.push_back({0, 0.0, 2, 2, 0});
  w.max_concurrency = 1;
  const auto conc = run_concrete(p, w, 6, 1);
  ASSERT_EQ(conc.size(), 6U);
  EXPECT_EQ(conc[1].slots[1].status, status_code(Status::Pending));
  EXPECT_EQ(conc[2].slots[1].status, status_code(Status::Running));
  EXPECT_EQ(conc[3].slots[2].status, status_code(Status::Pending));
  EXPECT_EQ(conc[4].slots[2].status, status_code(Status::Running));
  const auto diff = first_difference(p, w, conc, -1);
  EXPECT_FALSE(diff.has_value()) << *diff;
}

// The comparison can fail: a prompt one token longer in the symbolic model must show up.
TEST(DifferentialSelfCheck, PerturbedInputIsDetected) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 8;
  Workload w;
  for (int i = 0; i < 3; ++i) w.requests.push_back({0, 0.0, 2, 2, 0});
  const auto conc = run_concrete(p, w, 5, 1);
  EXPECT_FALSE(first_difference(p, w, conc, -1).has_value());
  const auto diff = first_difference(p, w, conc, 1);
  ASSERT_TRUE(diff.has_value());
  EXPECT_NE(diff->find("step 0"), std::string::npos) << *diff;
}

}  // namespace
}  // namespace kvcheck
