#pragma once
/// \file symbolic_domain.h
/// The Z3 value domain: `Symbolic` has the same static members as `Concrete` (models/domain.h)
/// over `SymInt` / `SymBool`, thin wrappers of `z3::expr`. This is the ONLY file that includes
/// <z3++.h>; everything else in checkers/ reaches Z3 through these types (and `.e`).
///
/// Why wrappers: `z3::ast` converts implicitly to `bool` (non-null = true), so a stray `if (a < b)`
/// in a policy template compiles and is silently wrong (style.md 3.2). Both wrappers delete
/// `operator bool`, which turns that mistake into a compile error.
///
/// Integer sort: unbounded mathematical `Int` (linear integer arithmetic), not 32-bit
/// bit-vectors. Every value the engine model computes is bounded by the configuration (tokens <=
/// prompt + output + lookahead, blocks <= num_blocks, counters <= N), far inside int64, so Int and
/// the concrete int64 agree exactly; LIA keeps `ceil_div` by a constant cheap and lets Spacer /
/// k-induction reason arithmetically instead of bit-blasting (measured in docs/z3-backend.md).
///
/// Constant folding: operations on two numerals, and `select` / `&&` / `||` on a literal
/// condition, fold immediately. Policies call `D::lit`/`D::truth` a lot, so this keeps the
/// unrolled terms small; semantics are unchanged.
#include <z3++.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kvcheck {

/// A symbolic boolean. No implicit conversion to bool (see the file comment).
struct SymBool {
  z3::expr e;
  explicit operator bool() const = delete;
};

/// A symbolic integer (Z3 Int sort). No implicit conversion to bool.
struct SymInt {
  z3::expr e;
  explicit operator bool() const = delete;
};

namespace sym_detail {
inline bool num(const z3::expr& e, std::int64_t& v) { return e.is_numeral_i64(v); }
inline bool lit_true(const z3::expr& e) { return e.is_true(); }
inline bool lit_false(const z3::expr& e) { return e.is_false(); }
}  // namespace sym_detail

/// The Z3 context the static `Symbolic` members build terms in. Set with SymbolicScope.
class SymbolicContext {
 public:
  static z3::context& get() {
    if (!current()) throw std::logic_error("Symbolic domain used outside a SymbolicScope");
    return *current();
  }
  static z3::context*& current() {
    thread_local z3::context* ctx = nullptr;
    return ctx;
  }
};

/// RAII: makes `ctx` the context of `Symbolic::lit` / `truth` on this thread.
class SymbolicScope {
 public:
  explicit SymbolicScope(z3::context& ctx) : prev_(SymbolicContext::current()) {
    SymbolicContext::current() = &ctx;
  }
  ~SymbolicScope() { SymbolicContext::current() = prev_; }
  SymbolicScope(const SymbolicScope&) = delete;
  SymbolicScope& operator=(const SymbolicScope&) = delete;

 private:
  z3::context* prev_;
};

// --- integer operators ------------------------------------------------------------------------
inline SymInt operator+(const SymInt& a, const SymInt& b) {
  std::int64_t x = 0, y = 0;
  if (sym_detail::num(a.e, x) && sym_detail::num(b.e, y)) return {a.e.ctx().int_val(x + y)};
  if (sym_detail::num(b.e, y) && y == 0) return a;
  if (sym_detail::num(a.e, x) && x == 0) return b;
  return {a.e + b.e};
}
inline SymInt operator-(const SymInt& a, const SymInt& b) {
  std::int64_t x = 0, y = 0;
  if (sym_detail::num(a.e, x) && sym_detail::num(b.e, y)) return {a.e.ctx().int_val(x - y)};
  if (sym_detail::num(b.e, y) && y == 0) return a;
  return {a.e - b.e};
}

#define KVCHECK_SYM_CMP(op)                                                             \
  inline SymBool operator op(const SymInt& a, const SymInt& b) {                        \
    std::int64_t x = 0, y = 0;                                                          \
    if (sym_detail::num(a.e, x) && sym_detail::num(b.e, y)) return {a.e.ctx().bool_val(x op y)}; \
    return {a.e op b.e};                                                                \
  }
KVCHECK_SYM_CMP(<)
KVCHECK_SYM_CMP(<=)
KVCHECK_SYM_CMP(>)
KVCHECK_SYM_CMP(>=)
KVCHECK_SYM_CMP(==)
KVCHECK_SYM_CMP(!=)
#undef KVCHECK_SYM_CMP

// --- boolean operators ------------------------------------------------------------------------
inline SymBool operator&&(const SymBool& a, const SymBool& b) {
  if (sym_detail::lit_false(a.e) || sym_detail::lit_true(b.e)) return a;
  if (sym_detail::lit_false(b.e) || sym_detail::lit_true(a.e)) return b;
  return {a.e && b.e};
}
inline SymBool operator||(const SymBool& a, const SymBool& b) {
  if (sym_detail::lit_true(a.e) || sym_detail::lit_false(b.e)) return a;
  if (sym_detail::lit_true(b.e) || sym_detail::lit_false(a.e)) return b;
  return {a.e || b.e};
}
inline SymBool operator!(const SymBool& a) {
  if (sym_detail::lit_true(a.e)) return {a.e.ctx().bool_val(false)};
  if (sym_detail::lit_false(a.e)) return {a.e.ctx().bool_val(true)};
  return {!a.e};
}
inline SymBool operator==(const SymBool& a, const SymBool& b) { return {a.e == b.e}; }

/// The symbolic domain: the same names as `Concrete`, building Z3 terms.
struct Symbolic {
  using Int = SymInt;
  using Bool = SymBool;

  static z3::context& ctx() { return SymbolicContext::get(); }
  static Int lit(std::int64_t v) { return {ctx().int_val(v)}; }
  static Bool truth(bool b) { return {ctx().bool_val(b)}; }
  static Int select(const Bool& c, const Int& a, const Int& b) {
    if (sym_detail::lit_true(c.e)) return a;
    if (sym_detail::lit_false(c.e)) return b;
    if (z3::eq(a.e, b.e)) return a;
    return {z3::ite(c.e, a.e, b.e)};
  }
  static Bool select(const Bool& c, const Bool& a, const Bool& b) {
    if (sym_detail::lit_true(c.e)) return a;
    if (sym_detail::lit_false(c.e)) return b;
    if (z3::eq(a.e, b.e)) return a;
    return {z3::ite(c.e, a.e, b.e)};
  }
  static Int min(const Int& a, const Int& b) { return select(a < b, a, b); }
  static Int max(const Int& a, const Int& b) { return select(a < b, b, a); }
  /// ceil(a / b) for a >= 0, b > 0 (Z3 `div` agrees with C++ `/` on non-negative operands).
  static Int ceil_div(const Int& a, const Int& b) {
    std::int64_t x = 0, y = 0;
    if (sym_detail::num(b.e, y) && y == 1) return a;
    if (sym_detail::num(a.e, x) && sym_detail::num(b.e, y)) return lit((x + y - 1) / y);
    return {(a.e + b.e - 1) / b.e};
  }
  /// Never known: symbolic loops run to their static bounds.
  static constexpr bool definitely_false(const Bool&) { return false; }
  static constexpr bool definitely_true(const Bool&) { return false; }

  /// A fresh integer constant named `name`.
  static Int var(const std::string& name) { return {ctx().int_const(name.c_str())}; }
  /// A fresh boolean constant named `name`.
  static Bool bool_var(const std::string& name) { return {ctx().bool_const(name.c_str())}; }
};

}  // namespace kvcheck
