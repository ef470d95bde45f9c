#pragma once
/// \file generic_proof.h
/// The every-N allocation proof (docs/z3-backend.md, "Every N: the generic request"): for
/// policies whose every reservation checks free blocks first, "the pool counter never exceeds
/// the pool" is shown one action at a time for a generic request acting on an abstract rest of
/// the system (generic_view.h), so the result holds for every number of requests and every
/// workload, and, for ranged parameters, every value in their ranges.
///
/// Method: the real engine step (models/engine_step.h, the policy's own template) runs on a
/// GenericView with K = 1, 2, ... positions per queue. Each obligation it records is
/// generalised (generalize.h) over everything but the acting request, the last counter read and
/// the counter's base, and checked valid by Z3 under the per-request invariant and the
/// induction hypothesis (counter <= pool at every read and after every earlier action). Equal
/// shapes are checked once. The proof holds when every obligation is valid for every K up to
/// the first K >= 3 whose set of shapes equals K - 1's (the loop bodies produce nothing new at
/// more positions): every action of a real step of any size is then an instance of a checked
/// one. Anything else (an invalid obligation, a solver `unknown`, shapes still changing at
/// `max_positions`) is "not shown": never a verdict by itself.
#include <cstdint>
#include <string>
#include <vector>

#include "checkers/z3/bmc_session.h"
#include "checkers/z3/generic_view.h"
#include "models/params.h"
#include "properties/property.h"

namespace kvcheck {

/// A parameter proved over a range instead of its configured value.
struct KnobRange {
  Knob knob;
  std::int64_t lo = 0, hi = 0;
};

struct GenericProof {
  bool holds = false;
  std::string reason;  ///< why not, when !holds: the obligation, K, and what Z3 said
  std::string claim;   ///< what was proved, when holds
  int positions = 0;   ///< the K at which the shapes saturated
  int obligations = 0, shapes = 0, queries = 0;
};

/// The properties the argument implies: the counter never exceeds the pool, so no plan
/// overflows and the engine never evicts.
const std::vector<PropertyId>& every_n_properties();

/// Runs the proof; `opts.rlimit` (or 10^7 when 0) bounds each query, `opts.deadline` is the
/// outer guard. `max_positions`: the largest K tried.
GenericProof prove_every_n(const ModelParams& params, const std::vector<KnobRange>& ranges,
                           const SolverOptions& opts, int max_positions = 6);

/// The per-request invariant the proof assumes of the acting request (and of its snapshots
/// that occur in `claim`): prompt, output >= 1; class in range; rank, computed, generated,
/// blocks, tokens, sched >= 0. It holds of every request at every step boundary (the store
/// obligations re-establish it; tests/checkers/generic_view_test.cpp evaluates it on concrete
/// states).
SymBool request_invariant(const GenericRequest& g, const ModelParams& params,
                          const z3::expr& claim);

/// "num_blocks in [8, 1000000], watermark_blocks = 0 (the configured value), ..." for the
/// knobs the policies read.
std::string describe_knobs(const ModelParams& params, const std::vector<KnobRange>& ranges);

}  // namespace kvcheck
