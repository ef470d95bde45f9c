#pragma once
/// \file tolerance.h
/// Comparisons of computed real numbers against a bound. The papers' conditions are often met
/// with equality (P2 Example 2 has M* = C exactly) and a decimal like d1 = 0.04 is not exact in
/// binary, so "lhs <= rhs" is decided up to a relative tolerance, and a value within it of the
/// bound is reported as *at the boundary* rather than on one side by rounding noise.
///
/// A non-finite value (an overflowed load, a 0/0) is never within tolerance of anything and no
/// comparison involving one holds: relative to an infinite scale every difference is "small",
/// which once made "inf <= 64" hold. Every function here is false when either side is inf or nan.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace kvcheck::theory {

/// Relative tolerance of every real-valued comparison in theory/.
inline constexpr double kRelTol = 1e-9;

/// Both operands finite: the precondition of every comparison that may hold.
inline bool both_finite(double a, double b) { return std::isfinite(a) && std::isfinite(b); }

/// True when `a` and `b` agree up to kRelTol (relative to the larger magnitude, at least 1);
/// false when either is not finite.
inline bool approx_equal(double a, double b) {
  if (!both_finite(a, b)) return false;
  const double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
  return std::fabs(a - b) <= kRelTol * scale;
}

/// `lhs <= rhs`, counting a tie within the tolerance as equal (so it holds); false when either
/// side is not finite.
inline bool approx_leq(double lhs, double rhs) {
  return both_finite(lhs, rhs) && (lhs <= rhs || approx_equal(lhs, rhs));
}

/// `lhs < rhs` strictly: false at a tie within the tolerance, and when either side is not finite.
inline bool strictly_less(double lhs, double rhs) {
  return both_finite(lhs, rhs) && lhs < rhs && !approx_equal(lhs, rhs);
}

/// `a + b` and `a * b` for non-negative integers, saturating at INT64_MAX instead of wrapping:
/// a wrapped (negative) KV bound would make "bound < M" hold. A saturated value fails every
/// capacity comparison, as it should.
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  return __builtin_add_overflow(a, b, &out) ? std::numeric_limits<std::int64_t>::max() : out;
}
inline std::int64_t saturating_mul(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  return __builtin_mul_overflow(a, b, &out) ? std::numeric_limits<std::int64_t>::max() : out;
}

}  // namespace kvcheck::theory
