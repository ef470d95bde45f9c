#pragma once
/// \file fuzz_spec.h
/// The `[fuzz]` section of a config: bounds of the generated workloads, which generators run,
/// the starvation bound, the stability experiment and the coverage minimums. Parsed from
/// Config::text with toml++; every field is optional and has a default derived from the model
/// (docs/fuzz.md lists them). Bad values throw InputError (exit 151) naming file and field.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "io/config.h"

namespace kvcheck::fuzz {

/// The workload shapes a fuzz run can draw from (generators.h).
enum class Shape {
  Poisson,        ///< per-step Poisson arrivals at `rate`
  OnOff,          ///< quiet gaps and bursts
  Markov,         ///< Markov-modulated Poisson: segments at a low and a high rate
  QuietBurst,     ///< a few short requests, a quiet period, then a burst of long prompts
  SyncFinish,     ///< staggered arrivals whose outputs make them finish in the same step
  Azure,          ///< lengths resampled from the Azure 2023 conversation trace
  ClassMix,       ///< per-class Poisson streams at the [[classes]] rates (or twice them)
};

/// Minimum shares of generated cases that must reach each coverage class (0 = not required).
struct CoverageMinimums {
  double high_occupancy = 0.0;  ///< peak KV use >= occupancy_threshold of the pool
  double preemption = 0.0;      ///< at least one preemption or eviction
  double near_boundary = 0.0;   ///< offered load within [0.7, 1.3] of the theory's capacity
};

/// The long-horizon stability experiment (stability.h).
struct StabilitySpec {
  bool enabled = true;       ///< runs when the config's workload is generated (not explicit/trace)
  std::int64_t horizon = 2000;  ///< steps simulated
  double epsilon = -1.0;     ///< slope tolerance in requests/step; < 0: 0.05 * arrival rate
};

struct FuzzSpec {
  std::vector<Shape> shapes;          ///< empty: every applicable shape
  std::int64_t max_requests = 0;      ///< cap per case; 0: derived from the pool
  std::int64_t runs = 100;            ///< cases per run when the command line gives none
  std::int64_t max_groups = 8;        ///< arrival groups (instants) per case
  std::int64_t max_prompt = 0;        ///< 0: derived from the pool
  std::int64_t max_output = 0;        ///< 0: derived from the pool
  double rate = 0.0;                  ///< mean arrivals per step; 0: from the config's workload
  std::int64_t max_steps = 20'000;    ///< simulation bound per case
  std::int64_t starvation_bound = 0;  ///< T: 0 disables the starvation check
  double occupancy_threshold = 0.9;   ///< "high occupancy" for coverage
  std::string azure_trace;            ///< CSV for the Azure shape (relative to the config)
  CoverageMinimums min_coverage;
  StabilitySpec stability;
};

/// Reads `[fuzz]` (and `[fuzz.coverage]`, `[fuzz.stability]`) from `c.text`.
FuzzSpec parse_fuzz_spec(const Config& c);

/// Prints a shape's name (RapidCheck counterexample output, through ADL).
void showValue(Shape s, std::ostream& os);

std::string to_string(Shape s);
bool parse_shape(const std::string& name, Shape& out);

}  // namespace kvcheck::fuzz
