// The generic view (checkers/z3/generic_view.h) against the concrete engine: the every-N proof
// abstracts the counter and the requests' fields, but with its links (each abstraction tied to
// the exact value) and the before-commit requests fixed to a concrete state, its step must be
// the concrete step. On random small vLLM FCFS workloads, for every step after the last
// arrival: the pool counter after the plan and every request's scheduled tokens and blocks
// equal ConcreteView's. A view that reserved or released the wrong amount, or lost a field
// across a snapshot, would differ here even where the proof still went through.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include "checkers/z3/generic_proof.h"
#include "checkers/z3/generic_view.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"

namespace kvcheck {
namespace {

using D = Symbolic;

struct Scenario {
  ModelParams params;
  Workload workload;
  int step = 0;  ///< the step compared (after the last arrival)
};

Scenario random_scenario(std::mt19937_64& rng, int variant) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  Scenario s;
  auto& p = s.params;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.block_size = pick(1, 3);
  p.engine.num_blocks = pick(4, 10);
  p.engine.lookahead = variant % 2;
  p.engine.chunked_prefill = variant % 3 == 0;
  p.engine.max_batched_tokens = variant % 3 == 0 ? pick(2, 6) : kUnlimited;
  p.engine.max_num_seqs = variant % 4 == 1 ? pick(1, 3) : kUnlimited;
  p.engine.recompute_keeps_output = variant % 5 == 2;
  p.engine.reject_unservable = true;
  p.policy.watermark_blocks = variant % 4 == 2 ? pick(0, 2) : 0;
  p.policy.watermark_only_when_busy = variant % 6 == 3;
  const int n = pick(2, 6);
  for (int i = 0; i < n; ++i) {
    Request r;
    r.arrival_step = pick(0, 3);
    r.prompt = pick(1, 6);
    r.output = pick(1, 5);
    s.workload.requests.push_back(r);
  }
  std::sort(s.workload.requests.begin(), s.workload.requests.end(),
            [](const Request& a, const Request& b) { return a.arrival_step < b.arrival_step; });
  s.step = pick(4, 9);
  return s;
}

std::int64_t value(const z3::model& m, const SymInt& x) {
  return m.eval(x.e, true).get_numeral_int64();
}

/// Fixes a before-commit position to request `r` with state `st` and inputs `in`, or to an
/// invalid position (null).
void fix(z3::solver& s, const GenericRequest& g, const RequestState* st, const Request* in,
         int r) {
  const bool valid = st != nullptr;
  const RequestState none{};
  const Request empty{};
  if (!valid) st = &none, in = &empty;
  s.add(g.valid.e == s.ctx().bool_val(valid));
  s.add(g.prompt.e == D::lit(in->prompt).e && g.output.e == D::lit(in->output).e);
  s.add(g.klass.e == D::lit(in->klass).e && g.rank.e == D::lit(valid ? r : 0).e);
  s.add(g.computed.e == D::lit(st->computed).e && g.generated.e == D::lit(st->generated).e);
  s.add(g.blocks.e == D::lit(st->blocks).e && g.tokens.e == D::lit(st->tokens).e);
  s.add(g.sched.e == D::lit(0).e);
}

/// `p` with every rangeable parameter (params.h Knob) changed: a view handed these params and
/// the true values as knob constants computes the true step only if the policy, the engine step
/// and the view read those parameters through `knob` alone (a ranged proof relies on it).
ModelParams poisoned(ModelParams p) {
  p.engine.num_blocks += 5;
  p.policy.watermark_blocks += 2;
  p.engine.max_num_seqs = p.engine.max_num_seqs >= kUnlimited ? 1 : p.engine.max_num_seqs + 1;
  p.engine.max_batched_tokens = p.engine.max_batched_tokens >= kUnlimited ? 1 : p.engine.max_batched_tokens + 3;
  p.engine.block_size += 4;
  p.engine.lookahead += 3;
  return p;
}

/// The knobs as free constants, each tied to its value in `p` by an equality in `eqs`.
KnobTerms knob_constants(const ModelParams& p, std::vector<SymBool>& eqs) {
  auto knobs = configured_knobs(p);
  for (const auto k : kKnobs) {
    const auto c = D::var("knob_" + std::string(knob_key(k)));
    eqs.push_back(c == D::lit(knob_value(p, k)));
    knobs[static_cast<std::size_t>(k)] = c;
  }
  return knobs;
}

/// `through_knobs`: the view gets poisoned params and the true values only as knob constants.
void compare_one(const Scenario& sc, int seed, bool through_knobs = false) {
  TimeModel time;
  SeededChoices choices(1);
  ConcreteView v(sc.params, sc.workload, time, choices);
  for (int t = 0; t < sc.step; ++t) engine_step(v);
  const auto running = v.running();
  const std::vector<ConcreteView::Ref> waiting(v.waiting().begin(), v.waiting().end());
  const auto used_before = v.used_blocks();
  std::vector<RequestState> before;
  for (std::int64_t r = 0; r < v.num_requests(); ++r)
    before.push_back(v.state(static_cast<ConcreteView::Ref>(r)));
  engine_step(v);
  const auto& rec = v.last_step();

  z3::context ctx;
  SymbolicScope scope(ctx);
  std::vector<SymBool> knob_eqs;
  const auto knobs = through_knobs ? knob_constants(sc.params, knob_eqs) : configured_knobs(sc.params);
  const auto view_params = through_knobs ? poisoned(sc.params) : sc.params;
  const int k_pos = std::max<int>(1, static_cast<int>(std::max(running.size(), waiting.size())));
  GenericView g(view_params, knobs, k_pos, "d");
  engine_step(g);
  z3::solver s(ctx);
  for (const auto& eq : knob_eqs) s.add(eq.e);
  const auto& reqs = g.requests();
  const auto& rb = g.running_before_commit();
  const auto& wb = g.waiting_before_commit();
  auto fix_at = [&](int id, const std::vector<ConcreteView::Ref>& queue, std::size_t k) {
    const auto& g_req = reqs[static_cast<std::size_t>(id)];
    if (k >= queue.size()) return fix(s, g_req, nullptr, nullptr, 0);
    const auto r = queue[k];
    fix(s, g_req, &before[static_cast<std::size_t>(r)], &v.input(r), r);
  };
  for (std::size_t k = 0; k < static_cast<std::size_t>(k_pos); ++k) {
    fix_at(rb[k], running, k);
    fix_at(wb[k], waiting, k);
  }
  s.add(g.reads().front().e == D::lit(used_before).e);
  s.add(g.num_running_at_start().e == D::lit(static_cast<std::int64_t>(running.size())).e);
  for (const auto& l : g.links()) s.add(l.e);
  ASSERT_EQ(s.check(), z3::sat) << "seed " << seed;
  const auto m = s.get_model();
  SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(sc.step));
  if (!rec.overflow) {
    EXPECT_EQ(value(m, g.plan_counter()), rec.used_blocks);
  }
  std::vector<std::int64_t> sched(before.size(), 0);
  for (const auto& [r, n] : rec.batch) sched[static_cast<std::size_t>(r)] = n;
  auto check_position = [&](int id, ConcreteView::Ref r) {
    const auto& f = g.plan_fields()[static_cast<std::size_t>(id)];
    const auto ru = static_cast<std::size_t>(r);
    const bool preempted =
        std::find(rec.preempted.begin(), rec.preempted.end(), r) != rec.preempted.end();
    EXPECT_EQ(value(m, f.sched), preempted ? 0 : sched[ru]) << "request " << r;
    const bool done = v.state(r).status == Status::Done;
    if (!done && !preempted && sched[ru] > 0) {
      EXPECT_EQ(value(m, f.blocks), v.state(r).blocks) << "request " << r;
    }
    if (preempted) {
      EXPECT_EQ(value(m, f.blocks), 0) << "request " << r;
    }
  };
  for (std::size_t k = 0; k < running.size(); ++k) check_position(rb[k], running[k]);
  for (std::size_t k = 0; k < waiting.size(); ++k) check_position(wb[k], waiting[k]);
  // The proof's hypothesis about every request is a fact about every concrete one.
  auto invariant_holds = [&](int id) {
    const auto inv = request_invariant(reqs[static_cast<std::size_t>(id)], sc.params,
                                       ctx.bool_val(true));
    return m.eval(inv.e, true).is_true();
  };
  for (std::size_t k = 0; k < running.size(); ++k) EXPECT_TRUE(invariant_holds(rb[k])) << k;
  for (std::size_t k = 0; k < waiting.size(); ++k) EXPECT_TRUE(invariant_holds(wb[k])) << k;
}

TEST(GenericViewDifferential, PlanEqualsTheConcreteStep) {
  std::mt19937_64 rng(14);
  int compared = 0;
  for (int seed = 0; seed < 60; ++seed) {
    const auto sc = random_scenario(rng, seed);
    compare_one(sc, seed);
    ++compared;
  }
  EXPECT_EQ(compared, 60);
}

}  // namespace
}  // namespace kvcheck

namespace kvcheck {
namespace {

// The same step with every rangeable parameter handed to the view only as a constant (fixed to
// its value by an equality) and the params the view holds changed: a [prove] range over block
// size, lookahead, pool, watermark, max_num_seqs or token budget is sound only if nothing reads
// them past the view's `knob`. A literal read anywhere in the policy, the engine step or the
// view would compute a different plan here.
TEST(GenericViewDifferential, RangeableParametersAreReadOnlyThroughTheView) {
  std::mt19937_64 rng(15);
  for (int seed = 0; seed < 40; ++seed) compare_one(random_scenario(rng, seed), seed, true);
}

}  // namespace
}  // namespace kvcheck
