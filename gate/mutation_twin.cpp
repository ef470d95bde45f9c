#include "gate/mutation_twin.h"

#include <algorithm>

namespace kvcheck {
namespace {

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

std::int64_t blocks_for(std::int64_t tokens, std::int64_t block_size) {
  return (tokens + block_size - 1) / block_size;
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

std::int64_t largest_request_blocks(const ModelParams& params, const BmcSpec& spec) {
  std::int64_t tokens = spec.prompt_hi + spec.output_hi;
  if (spec.per_class) {
    tokens = 0;
    for (const auto& c : params.classes) tokens = std::max(tokens, c.prompt + c.output);
  }
  return blocks_for(tokens + params.engine.lookahead, params.engine.block_size);
}

std::optional<MutationTwin> mutation_twin(const Config& cfg, const BmcSpec& spec) {
  if (std::none_of(spec.properties.begin(), spec.properties.end(), is_memory_property))
    return std::nullopt;
  MutationTwin t{cfg.model, {}};
  auto& e = t.params.engine;
  auto& p = t.params.policy;
  const auto one = largest_request_blocks(cfg.model, spec);
  const auto worst = one * spec.slots;
  const auto pool = std::max(one, std::min(e.num_blocks, worst - 1));
  t.what = "guard removed (the policy sees " + std::to_string(e.num_blocks) + " extra blocks)";
  p.pool_view_slack = e.num_blocks;
  if (pool != e.num_blocks) {
    t.what += ", pool " + std::to_string(e.num_blocks) + " -> " + std::to_string(pool) +
              " blocks (worst case of the envelope: " + std::to_string(worst) + ")";
    e.num_blocks = pool;
  }
  bool doubled = false;
  for (auto& c : t.params.classes)
    if (c.budget > 0) c.budget *= 2, doubled = true;
  if (p.flow_budget_max > 0) {
    p.flow_budget_min *= 2;
    p.flow_budget_max *= 2;
    doubled = true;
  }
  if (doubled) t.what += ", budgets doubled";
  return t;
}

}  // namespace kvcheck
