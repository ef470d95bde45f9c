#pragma once
/// \file seed_search.h
/// Random simulation before BMC ("simulation-seeded BMC"): concrete workloads drawn inside the
/// `[bmc]` bounds (the same N slots, ranges, classes and arrival limits the solver sees) run on
/// the concrete engine for up to `depth` steps. A violation found here at step s is a witness
/// for depth s: `run_bmc` still proves every shallower depth unsat for all workloads before it
/// reports it, so the counterexample is still a shortest one, and like every counterexample it
/// is replayed on the concrete engine before it leaves the tool. Z3-free.
#include <cstdint>
#include <optional>
#include <vector>

#include "checkers/z3/bmc_spec.h"
#include "models/params.h"
#include "models/request.h"
#include "models/time_model.h"

namespace kvcheck {

/// A concrete workload that violates `property` first at `step` (the earliest step over the
/// runs tried).
struct SeedHint {
  Workload workload;
  std::vector<std::vector<std::int64_t>> picks;  ///< the policy's choices, per step in call order
  PropertyId property = PropertyId::KvNoOverflow;
  std::int64_t step = 0;
  std::int64_t run = 0;  ///< which run found it (1-based)
};

/// Tries `runs` random workloads (deterministic for a given `seed`); returns the violation at
/// the smallest step, or nothing. Shapes: one burst, a few arrival groups, uniform arrivals;
/// lengths at the range ends half of the time (overflows live there).
std::optional<SeedHint> seed_search(const ModelParams& params, const BmcSpec& spec,
                                    std::int64_t depth, std::int64_t runs, std::uint64_t seed);

/// The config's own workload (`w`, under `time`) simulated for up to `max_steps` steps: its
/// first violation of one of `properties`, with the policy's choices, or nothing. A concrete
/// witness at the deployment's own size, where BMC over a few slots finds none (`buffer`'s
/// counterexample one below a proved value).
std::optional<SeedHint> workload_witness(const ModelParams& params, const TimeModel& time,
                                         const Workload& w,
                                         const std::vector<PropertyId>& properties,
                                         std::int64_t max_steps);

/// The request a burst witness repeats (envelope_burst_witness): `prompt` and `output` lie in
/// one class of the envelope; `admit_blocks` is what its admission reserves (its whole prompt,
/// engine_rules.h admission_blocks), `final_blocks` what it holds when its whole output is
/// produced (prompt + output - 1 + lookahead tokens, the last decode step's reservation).
struct BurstShape {
  std::int64_t prompt = 1, output = 1, klass = 0;
  std::int64_t admit_blocks = 1, final_blocks = 1;
  /// The fewest such requests whose final blocks exceed the pool: floor(pool / final) + 1.
  std::int64_t needed = 0;
  /// The largest watermark at which `needed` of them are admitted in one step (the first into
  /// the idle engine, then each while pool - k * admit_blocks >= watermark), so that, growing
  /// in lockstep, one of them must be preempted; nothing when the token budget, max_num_seqs
  /// or the envelope's request or per-step arrival bound keeps them from being admitted together.
  std::optional<std::int64_t> threshold;
};

/// The envelope's burst request (docs/z3-backend.md "Every N for no_preemption"): over every
/// class and every prompt of its range, with the class's largest output, the one with the most
/// final blocks per admission block (ties: the most final blocks). For `spec`'s envelope (its
/// own prompt / output ranges for a hand-built spec without one).
BurstShape burst_shape(const ModelParams& params, const BmcSpec& spec);

/// The burst simulated on the concrete engine with the real policy: `burst_shape`'s request,
/// `needed` copies (at least 2), all arriving at step 0 (or as the envelope's per-step bound
/// allows), run until every request completes or one of `properties` fails. Returns the violation only
/// if the simulation really has one (a concrete run inside the envelope: a counterexample
/// whatever chose it; callers replay it like every other).
std::optional<SeedHint> envelope_burst_witness(const ModelParams& params, const BmcSpec& spec,
                                               const std::vector<PropertyId>& properties);

/// The first of `runs` random workloads inside the bounds (same draws as seed_search) whose
/// simulation schedules at least one token within `depth` steps (1-based run number), or
/// nothing: the cheap half of the non-vacuity check (checkers/z3/vacuity.h).
std::optional<std::int64_t> activity_witness(const ModelParams& params, const BmcSpec& spec,
                                             std::int64_t depth, std::int64_t runs,
                                             std::uint64_t seed);

/// The largest number of KV blocks a policy's plan reserves in one step (StepRecord::
/// demand_blocks) over `runs` random workloads inside the bounds, each run for `depth` steps:
/// a demand concretely reached (gate/mutation_twin.h sizes its pool from it).
std::int64_t peak_demand(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                         std::int64_t runs, std::uint64_t seed);

/// Whether `w` lies inside the `[bmc]` bounds (slot count, ranges, classes, arrival order and
/// per-step limit), i.e. is one of the workloads BMC quantifies over.
bool within_spec(const ModelParams& params, const BmcSpec& spec, const Workload& w);

}  // namespace kvcheck
