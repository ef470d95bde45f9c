#pragma once
/// \file p1_work.h
/// Dong & Cao (P1, papers.md 1.2): the minimum KV workload of one request, in KV-entry x slots.
#include <cstdint>

namespace kvcheck::theory {

/// KV entries x slots a request of prompt `l` and `o` output tokens occupies at the least: it
/// needs `o` slots (one token each, the first in its activation slot) and holds
/// `l + j - 1 + lookahead` entries in the slot producing token j. With lookahead = 1 (P1's
/// `l + g + 1` accounting, engine.lookahead = 1) this is the paper's
/// w = l*o + (o + o^2)/2; lookahead = 0 (vLLM's accounting) gives w - o.
/// Example: p1_work(10, 20) == 410, p1_work(10, 60) == 2430, p1_work(10, 20, 0) == 390.
constexpr std::int64_t p1_work(std::int64_t l, std::int64_t o, std::int64_t lookahead = 1) {
  return l * o + o * (o - 1) / 2 + lookahead * o;
}

}  // namespace kvcheck::theory
