#pragma once
/// \file symbolic_state.h
/// The symbolic model's data: per-slot workload inputs (fixed over time), the per-step engine
/// state of each slot, and what one step observably did. Terms only; the step function that
/// relates them is SymbolicView (symbolic_view.h) running models/engine_step.h.
#include <cstdint>
#include <vector>

#include "checkers/z3/symbolic_domain.h"
#include "models/concrete_view.h"

namespace kvcheck {

/// Slot status codes: the integer values of models/concrete_view.h's `Status`.
inline std::int64_t status_code(Status s) { return static_cast<std::int64_t>(s); }

/// One request slot's workload inputs. `arrival` beyond the configured horizon = absent slot.
struct SlotInput {
  SymInt arrival, prompt, output, klass;
};

/// One slot's engine state at a step boundary. `pos` is the slot's position in its queue
/// (waiting: queue order, 0 = head; running: admission order, 0 = oldest; 0 otherwise).
struct SlotState {
  SymInt status, pos, computed, generated, blocks, tokens;
};

/// The whole engine state at a step boundary. `time` is the step index, saturated at the
/// arrival horizon (after the last possible arrival, time no longer matters), so the state
/// space of N slots under bounded inputs is finite. `used` is the pool's block counter (the
/// engine's running sum; ConcreteView keeps the same one): the sum of the slots' `blocks` in
/// every reachable state (well-formedness part `used_sum`, differential test). A step starts
/// from it rather than from that sum, so an argument about the pool needs only the counter
/// (checkers/z3/allocation_invariant.h).
struct SymState {
  std::vector<SlotState> slots;
  SymInt time;
  SymInt used;
};

/// A value a step stores into a request's progress or KV fields, and when it does.
struct GuardedValue {
  SymBool when;
  SymInt value;
};

/// What a step did to the pool, for checkers/z3/allocation_invariant.h: the block counter at the
/// start and after every change (reservation, release), in order; every value stored into a
/// request's computed / generated / blocks / tokens field other than 0 or a copy; and the
/// blocks a request held at each reservation or release (the counter moves by the difference).
struct PoolTrace {
  std::vector<SymInt> counter;
  std::vector<GuardedValue> stores;
  std::vector<SymInt> held;
};

/// What one step did, as terms (the differential test and the trace read these).
struct StepObs {
  SymBool overflow;
  SymInt preemptions, evictions, used_blocks, used_tokens, demand_blocks, batch_size;
  std::vector<SymInt> batch_tokens;  ///< per slot: tokens processed this step (0 if none)
  std::vector<SymBool> completed;    ///< per slot: completed this step
  std::vector<SymInt> picks;         ///< nondeterministic choices, in call order
};

}  // namespace kvcheck
