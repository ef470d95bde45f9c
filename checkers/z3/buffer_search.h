#pragma once
/// \file buffer_search.h
/// `kvcheck buffer`: the smallest value of one model parameter (a KV buffer such as
/// policy.watermark_blocks or engine.num_blocks, a class budget, ...) for which `prove`
/// (prove_pipeline.h: every N for the pool properties, the [bmc] slots for the rest) succeeds, plus a counterexample for the value one below. Values are tried upwards from `lo`
/// (no monotonicity is assumed, so the answer is exact within [lo, hi]).
///
/// Every value tried goes through the config reader itself (the parameter is set in the
/// config's TOML and the text is loaded again), so a value the reader would reject (a block
/// size of 0, a negative pool, a budget below its minimum) is the same one-line config error
/// here, never a model the checkers run.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/bmc.h"
#include "checkers/z3/prove_pipeline.h"
#include "io/config.h"

namespace kvcheck {

/// The field `name` designates: an integer of models/param_table.h as `section.key`
/// (engine.num_blocks, policy.watermark_blocks, ...), or classes.<name>.budget /
/// classes.<name>.threshold. Throws InputError(ConfigError) for an unknown name.
std::int64_t& param_ref(ModelParams& params, const std::string& name);
/// The names param_ref accepts (models/param_table.h's integers and the per-class fields).
std::string buffer_param_names();

/// `cfg`'s model with parameter `name` set to `value`, validated by the config reader. Throws
/// InputError(ConfigError) naming `field` (e.g. "--lo") when the reader rejects the value.
ModelParams with_param(const Config& cfg, const std::string& name, std::int64_t value,
                       const std::string& field);

struct BufferResult {
  std::optional<std::int64_t> value;  ///< smallest proved value in [lo, hi]
  ProveResult proof;                  ///< the proof at `value` (or the last attempt)
  std::optional<BmcResult> below;   ///< BMC at value - 1 (spec.depth steps)
  /// `below` is the config's own workload simulated at value - 1 (BMC over the slots found no
  /// counterexample there).
  bool below_simulated = false;
  /// `below` is the envelope's burst (seed_search.h envelope_burst_witness) at value - 1, or,
  /// when no value is proved, at `burst_value`.
  bool below_burst = false;
  std::vector<std::pair<std::int64_t, Verdict>> tried;  ///< every value tried and its verdict
  /// `every_n_only`: the properties no every-N argument covers for this policy at any value;
  /// the values after the first were not tried (their answer would be the same UNKNOWN).
  std::vector<PropertyId> no_argument;
  /// No value proved: the largest value, scanning down from `hi` (from just above the burst's
  /// predicted threshold for policy.watermark_blocks, at most 64 values), at which the
  /// envelope's burst violates a property; `below` holds that counterexample.
  std::optional<std::int64_t> burst_value;
};

/// Validates `lo` and `hi` first (InputError naming --lo / --hi), then every value between.
/// `every_n_only`: a value counts as proved only when every property is proved for every N
/// (prove_pipeline.h), so the answer has the deployment's scope, not the [bmc] slots'.
BufferResult search_buffer(const Config& cfg, const BmcSpec& spec, const std::string& name,
                           std::int64_t lo, std::int64_t hi, const SolverOptions& opts,
                           bool every_n_only = false);

}  // namespace kvcheck
