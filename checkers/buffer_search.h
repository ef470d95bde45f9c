#pragma once
/// \file buffer_search.h
/// `kvcheck buffer`: the smallest value of one model parameter (a KV buffer such as
/// policy.watermark_blocks or engine.num_blocks, a class budget, ...) for which `prove`
/// succeeds, plus a counterexample for the value one below. Values are tried upwards from `lo`
/// (no monotonicity is assumed, so the answer is exact within [lo, hi]).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkers/bmc.h"
#include "checkers/k_induction.h"

namespace kvcheck {

/// Parameter names: engine.num_blocks, engine.block_size, engine.max_batched_tokens,
/// engine.max_num_seqs, engine.lookahead, policy.watermark_blocks, policy.flow_budget_min,
/// policy.flow_budget_max, policy.max_batch_seqs, classes.<name>.budget,
/// classes.<name>.threshold. Throws InputError(ConfigError) for an unknown name.
std::int64_t& param_ref(ModelParams& params, const std::string& name);

struct BufferResult {
  std::optional<std::int64_t> value;  ///< smallest proved value in [lo, hi]
  ProveResult proof;                  ///< the proof at `value` (or the last attempt)
  std::optional<BmcResult> below;   ///< BMC at value - 1 (spec.depth steps)
  std::vector<std::pair<std::int64_t, Verdict>> tried;  ///< every value tried and its verdict
};

BufferResult search_buffer(const ModelParams& params, const BmcSpec& spec,
                           const std::string& name, std::int64_t lo, std::int64_t hi,
                           const SolverOptions& opts);

}  // namespace kvcheck
