#pragma once
/// \file solver_limits.h
/// kvcheck's 64-bit limits as Z3's unsigned solver parameters (`timeout` in ms, `rlimit` in
/// resource units), saturated: a limit past 2^32 - 1 becomes the largest Z3 takes, never a
/// wrapped small one (a 2^32 ms timeout must not become 0 ms).
#include <algorithm>
#include <cstdint>
#include <limits>

namespace kvcheck {

/// A positive millisecond limit; at least 1 (Z3 reads 0 as "no limit").
inline unsigned z3_millis(std::int64_t ms) {
  return static_cast<unsigned>(
      std::clamp<std::int64_t>(ms, 1, std::numeric_limits<unsigned>::max()));
}

/// A resource budget.
inline unsigned z3_units(std::uint64_t units) {
  return static_cast<unsigned>(
      std::min<std::uint64_t>(units, std::numeric_limits<unsigned>::max()));
}

}  // namespace kvcheck
