#pragma once
/// \file mutation_twin.h
/// Non-vacuity for every PROVED (issue 12; CBMC's and model checkers' guard against vacuous
/// proofs). A proof of memory safety should depend on what keeps memory safe. For each config
/// whose memory properties `prove` showed, the gate builds a mutated twin automatically and
/// checks it with BMC inside the same [bmc] envelope, on the proved properties plus
/// kv_no_overflow and no_eviction (the twin must fail memory safety, whichever property the
/// guard protected); the twin must come out VIOLATED (its
/// counterexample replayed concretely) or UNKNOWN. A twin that is still safe means the proof
/// never exercised the mechanism it is about (the envelope never stresses the pool, say), and
/// the gate fails that config.
///
/// The twin, whichever parts apply to the policy (all of them are applied together):
///  - the guard removed: the policy sees a pool larger than the real one by the real pool's
///    size (PolicyParams::pool_view_slack), so every free-block check passes;
///  - the budgets doubled: every class budget b_k (Dong & Cao Alg. 1) and the flow budget
///    range (Alg. 2);
///  - the pool one block smaller than the envelope's worst case: N slots x the blocks of the
///    largest request (prompt + output + lookahead), but never below one such request.
#include <optional>
#include <string>

#include "checkers/bmc_spec.h"
#include "io/config.h"
#include "properties/verdict.h"

namespace kvcheck {

struct MutationTwin {
  ModelParams params;
  std::string what;  ///< the mutation in words, for the report
};

/// The twin of `cfg` for a proof under `spec`, or nothing when no memory property
/// (kv_no_overflow, kv_within_capacity, no_eviction, no_preemption, alg1_memory_bound) is
/// among spec.properties (then no twin applies and the report says so).
std::optional<MutationTwin> mutation_twin(const Config& cfg, const BmcSpec& spec);

/// Steps after which every request of the envelope has arrived and could have finished:
/// the last arrival + the longest prompt (one token per step, the slowest prefill) + the
/// longest output + 1.
std::int64_t twin_horizon(const ModelParams& params, const BmcSpec& spec);

/// Blocks the largest request of the envelope holds when it is done.
std::int64_t largest_request_blocks(const ModelParams& params, const BmcSpec& spec);

}  // namespace kvcheck
