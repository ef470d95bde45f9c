#pragma once
/// \file itf_names.h
/// Internal to itf_write.cpp / itf_read.cpp: the names kvcheck's ITF traces use for `params`
/// and `vars`, with their Apalache type strings (`#meta.varTypes`). docs/itf.md documents them.
#include <array>
#include <string_view>
#include <utility>

namespace kvcheck {

/// Configuration constants, set in ITF state 0 only.
inline constexpr std::array<std::string_view, 24> kParamNames{
    "block_size",      "num_blocks",       "lookahead",         "max_num_seqs",
    "max_batched_tokens", "chunked_prefill", "requeue",         "policy",
    "watermark_blocks", "admit_after_preempt", "flow_budget_min", "flow_budget_max",
    "max_batch_seqs",  "classes",          "time_model",        "arrival_clock",
    "workload",        "max_model_len",    "long_prefill_token_threshold",
    "reject_unservable", "recompute_keeps_output", "watermark_only_when_busy",
    "full_sequence_admission", "wait_force_when_idle"};

/// Parameters added after the first traces were written (2026-12, the vLLM rules): a trace
/// without them was written with the config reader's defaults, which the reader then uses.
inline constexpr std::array<std::string_view, 7> kParamsAddedLater{
    "max_model_len", "long_prefill_token_threshold", "reject_unservable",
    "recompute_keeps_output", "watermark_only_when_busy", "full_sequence_admission",
    "wait_force_when_idle"};

/// Variables set in every ITF state.
inline constexpr std::array<std::string_view, 17> kVarNames{
    "step",          "arrived",     "rejected",  "admitted",     "preempted",
    "evicted",       "completed",   "batch",     "demand_blocks", "used_blocks",
    "used_tokens",   "overflow",    "waiting",   "running",      "requests",
    "mbt::actionTaken", "mbt::nondetPicks"};

/// vLLM V0's swap mode (`preemption_mode = "swap"`): the params and variables a swap trace
/// adds (absent from every other trace, which keeps its bytes). `requests` may then hold the
/// status "swapped".
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kSwapParamTypes{{
    {"preemption_mode", "Str"}, {"cpu_blocks", "Int"}}};
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kSwapVarTypes{{
    {"swapped", "Seq(Int)"}, {"swapped_out", "Seq(Int)"}, {"swapped_in", "Seq(Int)"},
    {"swap_abort", "Bool"}, {"cpu_used_blocks", "Int"}}};

inline constexpr std::string_view kClassType =
    "Seq({ name: Str, prompt: Int, output: Int, rate: Str, budget: Int, threshold: Int })";
inline constexpr std::string_view kTimeType =
    "{ kind: Str, unit: Str, d0: Str, d1: Str, c: Str, a: Str, b0: Int, la: Str, lb: Str, "
    "lc: Str, ld: Str }";
inline constexpr std::string_view kWorkloadType =
    "Seq({ id: Int, arrival_step: Int, arrival_time: Str, prompt: Int, output: Int, "
    "class: Int })";

/// `#meta.varTypes`: every param and variable with its Apalache type.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 41> kVarTypes{{
    {"block_size", "Int"}, {"num_blocks", "Int"}, {"lookahead", "Int"},
    {"max_num_seqs", "Int"}, {"max_batched_tokens", "Int"}, {"chunked_prefill", "Bool"},
    {"requeue", "Str"}, {"policy", "Str"}, {"watermark_blocks", "Int"},
    {"admit_after_preempt", "Bool"}, {"flow_budget_min", "Int"}, {"flow_budget_max", "Int"},
    {"max_batch_seqs", "Int"}, {"classes", kClassType}, {"time_model", kTimeType},
    {"arrival_clock", "Str"}, {"workload", kWorkloadType},
    {"max_model_len", "Int"}, {"long_prefill_token_threshold", "Int"},
    {"reject_unservable", "Bool"}, {"recompute_keeps_output", "Bool"},
    {"watermark_only_when_busy", "Bool"}, {"full_sequence_admission", "Bool"},
    {"wait_force_when_idle", "Bool"},
    {"step", "Int"}, {"arrived", "Seq(Int)"}, {"rejected", "Seq(Int)"},
    {"admitted", "Seq(Int)"}, {"preempted", "Seq(Int)"}, {"evicted", "Seq(Int)"},
    {"completed", "Seq(Int)"}, {"batch", "Seq(<<Int, Int>>)"}, {"demand_blocks", "Int"},
    {"used_blocks", "Int"}, {"used_tokens", "Int"}, {"overflow", "Bool"},
    {"waiting", "Seq(Int)"}, {"running", "Seq(Int)"},
    {"requests", "Int -> { status: Str, computed: Int, generated: Int, blocks: Int }"},
    {"mbt::actionTaken", "Str"},
    {"mbt::nondetPicks",
     "{ choices: Some(Seq(Int)) | None(UNIT), arrivals: Some(Set(Int)) | None(UNIT) }"},
}};

}  // namespace kvcheck
