#include "gate/mutation_twin.h"

#include <algorithm>

#include "checkers/z3/seed_search.h"

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

/// Blocks the largest request of the envelope holds when it is done (prompt + output +
/// lookahead tokens): a pool below it rejects that request outright.
std::int64_t largest_request_blocks(const ModelParams& params, const BmcSpec& spec) {
  std::int64_t tokens = spec.prompt_hi + spec.output_hi;
  if (spec.per_class) {
    tokens = 0;
    for (const auto& c : params.classes) tokens = std::max(tokens, c.prompt + c.output);
  }
  const auto bs = params.engine.block_size;
  return (tokens + params.engine.lookahead + bs - 1) / bs;
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
  if (peak - 1 < largest_request_blocks(cfg.model, spec)) {
    why = "no mutated twin: the largest simulated demand (" + std::to_string(peak) +
          " blocks) is one request's own; a smaller pool would reject that request, not stress "
          "the guard";
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
