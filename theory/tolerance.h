#pragma once
/// \file tolerance.h
/// Comparisons of computed real numbers against a bound. The papers' conditions are often met
/// with equality (P2 Example 2 has M* = C exactly) and a decimal like d1 = 0.04 is not exact in
/// binary, so "lhs <= rhs" is decided up to a relative tolerance, and a value within it of the
/// bound is reported as *at the boundary* rather than on one side by rounding noise.
#include <algorithm>
#include <cmath>

namespace kvcheck::theory {

/// Relative tolerance of every real-valued comparison in theory/.
inline constexpr double kRelTol = 1e-9;

/// True when `a` and `b` agree up to kRelTol (relative to the larger magnitude, at least 1).
inline bool approx_equal(double a, double b) {
  const double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
  return std::fabs(a - b) <= kRelTol * scale;
}

/// `lhs <= rhs`, counting a tie within the tolerance as equal (so it holds).
inline bool approx_leq(double lhs, double rhs) { return lhs <= rhs || approx_equal(lhs, rhs); }

/// `lhs < rhs` strictly: false at a tie within the tolerance.
inline bool strictly_less(double lhs, double rhs) { return lhs < rhs && !approx_equal(lhs, rhs); }

}  // namespace kvcheck::theory
