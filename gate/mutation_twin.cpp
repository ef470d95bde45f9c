#include "gate/mutation_twin.h"

#include <algorithm>

#include "checkers/seed_search.h"

namespace kvcheck {
namespace {

/// Simulated workloads the twin's pool is sized from.
constexpr std::int64_t kPeakRuns = 500;

bool is_memory_property(PropertyId id) {
  switch (id) {
    case PropertyId::KvNoOverflow:
    case PropertyId::KvWithinCapacity:
    case PropertyId::NoEviction:
    case PropertyId::NoPreemption:
    case PropertyId::Alg1MemoryBound: return true;
    default: return false;
  }
}

}  // namespace

std::int64_t twin_horizon(const ModelParams& params, const BmcSpec& spec) {
  std::int64_t longest = spec.prompt_hi + spec.output_hi;
  if (spec.per_class) {
    longest = 0;
    for (const auto& c : params.classes) longest = std::max(longest, c.prompt + c.output);
  }
  return spec.arrival_hi + longest + 1;
}

std::optional<MutationTwin> mutation_twin(const Config& cfg, const BmcSpec& spec,
                                          std::string& why) {
  if (std::none_of(spec.properties.begin(), spec.properties.end(), is_memory_property)) {
    why = "no mutated twin: no memory property is proved";
    return std::nullopt;
  }
  const auto horizon = std::min<std::int64_t>(1000, twin_horizon(cfg.model, spec));
  const auto peak = peak_demand(cfg.model, spec, horizon, kPeakRuns, 1);
  if (peak < 2) {
    why = "no mutated twin: no simulated workload of the envelope reserves 2 blocks";
    return std::nullopt;
  }
  MutationTwin t{cfg.model, spec, {}};
  const auto pool = std::min(cfg.model.engine.num_blocks, peak - 1);
  t.params.engine.num_blocks = pool;
  t.params.policy.pool_view_slack = cfg.model.engine.num_blocks - pool;
  if (std::find(t.spec.properties.begin(), t.spec.properties.end(), PropertyId::KvNoOverflow) ==
      t.spec.properties.end())
    t.spec.properties.push_back(PropertyId::KvNoOverflow);
  t.what = "pool " + std::to_string(cfg.model.engine.num_blocks) + " -> " +
           std::to_string(pool) + " blocks (a simulated workload reserves " +
           std::to_string(peak) + "), the policy's guard blind to it";
  return t;
}

}  // namespace kvcheck
