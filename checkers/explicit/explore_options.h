#pragma once
/// \file explore_options.h
/// The explorer's bounds and environment, read from a config's `[explore]` section (schema in
/// docs/explorer.md). The environment's nondeterminism per step: how many requests arrive and
/// their shapes. Defaults come from the config's workload envelope (io/envelope.h): every
/// shape of the envelope (each class's lengths), min(3, the envelope's request bound) requests;
/// a section value that would widen the envelope is a config error.
#include <cstdint>
#include <vector>

#include "checkers/explicit/state_store.h"
#include "io/config.h"
#include "io/envelope.h"
#include "properties/property.h"

namespace kvcheck::explicit_state {

/// How the waiting queue is represented.
enum class ExploreMode {
  /// The queue is part of the state; arrivals are bounded by max_requests and/or max_waiting.
  Bounded,
  /// The backlog is off the state: the policy always sees a window of `queue_window` fresh
  /// requests of the one arrival shape; arrivals - completions go on the edges (instability).
  Saturated,
};

/// One arrival choice: a request's prompt, output and class.
struct ArrivalShape {
  std::int64_t prompt = 1, output = 1, klass = 0;
  bool operator==(const ArrivalShape&) const = default;
};

/// The analyses `kvcheck explore` runs.
struct Analyses {
  bool safety = true, starvation = true, instability = true;
};

struct ExploreOptions {
  ExploreMode mode = ExploreMode::Bounded;
  std::vector<ArrivalShape> shapes;          ///< arrival choices (non-empty)
  std::int64_t min_arrivals = 0;             ///< arrivals per step, at least (when allowed)
  std::int64_t max_arrivals = 1;             ///< arrivals per step, at most
  std::int64_t max_requests = 0;             ///< bounded: total arrivals (0 = no bound)
  std::int64_t max_waiting = 0;              ///< bounded: queue length bound (0 = no bound)
  std::int64_t queue_window = 0;             ///< saturated: visible queue (set by the reader)
  std::int64_t max_states = 200'000;         ///< state limit: beyond it the verdict is UNKNOWN
  /// How the safety pass stores visited states; HashCompaction is incomplete (never PROVED).
  StateStorage storage = StateStorage::Exact;
  std::vector<PropertyId> properties;        ///< checked after every transition
  Analyses analyses;
  Envelope envelope;                         ///< the config's workload envelope
  /// `[[workload.in_flight]]` (models/request.h): requests running in the initial state, before
  /// any arrival; not arrivals, so they count toward neither max_requests nor the shapes.
  std::vector<Request> in_flight;
};

/// The shapes a resident can have: the arrival shapes, then those of in-flight requests that
/// are not arrival shapes (StateCodec's alphabet; arrival shape indices are unchanged).
std::vector<ArrivalShape> resident_shapes(const ExploreOptions& o);

/// What the options cover of their envelope (io/envelope.h describe_coverage).
EnvelopeCoverage explore_coverage(const ExploreOptions& o);

/// Reads `[explore]` from `cfg.text` (defaults when absent). Throws InputError (exit 151)
/// naming the file, field and reason on any invalid or unknown field.
ExploreOptions read_explore_options(const Config& cfg);

}  // namespace kvcheck::explicit_state
