#pragma once
/// \file param_table.h
/// The model's scalar parameters, each listed once: the config section and key it is read from
/// (`[engine] block_size`), which is also its name in ITF traces and, as `section.key`, in
/// `kvcheck buffer --param`, and where it lives in ModelParams. The ITF writer and reader and
/// `buffer --param` loop over this table; the config schema (io/config_schema.cpp) gives each
/// entry its range, default, unit and doc line, and tests/io/config_schema_test.cpp holds the
/// two tables to each other (every entry is a schema key, and the config reader's default for
/// it is the schema's). Per-class fields (`classes.<name>.budget`, ...) are in ClassSpec.
#include <cstdint>
#include <string_view>

#include "models/params.h"

namespace kvcheck {

/// Marks a default that is another parameter's value (flow_budget_max: flow_budget_min).
inline constexpr std::int64_t kDefaultFromOther = -1;

/// An integer parameter.
struct IntParam {
  std::string_view section;  ///< "engine" or "policy"
  std::string_view key;      ///< the config key and ITF name
  std::int64_t& (*field)(ModelParams&);
  std::int64_t def;          ///< the config reader's default (kDefaultFromOther: see the reader)
  std::int64_t get(const ModelParams& m) const { return field(const_cast<ModelParams&>(m)); }
};

/// A boolean parameter.
struct BoolParam {
  std::string_view section;
  std::string_view key;
  bool& (*field)(ModelParams&);
  bool def;
  bool get(const ModelParams& m) const { return field(const_cast<ModelParams&>(m)); }
};

inline constexpr IntParam kIntParams[] = {
    {"engine", "block_size", [](ModelParams& m) -> std::int64_t& { return m.engine.block_size; }, 1},
    {"engine", "num_blocks", [](ModelParams& m) -> std::int64_t& { return m.engine.num_blocks; }, 0},
    {"engine", "lookahead", [](ModelParams& m) -> std::int64_t& { return m.engine.lookahead; }, 0},
    {"engine", "max_num_seqs",
     [](ModelParams& m) -> std::int64_t& { return m.engine.max_num_seqs; }, kUnlimited},
    {"engine", "max_batched_tokens",
     [](ModelParams& m) -> std::int64_t& { return m.engine.max_batched_tokens; }, kUnlimited},
    {"engine", "max_model_len",
     [](ModelParams& m) -> std::int64_t& { return m.engine.max_model_len; }, kUnlimited},
    {"engine", "long_prefill_token_threshold",
     [](ModelParams& m) -> std::int64_t& { return m.engine.long_prefill_token_threshold; }, 0},
    {"policy", "watermark_blocks",
     [](ModelParams& m) -> std::int64_t& { return m.policy.watermark_blocks; }, 0},
    {"policy", "flow_budget_min",
     [](ModelParams& m) -> std::int64_t& { return m.policy.flow_budget_min; }, 0},
    {"policy", "flow_budget_max",
     [](ModelParams& m) -> std::int64_t& { return m.policy.flow_budget_max; }, kDefaultFromOther},
    {"policy", "max_batch_seqs",
     [](ModelParams& m) -> std::int64_t& { return m.policy.max_batch_seqs; }, kUnlimited},
};

inline constexpr BoolParam kBoolParams[] = {
    {"engine", "chunked_prefill", [](ModelParams& m) -> bool& { return m.engine.chunked_prefill; }, false},
    {"engine", "reject_unservable",
     [](ModelParams& m) -> bool& { return m.engine.reject_unservable; }, true},
    {"engine", "recompute_keeps_output",
     [](ModelParams& m) -> bool& { return m.engine.recompute_keeps_output; }, false},
    {"policy", "watermark_only_when_busy",
     [](ModelParams& m) -> bool& { return m.policy.watermark_only_when_busy; }, false},
    {"policy", "full_sequence_admission",
     [](ModelParams& m) -> bool& { return m.policy.full_sequence_admission; }, false},
    {"policy", "admit_after_preempt",
     [](ModelParams& m) -> bool& { return m.policy.admit_after_preempt; }, false},
    {"policy", "wait_force_when_idle",
     [](ModelParams& m) -> bool& { return m.policy.wait_force_when_idle; }, false},
};

/// The integer parameter named `section.key` (buffer's --param spelling); nullptr if none.
inline const IntParam* find_int_param(std::string_view dotted) {
  for (const auto& p : kIntParams)
    if (dotted.size() == p.section.size() + 1 + p.key.size() && dotted.starts_with(p.section) &&
        dotted[p.section.size()] == '.' && dotted.ends_with(p.key))
      return &p;
  return nullptr;
}

}  // namespace kvcheck
