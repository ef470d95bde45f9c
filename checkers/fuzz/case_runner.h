#pragma once
/// \file case_runner.h
/// Runs one fuzz case on the concrete engine (sim/simulator.h `simulate`, the one engine loop)
/// and judges it: every configured invariant after every step, no stall, and (when
/// [fuzz] starvation_bound = T > 0) no starvation. Also classifies the case for coverage.
///
/// Starvation: after each step, a first-fit pass over the waiting queue (in queue order) under
/// the engine's own rules decides which requests "would fit": a request is servable
/// (engine_rules.h `unservable` is false), its next prefill chunk fits the token budget (or is
/// cut to it with chunked prefill), a running slot is left (max_num_seqs), and its
/// `blocks_for(computed + chunk + lookahead)` blocks (PolicyView::blocks_after's expression)
/// fit in the free blocks, minus the policy's watermark, left by the requests ahead of it that
/// would fit. Queueing behind requests that are being served is therefore not starvation;
/// being passed over while fitting (e.g. behind a head-of-line request that does not fit) is.
/// A request that would fit for more than T consecutive steps while still waiting is starved
/// (a liveness violation).
#include <cstdint>
#include <string>

#include "checkers/fuzz/fuzz_case.h"
#include "checkers/fuzz/fuzz_model.h"
#include "properties/verdict.h"
#include "sim/simulator.h"

namespace kvcheck::fuzz {

/// Coverage classes of one case (docs/fuzz.md).
struct CaseCoverage {
  bool high_occupancy = false;  ///< peak reserved blocks >= occupancy_threshold * pool
  bool preemption = false;      ///< some step preempted or evicted a request
  bool near_boundary = false;   ///< offered load of the case within [0.7, 1.3] of capacity
  double peak_occupancy = 0.0;
  double offered_load = 0.0;
};

struct CaseResult {
  Verdict verdict;               ///< Violated (with property kind) or BoundedOk(steps)
  std::string what;              ///< property name / "stalled" / "starvation" when violated
  CaseCoverage coverage;
  std::int64_t steps = 0;
  std::int64_t requests = 0;

  bool failed() const { return verdict.kind == VerdictKind::Violated; }
};

/// Simulation options a fuzz case runs under (the model's properties and step bounds).
SimOptions case_options(const FuzzModel& m);

/// Runs and judges one case.
CaseResult run_case(const FuzzModel& m, const FuzzCase& c);

/// The offered load of a finite Steps-clock workload relative to the capacity the theory gives:
/// stability.h `offered_load` of its requests spread over max(arrival span, mean output), the
/// floor keeping a single burst at "its work within one service time" rather than infinite.
double case_offered_load(const FuzzModel& m, const Workload& w);

}  // namespace kvcheck::fuzz
