#include "checkers/z3/generalize.h"

#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace kvcheck {
namespace {

__extension__ typedef __int128 Wide;  // interval ends without overflow
constexpr Wide kMax = std::numeric_limits<std::int64_t>::max();
constexpr Wide kMin = std::numeric_limits<std::int64_t>::min();

std::optional<std::int64_t> narrow(std::optional<Wide> v) {
  if (!v || *v > kMax || *v < kMin) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

/// Interval arithmetic over `Wide` ends.
struct WideInterval {
  std::optional<Wide> lo, hi;
};

WideInterval add(const WideInterval& a, const WideInterval& b) {
  WideInterval r;
  if (a.lo && b.lo) r.lo = *a.lo + *b.lo;
  if (a.hi && b.hi) r.hi = *a.hi + *b.hi;
  return r;
}

WideInterval neg(const WideInterval& a) {
  WideInterval r;
  if (a.hi) r.lo = -*a.hi;
  if (a.lo) r.hi = -*a.lo;
  return r;
}

WideInterval scale(const WideInterval& a, Wide k) {
  if (k < 0) return scale(neg(a), -k);
  WideInterval r;
  if (a.lo) r.lo = *a.lo * k;
  if (a.hi) r.hi = *a.hi * k;
  return r;
}

Wide floor_div(Wide a, Wide d) { return a >= 0 ? a / d : -((-a + d - 1) / d); }

WideInterval hull(const WideInterval& a, const WideInterval& b) {
  WideInterval r;
  if (a.lo && b.lo) r.lo = std::min(*a.lo, *b.lo);
  if (a.hi && b.hi) r.hi = std::max(*a.hi, *b.hi);
  return r;
}

class IntervalOf {
 public:
  explicit IntervalOf(const std::vector<std::pair<z3::expr, Interval>>& ranges) {
    for (const auto& [c, i] : ranges) known_[c.id()] = i;
  }
  WideInterval operator()(const z3::expr& t) {
    const auto it = memo_.find(t.id());
    if (it != memo_.end()) return it->second;
    const auto r = compute(t);
    memo_.emplace(t.id(), r);
    return r;
  }

 private:
  WideInterval compute(const z3::expr& t) {
    std::int64_t v = 0;
    if (t.is_numeral_i64(v)) return {v, v};
    if (t.is_const()) {
      const auto it = known_.find(t.id());
      if (it == known_.end()) return {};
      WideInterval r;
      if (it->second.lo) r.lo = *it->second.lo;
      if (it->second.hi) r.hi = *it->second.hi;
      return r;
    }
    if (!t.is_app()) return {};
    switch (t.decl().decl_kind()) {
      case Z3_OP_ADD: {
        WideInterval r{0, 0};
        for (unsigned i = 0; i < t.num_args(); ++i) r = add(r, (*this)(t.arg(i)));
        return r;
      }
      case Z3_OP_SUB: {
        WideInterval r = (*this)(t.arg(0));
        for (unsigned i = 1; i < t.num_args(); ++i) r = add(r, neg((*this)(t.arg(i))));
        return r;
      }
      case Z3_OP_UMINUS: return neg((*this)(t.arg(0)));
      case Z3_OP_MUL: return mul(t);
      case Z3_OP_IDIV: return idiv((*this)(t.arg(0)), (*this)(t.arg(1)));
      case Z3_OP_ITE: return hull((*this)(t.arg(1)), (*this)(t.arg(2)));
      default: return {};
    }
  }
  /// a div d for a divisor known to be >= 1 (a numeral, or a ranged block size): monotone
  /// in a, so the ends are a's ends divided by the divisor's end that makes them extreme.
  static WideInterval idiv(const WideInterval& a, const WideInterval& d) {
    if (!d.lo || *d.lo < 1) return {};
    WideInterval r;
    if (a.lo) {
      if (*a.lo >= 0) r.lo = d.hi ? floor_div(*a.lo, *d.hi) : 0;
      else r.lo = floor_div(*a.lo, *d.lo);
    }
    if (a.hi) {
      if (*a.hi >= 0) r.hi = floor_div(*a.hi, *d.lo);
      else if (d.hi) r.hi = floor_div(*a.hi, *d.hi);
    }
    return r;
  }
  WideInterval mul(const z3::expr& t) {
    if (t.num_args() != 2) return {};
    std::int64_t k = 0;
    if (t.arg(0).is_numeral_i64(k)) return scale((*this)(t.arg(1)), k);
    if (t.arg(1).is_numeral_i64(k)) return scale((*this)(t.arg(0)), k);
    return {};
  }
  std::unordered_map<unsigned, Interval> known_;
  std::unordered_map<unsigned, WideInterval> memo_;
};

bool is_value(const z3::expr& e) { return e.is_numeral() || e.is_true() || e.is_false(); }

/// Whether each subterm contains a kept constant (memoised on AST ids).
class KeptIn {
 public:
  explicit KeptIn(const std::vector<z3::expr>& kept) {
    for (const auto& k : kept) kept_.insert(k.id());
  }
  bool operator()(const z3::expr& e) {
    const auto it = memo_.find(e.id());
    if (it != memo_.end()) return it->second;
    bool r = false;
    if (e.is_const()) {
      r = kept_.count(e.id()) > 0;
    } else if (e.is_app()) {
      for (unsigned i = 0; i < e.num_args() && !r; ++i) r = (*this)(e.arg(i));
    }
    memo_.emplace(e.id(), r);
    return r;
  }

 private:
  std::unordered_set<unsigned> kept_;
  std::unordered_map<unsigned, bool> memo_;
};

/// Step 1: the maximal kept-free Int subterms, in order of first occurrence.
void collect_ints(const z3::expr& e, KeptIn& kept, std::unordered_set<unsigned>& seen,
                  z3::expr_vector& out) {
  if (!seen.insert(e.id()).second || is_value(e)) return;
  if (e.is_int() && !kept(e)) {
    out.push_back(e);
    return;
  }
  if (!e.is_app()) return;
  for (unsigned i = 0; i < e.num_args(); ++i) collect_ints(e.arg(i), kept, seen, out);
}

void constants_in(const z3::expr& e, std::unordered_set<unsigned>& seen,
                  std::unordered_set<unsigned>& out) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_const()) {
    if (!is_value(e)) out.insert(e.id());
    return;
  }
  if (!e.is_app()) return;
  for (unsigned i = 0; i < e.num_args(); ++i) constants_in(e.arg(i), seen, out);
}

/// The integer constants that take part in arithmetic with a kept constant: those of every
/// Int term and every atom (comparison) that contains one. A kept-free condition none of whose
/// integers is among them only relates other positions' values to each other.
/// The integer constants in arithmetic positions of `e`: not inside a condition of an
/// if-then-else (a condition is a Boolean subterm of its own).
void arithmetic_constants(const z3::expr& e, std::unordered_set<unsigned>& seen,
                          std::unordered_set<unsigned>& out) {
  if (!seen.insert(e.id()).second || !e.is_app()) return;
  if (e.is_const()) {
    if (e.is_int() && !is_value(e)) out.insert(e.id());
    return;
  }
  const bool ite = e.decl().decl_kind() == Z3_OP_ITE;
  for (unsigned i = ite ? 1 : 0; i < e.num_args(); ++i) arithmetic_constants(e.arg(i), seen, out);
}

void used_with_kept(const z3::expr& e, KeptIn& kept, std::unordered_set<unsigned>& seen,
                    std::unordered_set<unsigned>& out) {
  if (!seen.insert(e.id()).second || !kept(e) || !e.is_app()) return;
  const bool atom = e.is_bool() && e.num_args() > 0 && e.arg(0).is_int();
  if (e.is_int() || atom) {
    std::unordered_set<unsigned> s;
    arithmetic_constants(e, s, out);
  }
  // Conditions inside (if-then-else conditions of an Int term, or Boolean structure) are
  // visited on their own: their atoms with a kept constant count, the others do not.
  for (unsigned i = 0; i < e.num_args(); ++i)
    if (e.arg(i).is_bool()) used_with_kept(e.arg(i), kept, seen, out);
    else if (e.is_int()) used_with_kept(e.arg(i), kept, seen, out);
}

/// Step 2: maximal kept-free Boolean subterms none of whose integers is `used` with a kept
/// constant.
void collect_bools(const z3::expr& e, KeptIn& kept, const std::unordered_set<unsigned>& used,
                   std::unordered_set<unsigned>& seen, z3::expr_vector& out) {
  if (!seen.insert(e.id()).second || is_value(e)) return;
  if (e.is_bool() && !kept(e)) {
    std::unordered_set<unsigned> s1, inside;
    constants_in(e, s1, inside);
    bool alone = true;  // none of its integers is used where a kept constant is
    for (const auto c : inside) alone = alone && used.count(c) == 0;
    if (alone) {
      out.push_back(e);
      return;
    }
  }
  if (!e.is_app()) return;
  for (unsigned i = 0; i < e.num_args(); ++i)
    collect_bools(e.arg(i), kept, used, seen, out);
}

/// Every constant of `e` in order of first occurrence (depth first, arguments left to right).
void constants_in_order(const z3::expr& e, std::unordered_set<unsigned>& seen,
                        z3::expr_vector& out) {
  if (!seen.insert(e.id()).second) return;
  if (e.is_const() && !is_value(e)) {
    out.push_back(e);
    return;
  }
  if (!e.is_app()) return;
  for (unsigned i = 0; i < e.num_args(); ++i) constants_in_order(e.arg(i), seen, out);
}

std::string shape_of(const z3::expr& f) {
  auto& ctx = f.ctx();
  z3::expr_vector from(ctx), to(ctx);
  std::unordered_set<unsigned> seen;
  constants_in_order(f, seen, from);
  for (unsigned i = 0; i < from.size(); ++i) {
    const auto name = "c" + std::to_string(i);
    to.push_back(from[static_cast<int>(i)].is_bool() ? ctx.bool_const(name.c_str()) : ctx.int_const(name.c_str()));
  }
  auto g = f;
  return g.substitute(from, to).to_string();
}

}  // namespace

Interval interval_of(const z3::expr& t, const std::vector<std::pair<z3::expr, Interval>>& ranges) {
  IntervalOf of(ranges);
  const auto w = of(t);
  return {narrow(w.lo), narrow(w.hi)};
}

Generalized generalize(const z3::expr& f, const std::vector<z3::expr>& kept,
                       const std::vector<std::pair<z3::expr, Interval>>& ranges) {
  auto& ctx = f.ctx();
  KeptIn kept_in(kept);
  z3::expr_vector ints(ctx), xs(ctx);
  std::unordered_set<unsigned> seen;
  collect_ints(f, kept_in, seen, ints);
  IntervalOf of(ranges);
  std::vector<WideInterval> intervals;
  for (unsigned i = 0; i < ints.size(); ++i) {
    xs.push_back(ctx.int_const(("gen_x" + std::to_string(i)).c_str()));
    intervals.push_back(of(ints[static_cast<int>(i)]));
  }
  auto g = f;
  g = g.substitute(ints, xs);
  KeptIn kept_in2(kept);
  z3::expr_vector bools(ctx), bs(ctx);
  std::unordered_set<unsigned> seen2, used;
  used_with_kept(g, kept_in2, seen2, used);
  // A ranged parameter is the same in every loop iteration: that an earlier iteration's
  // condition mentions it must not keep that condition (the watermark is in every admission
  // check of the queue).
  for (unsigned i = 0; i < ints.size(); ++i)
    for (const auto& r : ranges)
      if (z3::eq(ints[static_cast<int>(i)], r.first)) used.erase(xs[static_cast<int>(i)].id());
  seen2.clear();
  collect_bools(g, kept_in2, used, seen2, bools);
  for (unsigned i = 0; i < bools.size(); ++i)
    bs.push_back(ctx.bool_const(("gen_b" + std::to_string(i)).c_str()));
  g = g.substitute(bools, bs);
  // Only the sign of each interval, and only for the constants left after step 2: the ends
  // often come from position indices (a LIFO cut lies in [k, K]), and a hypothesis that names
  // K, or one about a constant step 2 removed, would make every K's shapes differ. No
  // simplification either: its argument order follows term ids, which follow creation order.
  std::unordered_set<unsigned> s3, left;
  constants_in(g, s3, left);
  z3::expr hyps = ctx.bool_val(true);
  for (unsigned i = 0; i < xs.size(); ++i) {
    const auto x = xs[static_cast<int>(i)];
    if (!left.count(x.id())) continue;
    const auto& iv = intervals[i];
    if (iv.lo && *iv.lo >= 1)
      hyps = hyps && x >= 1;
    else if (iv.lo && *iv.lo >= 0)
      hyps = hyps && x >= 0;
    if (iv.hi && *iv.hi <= 0) hyps = hyps && x <= 0;
  }
  const auto formula = z3::implies(hyps, g);
  return {formula, shape_of(formula)};
}

}  // namespace kvcheck
