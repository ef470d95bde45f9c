#pragma once
/// \file mutation_twin.h
/// Non-vacuity for every PROVED (issue 12; the guard CBMC and model checkers use against
/// vacuous proofs: mutate the model so that it must fail, and check that the checker notices).
///
/// For a config `prove` showed safe on a memory property, the gate builds a twin that is
/// concretely unsafe by construction:
///  - the pool one block smaller than the largest demand a simulated workload of the envelope
///    reaches (`peak_demand`, a concrete run inside the [bmc] bounds), and
///  - the guard removed: the policy still sees the original pool
///    (PolicyParams::pool_view_slack = the difference), so its free-block checks cannot react
///    to the smaller pool; the twin behaves step for step like the original until that run's
///    peak step, where its plan needs one block more than the pool holds: kv_no_overflow fails.
/// Then the same `prove` (same envelope, invariants, lemma proof) runs on the twin with
/// kv_no_overflow added, and must answer VIOLATED (replayed) or UNKNOWN. A PROVED twin means
/// the proof machinery did not look at the pool at all (an assumed false invariant, an
/// encoding that drops the property): the gate fails the config as a vacuous proof.
#include <cstdint>
#include <optional>
#include <string>

#include "checkers/z3/bmc_spec.h"
#include "io/config.h"

namespace kvcheck {

struct MutationTwin {
  ModelParams params;
  BmcSpec spec;      ///< the config's spec with kv_no_overflow among the properties
  std::string what;  ///< the mutation in words, for the report
};

/// The twin of `cfg` for a proof under `spec`, or nothing when no memory property
/// (kv_no_overflow, kv_within_capacity, no_eviction, no_preemption, alg1_memory_bound) is among
/// spec.properties, when no simulated workload reserves 2 blocks, or when the largest demand
/// is one request's own (a smaller pool would reject it); `why` says which.
std::optional<MutationTwin> mutation_twin(const Config& cfg, const BmcSpec& spec,
                                          std::string& why);

/// Steps after which every request of the envelope has arrived and could have finished:
/// the last arrival + the longest prompt (one token per step, the slowest prefill) + the
/// longest output + 1.
std::int64_t twin_horizon(const ModelParams& params, const BmcSpec& spec);

}  // namespace kvcheck
