#include "importers/serve_args.h"

#include <array>

namespace kvcheck::importers {
namespace {

constexpr std::array<ArgSpec, 49> kServeArgs{{
    // mapped
    {"model", ArgKind::Value, false, "the model (also the first positional argument)"},
    {"block-size", ArgKind::Value, false, "engine.block_size"},
    {"num-gpu-blocks-override", ArgKind::Value, false, "engine.num_blocks"},
    {"gpu-memory-utilization", ArgKind::Value, false, "KV memory budget"},
    {"kv-cache-memory-bytes", ArgKind::Value, false, "KV memory budget"},
    {"max-num-seqs", ArgKind::Value, false, "engine.max_num_seqs"},
    {"max-num-batched-tokens", ArgKind::Value, false, "engine.max_batched_tokens"},
    {"enable-chunked-prefill", ArgKind::Switch, false, "engine.chunked_prefill"},
    {"max-model-len", ArgKind::Value, false, "engine.max_model_len (and the workload must fit)"},
    {"scheduler-reserve-full-isl", ArgKind::Switch, false, "engine.profile (full-isl or first-chunk)"},
    {"long-prefill-token-threshold", ArgKind::Value, false, "engine.long_prefill_token_threshold"},
    {"tensor-parallel-size", ArgKind::Value, false, "KV heads and weights per GPU"},
    {"pipeline-parallel-size", ArgKind::Value, false, "1 only"},
    {"dtype", ArgKind::Value, false, "weight (and auto KV) bytes"},
    {"kv-cache-dtype", ArgKind::Value, false, "KV bytes per element"},
    {"watermark", ArgKind::Value, false, "policy.watermark_fraction"},
    {"preemption-mode", ArgKind::Value, false, "recompute only (V1 has no swap)"},
    {"scheduling-policy", ArgKind::Value, false, "policy.name: fcfs or priority"},
    {"num-lookahead-slots", ArgKind::Value, false, "0 only"},
    {"speculative-config", ArgKind::Value, false, "engine.lookahead (eagle, draft_model: k)"},
    {"max-num-partial-prefills", ArgKind::Value, false, "1 only"},
    {"enable-prefix-caching", ArgKind::Switch, false, "not modelled: a caveat"},
    // accepted, ignored: they do not change what the scheduler decides
    {"host", ArgKind::Value, true, "network"},
    {"port", ArgKind::Value, true, "network"},
    {"api-key", ArgKind::Value, true, "network"},
    {"uvicorn-log-level", ArgKind::Value, true, "logging"},
    {"disable-log-requests", ArgKind::Switch, true, "logging"},
    {"disable-log-stats", ArgKind::Switch, true, "logging"},
    {"enable-log-requests", ArgKind::Switch, true, "logging"},
    {"max-log-len", ArgKind::Value, true, "logging"},
    {"served-model-name", ArgKind::Value, true, "naming"},
    {"tokenizer", ArgKind::Value, true, "token ids, not lengths"},
    {"revision", ArgKind::Value, true, "loading"},
    {"download-dir", ArgKind::Value, true, "loading"},
    {"load-format", ArgKind::Value, true, "loading"},
    {"trust-remote-code", ArgKind::Switch, true, "loading"},
    {"seed", ArgKind::Value, true, "sampling"},
    {"generation-config", ArgKind::Value, true, "sampling defaults"},
    {"chat-template", ArgKind::Value, true, "prompt text"},
    {"enable-auto-tool-choice", ArgKind::Switch, true, "API"},
    {"tool-call-parser", ArgKind::Value, true, "API"},
    {"enforce-eager", ArgKind::Switch, true, "kernels (CUDA graphs), not scheduling"},
    {"compilation-config", ArgKind::Value, true, "kernels"},
    {"disable-custom-all-reduce", ArgKind::Switch, true, "kernels"},
    {"distributed-executor-backend", ArgKind::Value, true, "processes"},
    {"swap-space", ArgKind::Value, true, "V0 swap space; V1 never swaps"},
    {"disable-frontend-multiprocessing", ArgKind::Switch, true, "processes"},
    {"max-seq-len-to-capture", ArgKind::Value, true, "CUDA graphs"},
    {"cuda-graph-sizes", ArgKind::Value, true, "CUDA graphs"},
}};

}  // namespace

std::span<const ArgSpec> serve_arg_specs() { return kServeArgs; }

ParsedArgs parse_serve_args(std::vector<std::string> args) {
  if (!args.empty() && args.front() == "vllm") args.erase(args.begin());
  if (!args.empty() && args.front() == "serve") args.erase(args.begin());
  return parse_args(args, kServeArgs, "command line",
                    "not a `vllm serve` argument the importer can map (docs/import-vllm.md "
                    "lists the mapped and the ignored ones)");
}

}  // namespace kvcheck::importers
