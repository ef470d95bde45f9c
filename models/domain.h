#pragma once
/// \file domain.h
/// The value domain a policy is written over. A policy body is a template over a *view* whose
/// `Domain` supplies `Int`, `Bool` and the branch-free primitives below. `Concrete` (plain
/// integers) serves the simulator, the explorer, RapidCheck and the decode engine; the Z3 backend
/// supplies `checkers/z3/symbolic_domain.h` with the same names over `z3::expr`.
///
/// Rules for code written over a domain (see models/README.md):
///  - never branch (`if`, `?:`, `&&` short-circuit on purpose, `std::min`) on a domain value; use
///    `select`, `min`, `max`;
///  - loops run to bounds that are plain `int`s given by the view, never by domain values;
///  - `definitely_false(b)` is the only way to leave a loop early: it is `!b` for concrete values
///    and always `false` for symbolic ones, so early exits are an optimisation, never semantics.
#include <cstdint>
#include <vector>

namespace kvcheck {

struct Concrete {
  using Int = std::int64_t;
  using Bool = bool;

  static constexpr Int lit(std::int64_t v) { return v; }
  static constexpr Bool truth(bool b) { return b; }
  static constexpr Int select(Bool c, Int a, Int b) { return c ? a : b; }
  static constexpr Bool select(Bool c, Bool a, Bool b) { return c ? a : b; }
  static constexpr Int min(Int a, Int b) { return a < b ? a : b; }
  static constexpr Int max(Int a, Int b) { return a < b ? b : a; }
  /// ceil(a / b) for a >= 0, b > 0.
  static constexpr Int ceil_div(Int a, Int b) { return (a + b - 1) / b; }
  /// True only when `b` is known to be false; lets concrete loops stop early.
  static constexpr bool definitely_false(Bool b) { return !b; }
  /// True only when `b` is known to be true.
  static constexpr bool definitely_true(Bool b) { return b; }
  /// v[i], or 0 when i is out of range: direct indexing (see lookup() for the generic form).
  static Int at(const std::vector<Int>& v, Int i) {
    return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)] : 0;
  }
};

/// v[i] for a domain index: the domain's own `at` when it has one (O(1) for concrete values),
/// otherwise a select chain over the entries (for symbolic indices). Out-of-range yields 0.
template <class D>
typename D::Int lookup(const std::vector<typename D::Int>& v, typename D::Int i) {
  if constexpr (requires { D::at(v, i); }) {
    return D::at(v, i);
  } else {
    typename D::Int out = D::lit(0);
    for (std::size_t k = 0; k < v.size(); ++k)
      out = D::select(i == D::lit(static_cast<std::int64_t>(k)), v[k], out);
    return out;
  }
}

/// v[i] += delta where `when` holds (a no-op elsewhere), for a domain index i.
template <class D>
void add_at(std::vector<typename D::Int>& v, typename D::Int i, typename D::Int delta,
            typename D::Bool when) {
  if constexpr (requires { D::at(v, i); }) {
    if (D::definitely_true(when) && i >= 0 && static_cast<std::size_t>(i) < v.size())
      v[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>(i)] + delta;
  } else {
    for (std::size_t k = 0; k < v.size(); ++k)
      v[k] = v[k] + D::select(when && i == D::lit(static_cast<std::int64_t>(k)), delta, D::lit(0));
  }
}

}  // namespace kvcheck
