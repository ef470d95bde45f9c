#pragma once
/// \file engine_profiles.h
/// Which engine a config models, stated once: `[engine] profile`. The papers' engines (the
/// default) hold exactly `num_blocks` blocks and reject a request that can never fit; a vLLM
/// profile sets the rules of one vLLM V1 version family (docs/vllm.md cites each to its source).
/// A profile only gives defaults: a key the config sets explicitly wins.
#include <array>
#include <string_view>

#include "models/params.h"

namespace kvcheck {

struct EngineProfile {
  std::string_view name;
  std::string_view models;  ///< the engine, in words, for reports and docs
  std::int64_t null_blocks;          ///< blocks vLLM's BlockPool never allocates (null_block)
  bool reject_unservable;            ///< EngineParams::reject_unservable
  bool recompute_keeps_output;       ///< EngineParams::recompute_keeps_output
  bool chunked_prefill;              ///< EngineParams::chunked_prefill
  bool watermark_only_when_busy;     ///< PolicyParams::watermark_only_when_busy
  bool full_sequence_admission;      ///< PolicyParams::full_sequence_admission
};

inline constexpr std::array<EngineProfile, 3> kEngineProfiles{{
    {"papers", "the papers' engine model: a pool of exactly num_blocks blocks, requests that can "
               "never fit rejected at arrival, recompute restarts from scratch",
     0, true, false, false, false, false},
    {"vllm-v1-first-chunk",
     "vLLM V1 (v0.8 up to the releases before PR #37307): a waiting request is admitted when its "
     "first chunk fits; null block; recompute keeps the output; no rejection but max_model_len",
     1, false, true, true, true, false},
    {"vllm-v1-full-isl",
     "vLLM V1 with scheduler_reserve_full_isl (PR #37307, on by default) and the fraction "
     "watermark of PR #44594: admission needs blocks for the whole current length",
     1, false, true, true, true, true},
}};

/// The profile named `name`; nullptr if none.
inline const EngineProfile* find_engine_profile(std::string_view name) {
  for (const auto& p : kEngineProfiles)
    if (p.name == name) return &p;
  return nullptr;
}

/// Sets the profile's defaults in `m` (before the config's own keys are read).
inline void apply_engine_profile(const EngineProfile& p, ModelParams& m) {
  m.engine.null_blocks = p.null_blocks;
  m.engine.reject_unservable = p.reject_unservable;
  m.engine.recompute_keeps_output = p.recompute_keeps_output;
  m.engine.chunked_prefill = p.chunked_prefill;
  m.policy.watermark_only_when_busy = p.watermark_only_when_busy;
  m.policy.full_sequence_admission = p.full_sequence_admission;
}

}  // namespace kvcheck
