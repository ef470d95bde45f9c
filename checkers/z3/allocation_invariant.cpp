#include "checkers/z3/allocation_invariant.h"

#include <map>
#include <set>
#include <utility>

#include "checkers/z3/property_terms.h"

namespace kvcheck {
namespace {

using D = Symbolic;

/// The four size fields of a slot.
std::vector<SymInt> sizes(const SlotState& x) {
  return {x.computed, x.generated, x.blocks, x.tokens};
}

/// No enclosing condition (ast ids start at 0).
constexpr unsigned kNoCond = ~0U;

/// Structural non-negativity over the term DAG, memoised per (term, enclosing condition).
class ShapeCheck {
 public:
  ShapeCheck(const std::vector<SymInt>& base, const std::vector<GuardedValue>& stores) {
    for (const auto& b : base) base_.insert(b.e.id());
    for (const auto& g : stores) stored_.insert({g.value.e.id(), g.when.e.id()});
    for (const auto& g : stores)
      if (g.when.e.is_true()) base_.insert(g.value.e.id());
  }
  /// `cond`: the id of the condition whose then-branch `t` is (kNoCond: none).
  bool nonneg(const z3::expr& t, unsigned cond) {
    const auto key = std::make_pair(t.id(), cond);
    if (const auto it = memo_.find(key); it != memo_.end()) return it->second;
    const bool r = compute(t, cond);
    memo_[key] = r;
    return r;
  }

 private:
  bool compute(const z3::expr& t, unsigned cond) {
    std::int64_t v = 0;
    if (t.is_numeral_i64(v)) return v >= 0;
    if (base_.count(t.id()) > 0) return true;
    if (cond != kNoCond && stored_.count({t.id(), cond}) > 0) return true;
    if (!t.is_app()) return false;
    const auto kind = t.decl().decl_kind();
    if (kind == Z3_OP_ITE) return nonneg(t.arg(1), t.arg(0).id()) && nonneg(t.arg(2), kNoCond);
    if (kind == Z3_OP_ADD) {
      for (unsigned i = 0; i < t.num_args(); ++i)
        if (!nonneg(t.arg(i), kNoCond)) return false;
      return true;
    }
    return false;
  }
  std::set<unsigned> base_;
  std::set<std::pair<unsigned, unsigned>> stored_;
  std::map<std::pair<unsigned, unsigned>, bool> memo_;
};

/// One query: can `bad` hold? Counts it; false (with `why`) unless unsat.
bool refuted(z3::solver& s, const SymBool& bad, AllocationProof& out, const std::string& what) {
  s.push();
  s.add(bad.e);
  const auto r = s.check();
  const auto reason = r == z3::unknown ? s.reason_unknown() : std::string();
  s.pop();
  ++out.queries;
  if (r == z3::unsat) return true;
  out.reason = what + (r == z3::sat ? ": can fail" : ": solver unknown (" + reason + ")");
  return false;
}

}  // namespace

SymBool allocation_invariant(const SymState& s, std::int64_t num_blocks) {
  SymBool ok = s.used <= D::lit(num_blocks);
  for (const auto& x : s.slots)
    for (const auto& f : sizes(x)) ok = ok && f >= D::lit(0);
  return ok;
}

bool nonneg_by_shape(const SymInt& t, const std::vector<SymInt>& base,
                     const std::vector<GuardedValue>& stores) {
  ShapeCheck c(base, stores);
  return c.nonneg(t.e, kNoCond);
}

AllocationProof prove_allocation_invariant(const Unroller& u, z3::solver& s,
                                           const std::vector<PropertyId>& props) {
  AllocationProof out;
  const auto num_blocks = u.num_blocks();
  const auto total = D::lit(num_blocks);
  if (!refuted(s, !allocation_invariant(u.initial(), num_blocks), out, "initial state"))
    return out;
  const auto pre = u.fresh_state("alloc0");
  s.add(allocation_invariant(pre, num_blocks).e);
  const auto step = u.step(pre, "alloc", props);
  for (const auto& c : step.side) s.add(c.e);
  // 1. Every stored value is >= 0 when stored.
  std::vector<GuardedValue> proved;
  for (const auto& g : step.pool.stores) {
    std::int64_t v = 0;
    if (g.when.e.is_false() || (g.value.e.is_numeral_i64(v) && v >= 0)) continue;
    if (!refuted(s, g.when && g.value < D::lit(0), out, "a stored size can be negative"))
      return out;
    s.add(z3::implies(g.when.e, (g.value >= D::lit(0)).e));
    proved.push_back(g);
  }
  // 2. Every post-state size is >= 0 by the shape of its term.
  std::vector<SymInt> base;
  for (const auto& x : pre.slots)
    for (const auto& f : sizes(x)) base.push_back(f);
  ShapeCheck shape(base, proved);
  for (std::size_t i = 0; i < step.post.slots.size(); ++i)
    for (const auto& f : sizes(step.post.slots[i]))
      if (!shape.nonneg(f.e, kNoCond)) {
        out.reason = "a size of slot " + std::to_string(i) + " is not >= 0 by construction";
        return out;
      }
  // The blocks held at each reservation / release are >= 0 by shape too: asserted, so that the
  // counter queries below need no reasoning through the position tables.
  for (const auto& h : step.pool.held) {
    if (!shape.nonneg(h.e, kNoCond)) {
      out.reason = "blocks held at a reservation or release are not >= 0 by construction";
      return out;
    }
    s.add((h >= D::lit(0)).e);
  }
  // 3. The pool counter stays within the pool from each change to the next.
  const auto& counter = step.pool.counter;
  for (std::size_t k = 1; k < counter.size(); ++k) {
    if (z3::eq(counter[k].e, counter[k - 1].e)) continue;
    // A release, `previous - d` with d >= 0 by shape, cannot raise the counter: no query.
    const auto& c = counter[k].e;
    if (c.is_app() && c.decl().decl_kind() == Z3_OP_SUB && c.num_args() == 2 &&
        z3::eq(c.arg(0), counter[k - 1].e) && shape.nonneg(c.arg(1), kNoCond)) {
      s.add((counter[k] <= total).e);
      continue;
    }
    if (!refuted(s, counter[k] > total, out,
                 "the pool counter can exceed the pool (change " + std::to_string(k) + ")"))
      return out;
    s.add((counter[k] <= total).e);
  }
  if (!refuted(s, step.post.used > total, out, "post-state pool counter")) return out;
  // 4. The properties, from these facts.
  if (!props.empty() && !refuted(s, any_false(step.props), out, "a property in the step"))
    return out;
  out.holds = true;
  return out;
}

}  // namespace kvcheck
