// vLLM's admission limits from the config alone (docs/vllm.md): does every request the API
// accepts (prompt + output <= max_model_len) fit the pool the scheduler can allocate (vLLM's
// count minus the null block)? Before PR #47272 vLLM's start-up check counts the null block,
// so max_model_len = num_gpu_blocks x block_size starts, and the longest requests it accepts
// can never be held: under full-sequence admission they wait for ever, under first-chunk
// admission they are admitted and thrash.
#include <fmt/format.h>

#include "theory/analyze.h"
#include "theory/condition_builder.h"

namespace kvcheck::theory {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

void add_window(PaperAnalysis& a, const ModelParams& m) {
  const auto& e = m.engine;
  const auto usable_tokens = e.num_blocks * e.block_size;
  // A request of T tokens peaks at T - 1 + lookahead KV tokens (its last token is never
  // computed); it cannot be held once that needs more than the usable blocks.
  const auto t_min = usable_tokens + 2 - e.lookahead;
  const auto p_min = usable_tokens + 1;  // a prompt alone past the usable pool
  const bool full = m.policy.full_sequence_admission;
  a.notes.push_back(fmt::format(
      "requests of prompt + output in [{}, {}] tokens are accepted (<= max_model_len) but peak "
      "above the {} usable blocks ({} tokens): {}",
      t_min, e.max_model_len, e.num_blocks, usable_tokens,
      full ? "under full-sequence admission each waits for ever once it preempts itself "
             "(`schedulable` fails, simulate exit 13)"
           : "under first-chunk admission each is admitted, fills the pool, preempts itself and "
             "is re-admitted for ever (a livelock, simulate exit 13)"));
  if (p_min <= e.max_model_len - 1)
    a.notes.push_back(fmt::format(
        "prompts of {}..{} tokens (with an output of >= 1) {}", p_min, e.max_model_len - 1,
        full ? "are never admitted at all: they block the FCFS queue from arrival"
             : "are admitted on a first chunk and thrash from the start"));
}

}  // namespace

PaperAnalysis analyze_vllm(const Config& cfg) {
  PaperAnalysis a;
  a.id = "vllm";
  a.title = "vLLM admission limits (max_model_len vs the usable pool)";
  const auto& m = cfg.model;
  const auto& e = m.engine;
  if (e.max_model_len == kUnlimited) {
    a.missing_field = "engine.max_model_len";
    a.missing_reason = "no max_model_len: the engine rejects what it cannot hold (papers' model)";
    return a;
  }
  a.applicable = true;
  a.inputs.push_back(fmt::format("engine: {} usable blocks of {} tokens ({} null block{}), "
                                 "max_model_len {}, lookahead {}",
                                 e.num_blocks, e.block_size, e.null_blocks,
                                 e.null_blocks == 1 ? "" : "s", e.max_model_len, e.lookahead));
  a.inputs.push_back(fmt::format("admission: {}, watermark {} blocks ({})",
                                 m.policy.full_sequence_admission ? "full sequence" : "first chunk",
                                 m.policy.watermark_blocks,
                                 m.policy.watermark_only_when_busy ? "only while something runs"
                                                                   : "every admission"));
  const auto peak_blocks = ceil_div(e.max_model_len - 1 + e.lookahead, e.block_size);
  a.numbers.push_back({"usable_blocks", static_cast<double>(e.num_blocks), "blocks"});
  a.numbers.push_back({"usable_tokens", static_cast<double>(e.num_blocks * e.block_size), "tokens"});
  a.numbers.push_back({"longest_request_peak", static_cast<double>(peak_blocks), "blocks"});
  const bool fits = peak_blocks <= e.num_blocks;
  a.conditions.push_back(numeric_condition(
      "vllm.max_model_len_fits", "docs/vllm.md (null block, start-up check before PR #47272)",
      "ceil((max_model_len - 1 + lookahead) / block_size) <= usable blocks",
      ConditionRole::Necessary, static_cast<double>(peak_blocks), "<=",
      static_cast<double>(e.num_blocks), fits,
      fits ? "every accepted request fits the usable pool"
           : "some accepted requests can never be held"));
  if (!fits) add_window(a, m);
  return a;
}

}  // namespace kvcheck::theory
