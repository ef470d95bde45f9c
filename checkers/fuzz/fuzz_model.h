#pragma once
/// \file fuzz_model.h
/// Everything a fuzz run needs from one config, resolved once: the model, the properties, the
/// [fuzz] bounds with their derived defaults, and the quantile tables the generators index
/// (an index shrinks towards 0, and every table is non-decreasing, so shrinking an index shrinks
/// the value: fewer arrivals, shorter gaps, shorter requests).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checkers/fuzz/fuzz_spec.h"
#include "checkers/fuzz/fuzz_case.h"
#include "io/config.h"
#include "io/envelope.h"

namespace kvcheck::fuzz {

/// Quantile tables of one Poisson arrival stream, per step: gaps between non-empty arrival
/// steps (geometric) and arrivals in a non-empty step (zero-truncated Poisson).
struct ArrivalTables {
  std::vector<std::int64_t> gap, count;
  std::vector<std::int64_t> per_step;  ///< arrivals in one step (Poisson, zero included)
};

struct FuzzModel {
  std::string name, config_hash;
  std::filesystem::path config_path;
  ModelParams params;
  TimeModel time;
  std::vector<PropertyId> properties;
  FuzzSpec spec;              ///< with max_requests/max_prompt/max_output/rate resolved (> 0)
  std::int64_t max_group = 1; ///< requests per arrival group
  ArrivalTables base, low, high;  ///< Poisson at rate, rate/4 (quiet), 2*rate (busy)
  std::vector<std::int64_t> lognormal_prompt, lognormal_output;  ///< capped lognormal
  std::vector<std::int64_t> pareto_prompt, pareto_output;        ///< capped Pareto(alpha 1.2)
  /// (prompt, output) pairs from the Azure trace, scaled to the caps, sorted by size.
  std::vector<std::pair<std::int64_t, std::int64_t>> azure;
  /// Per class: per-step Poisson tables at the class rate and at twice it (class_mix shape).
  std::vector<ArrivalTables> class_base, class_busy;
  std::int64_t class_mix_span = 1;  ///< steps of a class_mix case at most
  std::vector<Shape> shapes;  ///< the shapes this run draws from (spec.shapes or all applicable)
  Envelope envelope;          ///< the config's workload envelope; the generators stay inside it
  std::int64_t min_prompt = 1, min_output = 1;  ///< classless: the envelope's shortest lengths
  /// The config's `[[workload.in_flight]]` (models/request.h): part of the model, not of a
  /// case, so every generated and every shrunk case starts with them running.
  std::vector<Request> in_flight;

  /// A case's workload inside the envelope (spec.max_requests, its per-step and step bounds),
  /// closed loop when the envelope is (at most envelope.max_concurrency in flight), after the
  /// config's in-flight requests (which the bounds do not count: they are no arrivals).
  Workload case_workload(const FuzzCase& c) const {
    auto w = c.workload(spec.max_requests, envelope.max_arrivals_per_step, envelope.last_arrival);
    w.requests.insert(w.requests.begin(), in_flight.begin(), in_flight.end());
    w.max_concurrency = envelope.max_concurrency;
    return w;
  }

  /// Pool capacity in tokens.
  std::int64_t pool_tokens() const { return params.engine.num_blocks * params.engine.block_size; }
};

using ModelPtr = std::shared_ptr<const FuzzModel>;

/// Resolves `c` and its [fuzz] section. Throws InputError (151, or 150 for the Azure CSV), also
/// when a [fuzz] bound would widen the workload envelope.
ModelPtr make_fuzz_model(const Config& c);

/// What the model's bounds cover of its envelope (io/envelope.h describe_coverage).
EnvelopeCoverage fuzz_coverage(const FuzzModel& m);

/// The largest arrival count a quantile table holds (rates far above it are capped there).
inline constexpr std::int64_t kMaxArrivalCount = 10'000;

/// Quantile tables for per-step Poisson(rate) arrivals, `n` entries each (counts at most
/// kMaxArrivalCount).
ArrivalTables arrival_tables(double rate, std::size_t n);

}  // namespace kvcheck::fuzz
