#pragma once
/// \file livelock.h
/// Livelock (preemption thrash) detection for the concrete engine loop: a run whose engine
/// state recurs exactly, with work done in between, will repeat that cycle for ever. No
/// arrival can break it (every request has arrived), no request completes inside it (the
/// done count is part of the state) and the policy is deterministic there (the cycle's steps
/// made no nondeterministic pick), so a recurrence is a proof, not a heuristic. Under a closed
/// loop (Workload::max_concurrency) a full window counts as "no arrival can break it": only a
/// completion opens a slot. Found with
/// Brent's algorithm over the states after steps that preempted or evicted (a cycle with work
/// must do one of those, or computed tokens would only grow): one stored state, re-taken at
/// powers of two, so a run that never preempts pays nothing and the memory is one state.
#include <cstdint>
#include <optional>
#include <vector>

#include "models/concrete_view.h"

namespace kvcheck {

/// A cycle the run entered: the state after step `from` recurs after step `from + period`.
struct Livelock {
  std::int64_t from = 0;
  std::int64_t period = 0;
  std::vector<std::int32_t> preempted;  ///< requests preempted or evicted in one turn, by id
  std::int64_t batch_tokens = 0;         ///< tokens processed in one turn (all of it recomputed)
  /// One line: "the state after step A recurs after step B: requests 3, 7 preempted and
  /// re-admitted every P steps, T tokens computed per turn, none completes".
  std::string describe() const;
};

class LivelockDetector {
 public:
  /// Call after every engine step; returns the cycle once the state recurs.
  std::optional<Livelock> observe(const ConcreteView& v);

 private:
  void fingerprint(const ConcreteView& v, std::vector<std::int64_t>& out) const;
  void restart(const ConcreteView& v);

  std::vector<std::int64_t> saved_, now_;
  std::int64_t saved_step_ = -1;
  std::int64_t power_ = 1, length_ = 0;
  std::vector<std::int32_t> preempted_;
  std::int64_t tokens_ = 0;
  bool worked_ = false;
};

}  // namespace kvcheck
