// Small pieces of the Z3 backend pinned one function at a time (issue 19: run 2's survivors in
// symbolic_domain.h, allocation_invariant.cpp, unroller.cpp, seed_search.cpp, vacuity.cpp and
// bmc_session.{h,cpp}). Each expectation is integer arithmetic, a rule the header states, or a
// deliberately plain re-statement of that rule inside the test (the `*_plainly` functions),
// never another run of the code under test. Part of the z3_edges_test binary.
#include <gtest/gtest.h>

#include <tuple>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "checkers/z3/allocation_invariant.h"
#include "checkers/z3/bmc_session.h"
#include "checkers/z3/seed_search.h"
#include "checkers/z3/solver_limits.h"
#include "checkers/z3/unroller.h"
#include "checkers/z3/vacuity.h"

namespace kvcheck {
namespace {

using D = Symbolic;

/// `t` with the constant `v` replaced by `value`, simplified to a numeral.
std::int64_t at(const SymInt& t, const SymInt& v, std::int64_t value) {
  z3::expr_vector from(v.e.ctx()), to(v.e.ctx());
  from.push_back(v.e);
  to.push_back(v.e.ctx().int_val(value));
  std::int64_t out = 0;
  auto e = t.e;
  EXPECT_TRUE(e.substitute(from, to).simplify().is_numeral_i64(out)) << t.e;
  return out;
}

bool truth_at(const SymBool& t, const SymInt& v, std::int64_t value) {
  z3::expr_vector from(v.e.ctx()), to(v.e.ctx());
  from.push_back(v.e);
  to.push_back(v.e.ctx().int_val(value));
  auto e = t.e;
  const auto r = e.substitute(from, to).simplify();
  EXPECT_TRUE(r.is_true() || r.is_false()) << r;
  return r.is_true();
}

// --- symbolic_domain.h ------------------------------------------------------------------------

// + and - with a literal on either side (the folding shortcuts for 0) and on two literals: the
// integer results, for literals around 0 and the constant v at several values.
TEST(SymbolicDomain, SumsAndDifferencesWithLiteralsAreIntegerArithmetic) {
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto v = D::var("v");
  for (const std::int64_t a : {-2, -1, 0, 1, 2}) {
    for (const std::int64_t x : {-3, 0, 5}) {
      EXPECT_EQ(at(D::lit(a) + v, v, x), a + x) << a << " + " << x;
      EXPECT_EQ(at(v + D::lit(a), v, x), x + a) << x << " + " << a;
      EXPECT_EQ(at(D::lit(a) - v, v, x), a - x) << a << " - " << x;
      EXPECT_EQ(at(v - D::lit(a), v, x), x - a) << x << " - " << a;
    }
    for (const std::int64_t b : {-1, 0, 3}) {
      std::int64_t s = 0, d = 0;
      ASSERT_TRUE((D::lit(a) + D::lit(b)).e.is_numeral_i64(s));
      ASSERT_TRUE((D::lit(a) - D::lit(b)).e.is_numeral_i64(d));
      EXPECT_EQ(s, a + b);
      EXPECT_EQ(d, a - b);
    }
  }
}

// The six comparisons, folded on two literals and symbolic otherwise.
TEST(SymbolicDomain, ComparisonsAreTheIntegerOnes) {
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto v = D::var("v");
  for (const std::int64_t a : {-1, 0, 1, 2}) {
    for (const std::int64_t b : {-1, 0, 1, 2}) {
      EXPECT_EQ((D::lit(a) < D::lit(b)).e.is_true(), a < b);
      EXPECT_EQ((D::lit(a) <= D::lit(b)).e.is_true(), a <= b);
      EXPECT_EQ((D::lit(a) > D::lit(b)).e.is_true(), a > b);
      EXPECT_EQ((D::lit(a) >= D::lit(b)).e.is_true(), a >= b);
      EXPECT_EQ((D::lit(a) == D::lit(b)).e.is_true(), a == b);
      EXPECT_EQ((D::lit(a) != D::lit(b)).e.is_true(), a != b);
      EXPECT_EQ(truth_at(D::lit(a) < v, v, b), a < b);
      EXPECT_EQ(truth_at(v <= D::lit(a), v, b), b <= a);
      EXPECT_EQ(truth_at(D::lit(a) > v, v, b), a > b);
      EXPECT_EQ(truth_at(v >= D::lit(a), v, b), b >= a);
      EXPECT_EQ(truth_at(D::lit(a) == v, v, b), a == b);
      EXPECT_EQ(truth_at(v != D::lit(a), v, b), b != a);
    }
  }
}

// ceil(a / b) folded on two literals and symbolic otherwise: ceil(4/2) = 2, ceil(5/2) = 3,
// ceil(0/3) = 0, ceil(7/1) = 7; with a symbolic numerator the same values at v = 4, 5, 0.
TEST(SymbolicDomain, CeilDivIsTheCeilingOfTheQuotient) {
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto v = D::var("v");
  for (const auto& [a, b, q] : {std::tuple{4, 2, 2}, std::tuple{5, 2, 3}, std::tuple{0, 3, 0},
                                std::tuple{7, 1, 7}, std::tuple{6, 4, 2}}) {
    std::int64_t folded = -1;
    ASSERT_TRUE(D::ceil_div(D::lit(a), D::lit(b)).e.is_numeral_i64(folded)) << a << "/" << b;
    EXPECT_EQ(folded, q) << a << "/" << b;
    EXPECT_EQ(at(D::ceil_div(v, D::lit(b)), v, a), q) << a << "/" << b;
  }
}

// The symbolic domain has no direct index: lookup is a select chain over the entries, and an
// index outside them gives 0 (models/domain.h).
TEST(SymbolicDomain, LookupSelectsTheEntryAtTheIndex) {
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto i = D::var("i");
  const std::vector<SymInt> v{D::lit(5), D::lit(7), D::lit(9)};
  EXPECT_EQ(at(lookup<D>(v, i), i, 0), 5);
  EXPECT_EQ(at(lookup<D>(v, i), i, 1), 7);
  EXPECT_EQ(at(lookup<D>(v, i), i, 2), 9);
  EXPECT_EQ(at(lookup<D>(v, i), i, 3), 0);
  EXPECT_EQ(at(lookup<D>(v, i), i, -1), 0);
}

// --- solver_limits.h ---------------------------------------------------------------------------

// Saturated, never wrapped: 1 ms stays 1 ms (0 would mean "no limit" to Z3), 2^32 ms and more
// become 2^32 - 1; resource units likewise.
TEST(SolverLimits, MillisecondsAndUnitsSaturateAtTheUnsignedMaximum) {
  constexpr unsigned kMax = 4294967295U;
  EXPECT_EQ(z3_millis(1), 1U);
  EXPECT_EQ(z3_millis(2), 2U);
  EXPECT_EQ(z3_millis(0), 1U);
  EXPECT_EQ(z3_millis(4294967295LL), kMax);
  EXPECT_EQ(z3_millis(4294967296LL), kMax);
  EXPECT_EQ(z3_units(0), 0U);
  EXPECT_EQ(z3_units(12345), 12345U);
  EXPECT_EQ(z3_units(std::uint64_t{1} << 40), kMax);
}

// --- allocation_invariant.cpp: nonneg_by_shape --------------------------------------------------

// The shape rules of allocation_invariant.h check 2: a numeral >= 0; a base term; a value
// stored under exactly the condition of the if-then-else whose then-branch it is (or stored
// unconditionally); an if-then-else of such branches; a sum of such terms. Nothing else.
TEST(AllocationShape, NonNegativeByShapeFollowsTheDocumentedRules) {
  z3::context ctx;
  SymbolicScope scope(ctx);
  const auto x = D::var("x"), y = D::var("y"), z = D::var("z");  // x, y base; z unknown
  const auto s = D::var("s"), u = D::var("u");                    // stored values
  const auto c = D::bool_var("c"), c2 = D::bool_var("c2");
  const std::vector<SymInt> base{x, y};
  const std::vector<GuardedValue> stores{{c, s}, {D::truth(true), u}};
  const auto shape = [&](const SymInt& t) { return nonneg_by_shape(t, base, stores); };
  EXPECT_TRUE(shape(D::lit(0)));
  EXPECT_TRUE(shape(D::lit(4)));
  EXPECT_FALSE(shape(D::lit(-1)));
  EXPECT_TRUE(shape(x));
  EXPECT_FALSE(shape(z));
  EXPECT_TRUE(shape(u));   // stored under `true`: known >= 0 everywhere
  EXPECT_FALSE(shape(s));  // stored under c: only where c holds
  // sums: every operand must pass
  EXPECT_TRUE(shape(x + y));
  EXPECT_TRUE(shape(x + D::lit(2)));
  EXPECT_FALSE(shape(x + D::lit(-1)));
  EXPECT_FALSE(shape(D::lit(-1) + x));
  EXPECT_FALSE(shape(x + z));
  EXPECT_FALSE(shape(z + x));
  z3::expr_vector three(ctx);
  for (const auto& t : {x, y, u}) three.push_back(t.e);
  EXPECT_TRUE(shape(SymInt{z3::sum(three)}));
  three.push_back(z.e);
  EXPECT_FALSE(shape(SymInt{z3::sum(three)}));
  // if-then-else: then-branch under its own condition, else-branch on its own
  EXPECT_TRUE(shape(D::select(c, s, x)));
  EXPECT_FALSE(shape(D::select(c2, s, x)));  // s was stored under c, not c2
  EXPECT_FALSE(shape(D::select(c, x, s)));   // the else-branch is not under c
  EXPECT_FALSE(shape(D::select(c, s, z)));
  EXPECT_TRUE(shape(D::select(c2, x, D::select(c, s, y))));
  EXPECT_TRUE(shape(D::select(c, s, x) + y));
  // other operators are not shapes
  EXPECT_FALSE(shape(x - y));
  EXPECT_FALSE(shape(SymInt{x.e * y.e}));
}

// --- allocation_invariant.cpp: a stored value of 0 -----------------------------------------------

// The allocation argument's contract: any state satisfying I from which one step can violate a
// property means "not shown". Here the caller pins the argument's arbitrary pre-state (the
// constants `<field>_<slot>@alloc0`) to such a state. vLLM FCFS, chunked prefill, 1 token per
// step, blocks of 1 token, pool 4; slot 0 (prompt 3, output 1) runs with 1 token computed and 1
// block held (used = 1), so the step schedules its second prompt token: tokens 2, blocks 2 <= 4,
// computed 2 < prompt 3, so it stores generated = 0 (a value >= 0, but not > 0). Slot 1 holds a
// status code outside the five, so it counts as arrived (not Pending) but as none of waiting,
// running, done, rejected: conservation (arrived = waiting + running + done + rejected: 2 vs 1)
// fails in the step, and I cannot imply it.
TEST(AllocationProofEdges, AStoredZeroIsNotAssumedPositive) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 4;
  p.engine.chunked_prefill = true;
  p.engine.max_batched_tokens = 1;
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_lo = spec.prompt_hi = 3;
  spec.output_lo = spec.output_hi = 1;
  spec.arrival_hi = 0;
  z3::context ctx;
  Unroller u(ctx, p, spec);
  SymbolicScope scope(ctx);
  z3::solver s(ctx);
  for (const auto& c : u.input_constraints()) s.add(c.e);
  const auto pin = [&](const char* name, std::int64_t v) {
    s.add(ctx.int_const(name) == ctx.int_val(v));
  };
  pin("arrival_0", 0);
  pin("arrival_1", 0);
  pin("time@alloc0", 1);
  pin("used@alloc0", 1);
  const std::map<std::string, std::int64_t> slot0{{"status", status_code(Status::Running)},
                                                  {"pos", 0}, {"computed", 1},
                                                  {"generated", 0}, {"blocks", 1},
                                                  {"tokens", 1}};
  for (const auto& [f, v] : slot0) pin((f + "_0@alloc0").c_str(), v);
  for (const char* f : {"pos", "computed", "generated", "blocks", "tokens"})
    pin((std::string(f) + "_1@alloc0").c_str(), 0);
  pin("status_1@alloc0", 9);
  const auto r = prove_allocation_invariant(u, s, {PropertyId::Conservation});
  EXPECT_FALSE(r.holds);
  EXPECT_EQ(r.reason, "a property in the step: can fail");
  // The same state without the bad slot (status Pending, arrival after the step): the step is
  // fine, so the argument goes through (it is not the pin that makes it fail).
  z3::solver ok(ctx);
  for (const auto& c : u.input_constraints()) ok.add(c.e);
  ok.add(ctx.int_const("arrival_0") == ctx.int_val(0));
  ok.add(ctx.int_const("time@alloc0") == ctx.int_val(1));
  ok.add(ctx.int_const("used@alloc0") == ctx.int_val(1));
  for (const auto& [f, v] : slot0)
    ok.add(ctx.int_const((f + "_0@alloc0").c_str()) == ctx.int_val(v));
  EXPECT_TRUE(prove_allocation_invariant(u, ok, {PropertyId::KvNoOverflow}).holds);
}

// Every check is one query, counted as it is made (AllocationProof::queries, printed in prove's
// progress line). A pool of -1 blocks (no config can give one; only to reach the first check's
// failure) makes I false in the initial state (counter 0 > -1), so the first query, the initial
// state, is answered sat and the argument stops there, not shown, after exactly 1 query.
TEST(AllocationProofEdges, StopsAtTheFirstFailedQueryAfterOneQuery) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = -1;
  BmcSpec spec;
  spec.slots = 2;
  z3::context ctx;
  Unroller u(ctx, p, spec);
  SymbolicScope scope(ctx);
  z3::solver s(ctx);
  for (const auto& c : u.input_constraints()) s.add(c.e);
  const auto r = prove_allocation_invariant(u, s, {PropertyId::KvNoOverflow});
  EXPECT_FALSE(r.holds);
  EXPECT_EQ(r.queries, 1);
  EXPECT_EQ(r.reason, "initial state: can fail");
}

// Check 3 looks at each reservation: Orca plans its prefills without a memory check, so from a
// pre-state with the pool already full (used = 4 = the pool, allowed by I) and a request
// waiting, the step's first reservation raises the counter past the pool. The argument fails
// there, at check 3 (naming the change), before the post-state counter is looked at.
TEST(AllocationProofEdges, AnUncheckedReservationFailsCheckThree) {
  ModelParams p;
  p.policy.kind = PolicyKind::Orca;
  p.engine.num_blocks = 4;
  BmcSpec spec;
  spec.slots = 2;
  spec.prompt_lo = spec.prompt_hi = 2;
  spec.output_lo = spec.output_hi = 1;
  spec.arrival_hi = 0;
  z3::context ctx;
  Unroller u(ctx, p, spec);
  SymbolicScope scope(ctx);
  z3::solver s(ctx);
  for (const auto& c : u.input_constraints()) s.add(c.e);
  const auto r = prove_allocation_invariant(u, s, {PropertyId::KvNoOverflow});
  EXPECT_FALSE(r.holds);
  EXPECT_EQ(r.reason.rfind("the pool counter can exceed the pool (change ", 0), 0U) << r.reason;
  EXPECT_NE(r.reason.find("): can fail"), std::string::npos) << r.reason;
  EXPECT_GE(r.queries, 2);  // the initial state, then this one
}

// --- unroller.cpp -----------------------------------------------------------------------------

/// The queue-order rules of unroller.h, stated plainly over plain numbers: a running (waiting)
/// slot's position is the number of running (waiting) slots with a smaller index, and no
/// running slot has a larger index than a waiting one.
std::map<std::string, bool> order_plainly(const std::vector<Status>& st,
                                          const std::vector<std::int64_t>& pos) {
  std::map<std::string, bool> out;
  for (std::size_t i = 0; i < st.size(); ++i) {
    std::int64_t runs = 0, waits = 0;
    bool later_running = false;
    for (std::size_t j = 0; j < i; ++j) {
      runs += st[j] == Status::Running ? 1 : 0;
      waits += st[j] == Status::Waiting ? 1 : 0;
    }
    for (std::size_t j = i + 1; j < st.size(); ++j) later_running |= st[j] == Status::Running;
    const auto n = "_" + std::to_string(i);
    out["run_rank" + n] = st[i] != Status::Running || pos[i] == runs;
    out["wait_rank" + n] = st[i] != Status::Waiting || pos[i] == waits;
    out["wait_after_run" + n] = st[i] != Status::Waiting || !later_running;
  }
  return out;
}

/// Calls f(code, statuses, positions, state) for every assignment of 3 slots to Pending /
/// Waiting / Running / Done and positions 0..2 (1728 states; the state's other fields 0).
template <class F>
void for_each_three_slot_state(F&& f) {
  const std::vector<Status> kinds{Status::Pending, Status::Waiting, Status::Running, Status::Done};
  for (int code = 0; code < 4 * 4 * 4 * 3 * 3 * 3; ++code) {
    int c = code;
    std::vector<Status> st;
    std::vector<std::int64_t> pos;
    for (int i = 0; i < 3; ++i, c /= 4) st.push_back(kinds[static_cast<std::size_t>(c % 4)]);
    for (int i = 0; i < 3; ++i, c /= 3) pos.push_back(c % 3);
    SymState s{{}, D::lit(0), D::lit(0)};
    for (int i = 0; i < 3; ++i)
      s.slots.push_back({D::lit(status_code(st[static_cast<std::size_t>(i)])),
                         D::lit(pos[static_cast<std::size_t>(i)]), D::lit(0), D::lit(0),
                         D::lit(0), D::lit(0)});
    f(code, st, pos, s);
  }
}

// Every assignment of 3 slots to Pending / Waiting / Running / Done and positions 0..2.
TEST(UnrollerOrder, CandidatesAreTheQueueOrderRulesOnEveryConcreteState) {
  ModelParams p;
  p.engine.num_blocks = 4;
  BmcSpec spec;
  spec.slots = 3;
  z3::context ctx;
  Unroller u(ctx, p, spec);
  SymbolicScope scope(ctx);
  int checked = 0;
  for_each_three_slot_state([&](int code, const std::vector<Status>& st,
                                const std::vector<std::int64_t>& pos, const SymState& s) {
    const auto want = order_plainly(st, pos);
    const auto got = u.order_candidates(s);
    ASSERT_EQ(got.size(), want.size());
    for (const auto& part : got) {
      ASSERT_TRUE(part.holds.e.is_true() || part.holds.e.is_false()) << part.name;
      ASSERT_EQ(want.count(part.name), 1U) << part.name;
      EXPECT_EQ(part.holds.e.is_true(), want.at(part.name)) << part.name << " in state " << code;
      ++checked;
    }
  });
  EXPECT_EQ(checked, 1728 * 9);
}

// well_formed_parts' queue bounds (unroller.h: "queue positions a permutation"), stated plainly:
// a waiting (running) slot's position lies in [0, number of waiting (running) slots). Every
// assignment of 3 slots to Pending / Waiting / Running / Done and positions 0..2 (e.g. two
// running slots at positions 0 and 2: run_pos fails for the second, 2 >= 2).
TEST(UnrollerWellFormed, QueuePositionsLieBelowTheQueueLength) {
  ModelParams p;
  p.engine.num_blocks = 4;
  BmcSpec spec;
  spec.slots = 3;
  z3::context ctx;
  Unroller u(ctx, p, spec);
  SymbolicScope scope(ctx);
  int checked = 0;
  for_each_three_slot_state([&](int code, const std::vector<Status>& st,
                                const std::vector<std::int64_t>& pos, const SymState& s) {
    const auto count = [&](Status k) { return std::count(st.begin(), st.end(), k); };
    for (const auto& part : u.well_formed_parts(s)) {
      const bool wait = part.name.rfind("wait_pos_", 0) == 0;
      if (!wait && part.name.rfind("run_pos_", 0) != 0) continue;
      const auto i = static_cast<std::size_t>(part.name.back() - '0');
      const auto k = wait ? Status::Waiting : Status::Running;
      const bool want = st[i] != k || (pos[i] >= 0 && pos[i] < count(k));
      const auto got = part.holds.e.simplify();
      ASSERT_TRUE(got.is_true() || got.is_false()) << part.name << ": " << got;
      EXPECT_EQ(got.is_true(), want) << part.name << " in state " << code;
      ++checked;
    }
  });
  EXPECT_EQ(checked, 1728 * 6);
}

// max_arrivals_per_step = m: at most m present requests arrive in one step; absent slots
// (arrival horizon + 1 = 5 here) are not counted. 3 slots, arrivals in [0, 3].
TEST(UnrollerInputs, AtMostMArrivalsPerStep) {
  ModelParams p;
  p.engine.num_blocks = 4;
  for (const std::int64_t m : {1, 2}) {
    BmcSpec spec;
    spec.slots = 3;
    spec.max_arrivals_per_step = m;
    z3::context ctx;
    Unroller u(ctx, p, spec);
    SymbolicScope scope(ctx);
    const auto allowed = [&](std::vector<std::int64_t> a) {
      z3::solver s(ctx);
      for (const auto& c : u.input_constraints()) s.add(c.e);
      for (std::size_t i = 0; i < a.size(); ++i)
        s.add(u.inputs()[i].arrival.e == ctx.int_val(a[i]));
      return s.check() == z3::sat;
    };
    const auto most_in_one_step = [](const std::vector<std::int64_t>& a) {
      std::int64_t most = 0;
      for (const auto x : a)
        if (x <= 3) most = std::max<std::int64_t>(most, std::count(a.begin(), a.end(), x));
      return most;
    };
    for (const std::vector<std::int64_t>& a :
         {std::vector<std::int64_t>{0, 1, 2}, {0, 0, 1}, {0, 0, 0}, {1, 1, 3}, {2, 3, 3},
          {0, 5, 5}, {3, 5, 5}, {0, 1, 5}, {0, 0, 5}, {5, 5, 5}}) {
      SCOPED_TRACE("m " + std::to_string(m) + ", arrivals " + std::to_string(a[0]) + " " +
                   std::to_string(a[1]) + " " + std::to_string(a[2]));
      EXPECT_EQ(allowed(a), most_in_one_step(a) <= m);
    }
  }
}

// --- seed_search.cpp: within_spec ----------------------------------------------------------------

Request rq(std::int64_t arrival, std::int64_t prompt, std::int64_t output, std::int64_t klass = 0) {
  Request r;
  r.arrival_step = arrival;
  r.arrival_time = static_cast<double>(arrival);
  r.prompt = prompt;
  r.output = output;
  r.klass = klass;
  return r;
}

Workload wl(std::vector<Request> rs) {
  Workload w;
  w.clock = ArrivalClock::Steps;
  w.requests = std::move(rs);
  return w;
}

// Each bound of seed_search.h's `within_spec` on its own: 3 slots, prompt and output in [1, 3],
// arrivals in [0, 3], ordered, at most m per step.
TEST(WithinSpec, EveryBoundOnItsOwn) {
  ModelParams p;
  BmcSpec spec;
  spec.slots = 3;
  spec.prompt_lo = spec.output_lo = 1;
  spec.prompt_hi = spec.output_hi = 3;
  spec.arrival_lo = 0;
  spec.arrival_hi = 3;
  EXPECT_TRUE(within_spec(p, spec, wl({rq(0, 1, 1), rq(0, 3, 3), rq(3, 2, 2)})));
  EXPECT_FALSE(within_spec(p, spec, wl({})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 1, 1), rq(0, 1, 1), rq(1, 1, 1), rq(2, 1, 1)})));
  EXPECT_TRUE(within_spec(p, spec, wl({rq(1, 2, 2)})));
  spec.allow_absent = false;
  EXPECT_FALSE(within_spec(p, spec, wl({rq(1, 2, 2)})));
  EXPECT_TRUE(within_spec(p, spec, wl({rq(1, 2, 2), rq(1, 2, 2), rq(2, 2, 2)})));
  spec.allow_absent = true;
  EXPECT_FALSE(within_spec(p, spec, wl({rq(4, 2, 2)})));
  spec.arrival_lo = 1;
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 2, 2)})));
  EXPECT_TRUE(within_spec(p, spec, wl({rq(1, 2, 2)})));
  spec.arrival_lo = 0;
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 0, 2)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 4, 2)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 2, 0)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 2, 4)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 2, 2, 1)})));  // no classes: class 0 only
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 2, 2, -1)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(2, 2, 2), rq(1, 2, 2)})));  // not ordered
  // at most m arrivals per step: a run of equal steps counts from 1
  spec.max_arrivals_per_step = 1;
  EXPECT_TRUE(within_spec(p, spec, wl({rq(0, 1, 1), rq(1, 1, 1), rq(3, 1, 1)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 1, 1), rq(0, 1, 1)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 1, 1), rq(2, 1, 1), rq(2, 1, 1)})));
  spec.max_arrivals_per_step = 2;
  EXPECT_TRUE(within_spec(p, spec, wl({rq(0, 1, 1), rq(0, 1, 1), rq(1, 1, 1)})));
  EXPECT_TRUE(within_spec(p, spec, wl({rq(0, 1, 1), rq(1, 1, 1), rq(1, 1, 1)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(2, 1, 1), rq(2, 1, 1), rq(2, 1, 1)})));
  // classes with their own lengths (per_class): class in range and its exact lengths
  p.classes = {{"a", 1, 2, 1.0, 1}, {"b", 3, 1, 1.0, 1}};
  spec.per_class = true;
  spec.max_arrivals_per_step = 0;
  EXPECT_TRUE(within_spec(p, spec, wl({rq(0, 1, 2, 0), rq(0, 3, 1, 1)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 3, 1, 0)})));
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 1, 2, 2)})));
  // one of the two lengths wrong is enough: class a is (1, 2)
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 1, 1, 0)})));  // the prompt right, not the output
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 2, 2, 0)})));  // the output right, not the prompt
  EXPECT_FALSE(within_spec(p, spec, wl({rq(0, 3, 2, 1)})));  // class b is (3, 1)
}

// --- unroller.cpp: fixes --------------------------------------------------------------------------

// fixes(w) pins every input of every slot to w's (an absent slot's arrival to horizon + 1 = 5,
// the horizon being arrival_hi + 1 = 4): with the input constraints it is satisfiable, its model
// reads back as w, and changing any one field of any slot away from w's value contradicts it. 3 slots, prompt and output in [1, 3], arrivals
// in [0, 3]; w has two requests, slot 2 is absent.
TEST(UnrollerFixes, PinsEveryFieldOfEverySlot) {
  ModelParams p;
  p.engine.num_blocks = 8;
  BmcSpec spec;
  spec.slots = 3;
  spec.prompt_lo = spec.output_lo = 1;
  spec.prompt_hi = spec.output_hi = 3;
  spec.arrival_lo = 0;
  spec.arrival_hi = 3;
  z3::context ctx;
  Unroller u(ctx, p, spec);
  SymbolicScope scope(ctx);
  const auto w = wl({rq(1, 2, 3), rq(3, 3, 1)});
  z3::solver s(ctx);
  for (const auto& c : u.input_constraints()) s.add(c.e);
  s.add(u.fixes(w).e);
  ASSERT_EQ(s.check(), z3::sat);
  const auto back = u.workload(s.get_model());
  ASSERT_EQ(back.requests.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back.requests[i].arrival_step, w.requests[i].arrival_step) << i;
    EXPECT_EQ(back.requests[i].prompt, w.requests[i].prompt) << i;
    EXPECT_EQ(back.requests[i].output, w.requests[i].output) << i;
    EXPECT_EQ(back.requests[i].klass, 0) << i;
  }
  // the expected value of each field, written out: (arrival, prompt, output, class) per slot
  const std::vector<std::vector<std::int64_t>> want{{1, 2, 3, 0}, {3, 3, 1, 0}};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& in = u.inputs()[i];
    const std::vector<z3::expr> fields{in.arrival.e, in.prompt.e, in.output.e, in.klass.e};
    for (std::size_t f = 0; f < (i < 2 ? 4U : 1U); ++f) {
      const auto value = i < 2 ? want[i][f] : 5;  // absent: arrival horizon + 1
      s.push();
      s.add(fields[f] != ctx.int_val(value));
      EXPECT_EQ(s.check(), z3::unsat) << "slot " << i << " field " << f;
      s.pop();
    }
  }
}

// --- seed_search.cpp: the lengths drawn ----------------------------------------------------------

/// vLLM FCFS on a pool of 100 one-token blocks, and one request of prompt in [1, 40] (output 1)
/// arriving at step 0: the plan of step 0 reserves exactly its prompt.
ModelParams one_prompt_model() {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 100;
  return p;
}
BmcSpec one_prompt_spec() {
  BmcSpec spec;
  spec.slots = 1;
  spec.allow_absent = false;
  spec.prompt_lo = 1;
  spec.prompt_hi = 40;
  spec.output_lo = spec.output_hi = 1;
  spec.arrival_lo = spec.arrival_hi = 0;
  spec.properties = {PropertyId::KvNoOverflow};
  return spec;
}

// seed_search.h: "lengths at the range ends half of the time" (one end each a quarter of the
// time, else uniform over the range). One request of prompt in [1, 40] (output 1) arriving at
// step 0 under vLLM FCFS, blocks of 1 token, a pool of 100: the plan of step 0 reserves exactly
// its prompt, so peak_demand over one run with seed k is the prompt drawn with seed k. Over 400
// seeds: P(1) = P(40) = 1/4 + 1/2 * 1/40 = 0.2625 (105 expected, sd 8.8), each inner value
// 1/80 (190 expected in all, sd 10); bounds at about 4 sd.
TEST(SeedDraws, LengthsAreAtTheRangeEndsHalfOfTheTime) {
  const auto p = one_prompt_model();
  const auto spec = one_prompt_spec();
  std::map<std::int64_t, int> seen;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) ++seen[peak_demand(p, spec, 1, 1, seed)];
  int inner = 0;
  for (const auto& [prompt, n] : seen) {
    EXPECT_GE(prompt, 1);
    EXPECT_LE(prompt, 40);
    if (prompt > 1 && prompt < 40) inner += n;
  }
  EXPECT_GE(seen[1], 70);
  EXPECT_LE(seen[1], 140);
  EXPECT_GE(seen[40], 70);
  EXPECT_LE(seen[40], 140);
  EXPECT_GE(inner, 150);
  EXPECT_LE(inner, 230);
}

// peak_demand starts from nothing: with no run, or a depth of 0 (no step < 0 is observed), no
// plan is seen and the peak is 0 blocks, not 1. (The same model's one run within depth 1 plans
// its prompt: between 1 and 40, SeedDraws above.)
TEST(SeedDraws, PeakDemandOfNothingIsZero) {
  const auto p = one_prompt_model();
  const auto spec = one_prompt_spec();
  EXPECT_EQ(peak_demand(p, spec, 1, 0, 1), 0);
  EXPECT_EQ(peak_demand(p, spec, 0, 5, 1), 0);
  EXPECT_GE(peak_demand(p, spec, 1, 1, 1), 1);
}

// seed_search tries `runs` workloads, the first numbered 1. Orca plans without a memory check:
// two requests (prompt 2, output 1) arriving at step 0 on a 2-block pool (blocks of 1 token)
// plan 2 + 2 = 4 blocks in step 0, so every draw overflows at step 0 and a single run finds it.
TEST(SeedDraws, OneRunIsTriedAndItIsRunOne) {
  ModelParams p;
  p.policy.kind = PolicyKind::Orca;
  p.engine.num_blocks = 2;
  BmcSpec spec;
  spec.slots = 2;
  spec.allow_absent = false;
  spec.prompt_lo = spec.prompt_hi = 2;
  spec.output_lo = spec.output_hi = 1;
  spec.arrival_lo = spec.arrival_hi = 0;
  spec.properties = {PropertyId::KvNoOverflow};
  const auto hint = seed_search(p, spec, 3, 1, 1);
  ASSERT_TRUE(hint.has_value());
  EXPECT_EQ(hint->run, 1);
  EXPECT_EQ(hint->step, 0);
  EXPECT_EQ(hint->property, PropertyId::KvNoOverflow);
  EXPECT_FALSE(seed_search(p, spec, 3, 0, 1).has_value());  // no run, no witness
}

// --- vacuity.cpp ---------------------------------------------------------------------------------

// prove's activity horizon must let the last possible arrival be scheduled: a request arriving
// at step 3 (the only arrival step allowed) is admitted at step 3 on the ages-like model below,
// i.e. in the 4th step, so with depth 0 the horizon is 4 steps, and it is exercised; one step
// less (horizon 3) is not.
TEST(VacuityHorizon, TheLastArrivalIsScheduledWithinIt) {
  ModelParams p;
  p.policy.kind = PolicyKind::VllmFcfs;
  p.engine.num_blocks = 4;
  BmcSpec spec;
  spec.slots = 1;
  spec.prompt_hi = spec.output_hi = 1;
  spec.arrival_lo = spec.arrival_hi = 3;
  spec.properties = {PropertyId::KvNoOverflow};
  SolverOptions o;
  o.seed_runs = 0;  // the solver decides
  for (const std::int64_t depth : {0, 2}) {
    spec.depth = depth;
    EXPECT_EQ(prove_activity_horizon(spec), 4 + depth);
  }
  spec.depth = 0;
  EXPECT_EQ(check_activity(p, spec, prove_activity_horizon(spec), o).activity,
            Activity::Exercised);
  EXPECT_EQ(check_activity(p, spec, 3, o).activity, Activity::Vacuous);
}

/// The candidates of Unroller::lemma_candidates for 2 slots, in the order unroller.h gives:
/// well_formed_parts (time; per slot status ... run_computed; per slot wait_pos, run_pos and
/// distinct pairs; used_sum, pool), then order_candidates (per slot run_rank, wait_rank,
/// wait_after_run): 1 + 2 * 10 + (2 * 2 + 1) + 2 + 2 * 3 = 34.
std::vector<std::string> two_slot_candidates() {
  std::vector<std::string> out{"time"};
  for (const char* n : {"_0", "_1"})
    for (const char* f : {"status", "pending", "empty", "pos0", "done", "run_tokens",
                          "run_blocks", "run_gen", "run_gen_lt", "run_computed"})
      out.push_back(f + std::string(n));
  for (const char* f : {"wait_pos_0", "run_pos_0", "distinct_0_1", "wait_pos_1", "run_pos_1",
                        "used_sum", "pool", "run_rank_0", "wait_rank_0", "wait_after_run_0",
                        "run_rank_1", "wait_rank_1", "wait_after_run_1"})
    out.emplace_back(f);
  return out;
}

/// The ages model of z3_edges_test.cpp (Alg. 1, one class (1, 3) of budget 1, 2 slots).
BmcSpec two_slot_spec() {
  BmcSpec s;
  s.slots = 2;
  s.per_class = true;
  s.arrival_hi = 3;
  s.properties = {PropertyId::KvNoOverflow};
  return s;
}
ModelParams two_slot_model() {
  ModelParams p;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.engine.num_blocks = 4;
  p.classes = {{"c", 1, 3, 1.0, 1}};
  return p;
}

/// The lines of `text`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// prove_lemmas with a total budget of 1 resource unit (bmc_session.h: "Past total_work units
// the unproved parts are dropped"): the base-case queries already cost more, so no step query
// runs, nothing is proved, and the progress listing names each of the 34 candidates once as
// not assumed, in candidate order.
TEST(LemmaBudget, PastTheTotalBudgetNothingIsAssumed) {
  const auto p = two_slot_model();
  const auto spec = two_slot_spec();
  SolverOptions o;
  o.seed_runs = 0;
  std::ostringstream out;
  o.progress = &out;
  BmcSession s(p, spec, o, false);
  EXPECT_TRUE(s.prove_lemmas(20'000'000, 1).empty());
  const auto lines = lines_of(out.str());
  const auto want = two_slot_candidates();
  ASSERT_EQ(lines.size(), want.size() + 1) << out.str();
  EXPECT_EQ(lines[0].rfind("lemmas: 0 of 34 lemma candidates", 0), 0U) << lines[0];
  EXPECT_NE(lines[0].find("(0 queries)"), std::string::npos) << lines[0];
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(lines[i + 1], "  not assumed: " + want[i]);
}

// prove_lemmas under a per-query limit of 1 resource unit: the proof goes last candidate first,
// and the last slot's wait_after_run_1 is literally true (no slot after it can be running), so
// its query is decided without search and proved; the next queries are UNKNOWN at 1 unit. The
// rule of bmc_session.cpp ("once the solver has timed out at least 3 times and more often than
// it proved a part") gives up after the 3rd timeout: 3 > 1 proved, 4 queries in all.
TEST(LemmaBudget, GivesUpAfterThreeTimeoutsMoreThanProved) {
  const auto p = two_slot_model();
  const auto spec = two_slot_spec();
  SolverOptions o;
  o.seed_runs = 0;
  std::ostringstream out;
  o.progress = &out;
  BmcSession s(p, spec, o, false);
  EXPECT_EQ(s.prove_lemmas(1, 0), std::vector<std::string>{"wait_after_run_1"});
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 34U) << out.str();  // the header and 33 parts not assumed
  EXPECT_EQ(lines[0].rfind("lemmas: 1 of 34 lemma candidates", 0), 0U) << lines[0];
  EXPECT_NE(lines[0].find("(gave up after 3 solver timeouts, 4 queries)"), std::string::npos)
      << lines[0];
}

// --- bmc_session ---------------------------------------------------------------------------------

// The seed search's draws and the run numbers reported (README: "seed search: no_preemption
// fails at step 1 in simulation run 2 of 2000") were recorded with the default seed 1.
TEST(SolverDefaults, SeedIsOne) { EXPECT_EQ(SolverOptions{}.seed, 1U); }

// The k-induction step case starts from an arbitrary state satisfying the built-in invariant,
// every part of it (no lemmas proved here, so none is left out): the first part, "time", keeps
// the start state's time (the constant time@0) in [0, horizon] with horizon = arrival_hi + 1 = 4,
// and both ends are possible (the initial state has time 0; a state after the last arrival,
// time 4). Without that part, any state valid at time 4 would also be valid at time 5 (the only
// other part naming time, "pending", reads the same there: present arrivals <= 3 are past,
// absent slots at 5 are still to come), and the all-pending initial state at time -1.
TEST(StepCaseStart, TimeIsWithinTheHorizon) {
  const auto p = two_slot_model();
  const auto spec = two_slot_spec();
  SolverOptions o;
  o.seed_runs = 0;
  BmcSession s(p, spec, o, true);
  SymbolicScope scope(s.ctx());
  const auto time = s.ctx().int_const("time@0");
  const auto can = [&](const z3::expr& e, const char* name) {
    return s.query(SymBool{e}, name).result;
  };
  EXPECT_EQ(can(time > 4, "after_horizon"), z3::unsat);
  EXPECT_EQ(can(time < 0, "negative"), z3::unsat);
  EXPECT_EQ(can(time == 4, "at_horizon"), z3::sat);
  EXPECT_EQ(can(time == 0, "at_zero"), z3::sat);
}

}  // namespace
}  // namespace kvcheck
