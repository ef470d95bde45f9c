#include "importers/vllm_import.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "importers/bench_workload.h"
#include "importers/kv_pool.h"
#include "importers/model_dims.h"
#include "importers/serve_args.h"
#include "importers/toml_out.h"
#include "io/input_error.h"

namespace kvcheck::importers {
namespace {

const std::string kWhere = "command line";
constexpr std::int64_t kIntMax = 2147483647;  // 2^31 - 1, kvcheck's "unlimited"
constexpr double kLargeGpuGiB = 70.0;         // vllm/engine/arg_utils.py get_batch_defaults

std::string model_name(const ParsedArgs& a) {
  if (a.has("model")) return a.text("model", "");
  if (!a.positionals.empty()) return a.positionals.front();
  return "";
}

ModelDims resolve_model(const ParsedArgs& a, const ImportOptions& opt) {
  if (opt.hf_config) return model_from_hf_config(*opt.hf_config);
  const auto name = model_name(a);
  if (auto m = builtin_model(name)) return *m;
  std::string known;
  for (const auto& n : builtin_model_names()) known += (known.empty() ? "" : ", ") + n;
  throw config_error(kWhere, "--hf-config",
                     "model '" + name + "' is not in the built-in table (" + known +
                         "): give its config.json, or --num-gpu-blocks-override");
}

std::int64_t element_bytes(const std::string& flag, const std::string& value, const ModelDims& m) {
  const auto b = dtype_bytes(value == "auto" ? m.dtype : value);
  if (b == 0) throw config_error(kWhere, "--" + flag, "unknown dtype '" + value + "'");
  return b;
}

/// vLLM's num_gpu_blocks: the override, or the memory formula (kv_pool.h).
std::int64_t gpu_blocks(const ParsedArgs& a, const ImportOptions& opt, std::int64_t block_size,
                        std::vector<std::string>& lines) {
  if (a.has("num-gpu-blocks-override")) {
    const auto n = a.integer("num-gpu-blocks-override", 0, 2, kIntMax);
    lines.push_back(fmt::format("GPU blocks = --num-gpu-blocks-override {} (exact)", n));
    return n;
  }
  if (!opt.gpu_memory_gib && !a.has("kv-cache-memory-bytes"))
    throw config_error(kWhere, "--num-gpu-blocks-override",
                       "absent, and without --gpu-memory-gib G the pool cannot be computed: give "
                       "the \"# GPU blocks\" vLLM logs at start-up, or the GPU's memory");
  const auto m = resolve_model(a, opt);
  PoolInputs in{m,
                block_size,
                element_bytes("kv-cache-dtype", a.text("kv-cache-dtype", "auto"), m),
                element_bytes("dtype", a.text("dtype", "auto"), m),
                a.integer("tensor-parallel-size", 1, 1, 1024),
                opt.gpu_memory_gib.value_or(0),
                a.number("gpu-memory-utilization", 0.9, 1e-6, 1.0),
                opt.reserve_gib,
                opt.weights_gib,
                std::nullopt};
  if (a.has("kv-cache-memory-bytes"))
    in.kv_cache_bytes = a.integer("kv-cache-memory-bytes", 0, 1, std::int64_t{1} << 50);
  lines.push_back(fmt::format("model {} ({}): {} layers, {} KV heads, head_dim {}, {}", m.name,
                              m.source, m.layers, m.kv_heads, m.head_dim, m.dtype));
  auto pool = pool_from_memory(in, kWhere);
  lines.insert(lines.end(), pool.arithmetic.begin(), pool.arithmetic.end());
  return pool.num_blocks;
}

bool large_gpu(const ImportOptions& opt) {
  std::string name = opt.gpu_name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return opt.gpu_memory_gib && *opt.gpu_memory_gib >= kLargeGpuGiB &&
         name.find("a100") == std::string::npos;
}

struct Limit {
  std::int64_t value;
  TomlLine line;
};

/// `--max-num-seqs` / `--max-num-batched-tokens`, or vLLM's `vllm serve` default for the GPU.
Limit batch_limit(const ParsedArgs& a, const ImportOptions& opt, const char* flag, const char* key,
                  std::int64_t large, std::int64_t small) {
  if (a.has(flag)) {
    const auto v = a.integer(flag, 0, 1, kIntMax);
    return {v, {fmt::format("{} = {}", key, v), fmt::format("--{} {}", flag, v)}};
  }
  if (!opt.gpu_memory_gib)
    throw config_error(kWhere, std::string("--") + flag,
                       "absent, and vLLM's default depends on the GPU (arg_utils.py "
                       "get_batch_defaults): give it, or --gpu-memory-gib");
  const bool big = large_gpu(opt);
  const auto v = big ? large : small;
  return {v,
          {fmt::format("{} = {}", key, v),
           fmt::format("vllm serve default on a GPU with {} 70 GiB{} (arg_utils.py "
                       "get_batch_defaults, OPENAI_API_SERVER)",
                       big ? ">=" : "< (or an A100 with)", big ? ", not an A100" : "")}};
}

void refuse_unmodelled(const ParsedArgs& a) {
  if (a.text("preemption-mode", "recompute") != "recompute")
    throw config_error(kWhere, "--preemption-mode",
                       "V1 has no swap: it always recomputes (vllm/v1/core/sched/scheduler.py)");
  const auto policy = a.text("scheduling-policy", "fcfs");
  if (policy != "fcfs" && policy != "priority")
    throw config_error(kWhere, "--scheduling-policy",
                       "fcfs (vllm_fcfs) or priority (vllm_priority) only");
  if (a.integer("pipeline-parallel-size", 1, 1, 1024) != 1)
    throw config_error(kWhere, "--pipeline-parallel-size",
                       "not mapped: pipeline stages overlap iterations");
  if (a.integer("num-lookahead-slots", 0, 0, 1024) != 0)
    throw config_error(kWhere, "--num-lookahead-slots", "only 0 (no speculative decoding)");
  if (a.integer("max-num-partial-prefills", 1, 1, 1024) != 1)
    throw config_error(kWhere, "--max-num-partial-prefills", "only 1 is modelled");
}

/// `--speculative-config JSON`: V1 reserves `num_lookahead_tokens` KV slots per request, which
/// the scheduler sets to num_speculative_tokens for EAGLE and draft-model proposers and to 0
/// otherwise, ngram included (scheduler.py Scheduler.__init__; docs/vllm.md rule 16).
TomlLine lookahead_line(const ParsedArgs& a) {
  if (!a.has("speculative-config"))
    return {"lookahead = 0", "V1 allocates no lookahead slots without speculative decoding"};
  const auto text = a.text("speculative-config", "");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw config_error(kWhere, "--speculative-config", "not a JSON object: " + text);
  }
  if (!j.is_object() || !j.contains("method") || !j["method"].is_string())
    throw config_error(kWhere, "--speculative-config", "needs a \"method\" string");
  const auto method = j["method"].get<std::string>();
  if (method == "ngram")
    return {"lookahead = 0", "--speculative-config ngram: V1 reserves no lookahead slots"};
  if (method != "eagle" && method != "eagle3" && method != "draft_model")
    throw config_error(kWhere, "--speculative-config",
                       "method \"" + method + "\" not mapped (eagle, eagle3, draft_model, ngram)");
  if (!j.contains("num_speculative_tokens") || !j["num_speculative_tokens"].is_number_integer())
    throw config_error(kWhere, "--speculative-config", "needs num_speculative_tokens (an integer)");
  const auto k = j["num_speculative_tokens"].get<std::int64_t>();
  if (k < 0 || k > 64)
    throw config_error(kWhere, "--speculative-config", "num_speculative_tokens must be in [0, 64]");
  return {fmt::format("lookahead = {}", k),
          fmt::format("--speculative-config {}: num_lookahead_tokens = num_speculative_tokens; "
                      "draft acceptance is not modelled",
                      method)};
}

Section engine_section(const ParsedArgs& a, const ImportOptions& opt, std::int64_t block_size,
                       std::int64_t blocks, bool chunked) {
  const auto seqs = batch_limit(a, opt, "max-num-seqs", "max_num_seqs", 1024, 256);
  const auto tokens =
      batch_limit(a, opt, "max-num-batched-tokens", "max_batched_tokens", 8192, 2048);
  if (tokens.value < seqs.value)
    throw config_error(kWhere, "--max-num-batched-tokens",
                       "smaller than max_num_seqs: vLLM refuses it (vllm/config/scheduler.py)");
  Section e{"[engine]", {}, {}};
  e.lines.push_back({fmt::format("block_size = {}", block_size),
                     a.has("block-size") ? fmt::format("--block-size {}", block_size)
                                         : "vLLM's default block size 16 (vllm/config/cache.py)"});
  const bool full_isl = a.flag("scheduler-reserve-full-isl", true);
  e.lines.push_back(
      {fmt::format("profile = \"{}\"", full_isl ? "vllm-v1-full-isl" : "vllm-v1-first-chunk"),
       full_isl ? "scheduler_reserve_full_isl (on by default since PR #37307): admission needs "
                  "the whole current length (docs/vllm.md)"
                : "--no-scheduler-reserve-full-isl: admission on the first chunk (V1 before PR "
                  "#37307)"});
  e.lines.push_back({fmt::format("num_blocks = {}", blocks),
                     fmt::format("vLLM's \"# GPU blocks\"; the profile's null block "
                                 "(vllm/v1/core/block_pool.py) leaves {} usable",
                                 blocks - 1)});
  if (a.has("max-model-len"))
    e.lines.push_back({fmt::format("max_model_len = {}", a.integer("max-model-len", 0, 1, kIntMax)),
                       "--max-model-len: longer requests are rejected by the API"});
  if (a.has("long-prefill-token-threshold"))
    e.lines.push_back(
        {fmt::format("long_prefill_token_threshold = {}",
                     a.integer("long-prefill-token-threshold", 0, 0, kIntMax)),
         "--long-prefill-token-threshold: a prefill chunk is at most this many tokens"});
  e.lines.push_back(seqs.line);
  e.lines.push_back(tokens.line);
  e.lines.push_back({fmt::format("chunked_prefill = {}", chunked ? "true" : "false"),
                     a.has("enable-chunked-prefill")
                         ? (chunked ? "--enable-chunked-prefill" : "--no-enable-chunked-prefill")
                         : "V1 default: chunked prefill on"});
  e.lines.push_back(lookahead_line(a));
  e.lines.push_back({"requeue = \"front\"", "V1 puts a preempted request at the front of waiting"});
  return e;
}

bool priority_policy(const ParsedArgs& a) {
  return a.text("scheduling-policy", "fcfs") == "priority";
}

Section policy_section(const ParsedArgs& a, std::int64_t blocks) {
  Section p{"[policy]", {}, {}};
  if (priority_policy(a))
    p.lines.push_back({"name = \"vllm_priority\"",
                       "--scheduling-policy priority: vLLM V1 PRIORITY (priority = class, ties "
                       "by arrival), recompute preemption"});
  else
    p.lines.push_back({"name = \"vllm_fcfs\"", "vLLM V1 FCFS, recompute preemption"});
  if (!a.has("watermark")) {
    p.lines.push_back({"watermark_blocks = 0", "no --watermark: V1 keeps no watermark (default 0.0)"});
    return p;
  }
  const double w = a.number("watermark", 0, 0, 0.999999);
  const auto wb = static_cast<std::int64_t>(w * static_cast<double>(blocks));
  if (wb >= blocks - 1) throw config_error(kWhere, "--watermark", "leaves no usable block");
  p.lines.push_back({fmt::format("watermark_fraction = {}", w),
                     fmt::format("--watermark: int({} x {} GPU blocks) = {} blocks, kept free "
                                 "only while something runs (PR #44594; the profile's rule)",
                                 w, blocks, wb)});
  return p;
}

std::string ignored_list(const ParsedArgs& a, const BenchImport& b) {
  std::string out;
  for (const auto& name : a.order)
    if (find_spec(serve_arg_specs(), name)->ignored)
      out += (out.empty() ? "" : ", ") + ("--" + name);
  for (const auto& name : b.ignored) out += (out.empty() ? "" : ", ") + ("--bench " + name);
  return out.empty() ? "(none)" : out;
}

std::string header(const ImportOptions& opt, const ParsedArgs& a, const BenchImport& b,
                   const std::vector<std::string>& pool_lines, bool prefix_caching) {
  std::string h = "# Imported by `kvcheck import vllm` (docs/import-vllm.md) from:\n#   " +
                  opt.command_line + "\n#\n";
  h +=
      "# Mapping: vLLM's V1 engine (0.10-0.11 family): scheduler vllm/v1/core/sched/scheduler.py;\n"
      "# defaults vllm/config/scheduler.py, vllm/config/cache.py, vllm/engine/arg_utils.py;\n"
      "# KV pool vllm/v1/core/kv_cache_utils.py (get_num_blocks), "
      "vllm/v1/kv_cache_interface.py.\n#\n";
  h += "# KV pool:\n";
  for (const auto& l : pool_lines) h += "#   " + l + "\n";
  if (!a.has("num-gpu-blocks-override"))
    h += "#   vLLM measures the non-KV memory in a profiling run; the reserve above is an\n"
         "#   assumption. The exact pool is --num-gpu-blocks-override, or the \"# GPU blocks\"\n"
         "#   vLLM logs at start-up.\n";
  h += "#\n# Modelled by the [engine] profile (docs/vllm.md, rule by rule): the null block, the\n"
       "# V1 watermark (only while something runs), full-sequence or first-chunk admission,\n"
       "# recompute that keeps the output, max_model_len rejection instead of the papers' rule.\n"
       "#\n# What " + std::string(priority_policy(a) ? "vllm_priority" : "vllm_fcfs") +
       " does NOT model faithfully:\n";
  h += std::string("#   - prefix caching: ") +
       (prefix_caching ? "on in vLLM (V1 default)" : "off") +
       "; kvcheck never shares blocks, so a\n"
       "#     workload with shared prefixes (--random-prefix-len) needs fewer blocks in vLLM.\n"
       "#   - speculative decoding: only the lookahead slots it reserves (--speculative-config);\n"
       "#     draft acceptance is not modelled.\n"
       "#   - time: kvcheck steps one iteration at a time; vLLM's async output processing is not\n"
       "#     modelled, and per-second rates need an assumed --step-seconds.\n";
  if (priority_policy(a))
    h += "#   - request priorities: vLLM's per-request `priority` is the request's class index\n"
         "#     (lower first); the imported workload has one class, so every request has\n"
         "#     priority 0 and the order is by arrival. Add [[classes]] to model priorities.\n";
  h += "#\n";
  h += "# ignored (do not change scheduling): " + ignored_list(a, b) + "\n\n";
  return h;
}

Section check_section() {
  return Section{"[check]",
                 {"what simulate checks; add \"no_preemption\" to ask whether the "
                  "deployment ever preempts"},
                 {{"properties = [\"kv_no_overflow\", \"kv_within_capacity\", \"conservation\", "
                   "\"exact_delivery\", \"progress\", \"schedulable\"]",
                   ""}}};
}

Section bmc_section() {
  return Section{"[bmc]",
                 {"check / prove / buffer: a small SYMBOLIC envelope (up to 3 requests, the",
                  "workload's lengths, arrivals in steps 0..3), not the deployment's traffic;",
                  "`kvcheck buffer --param policy.watermark_blocks` searches the watermark that",
                  "proves no_preemption within it"},
                 {{"depth = 10", "steps unrolled by check"},
                  {"max_k = 4", "largest induction depth prove tries"},
                  {"properties = [\"no_preemption\", \"kv_no_overflow\", \"kv_within_capacity\", "
                   "\"conservation\"]",
                   ""}}};
}

void check_model_len(const ParsedArgs& a, const BenchImport& b) {
  if (!a.has("max-model-len")) return;
  const auto len = a.integer("max-model-len", 0, 1, kIntMax);
  if (b.max_prompt + b.max_output > len)
    throw config_error(
        kWhere, "--max-model-len",
        fmt::format("the workload's requests reach {} + {} tokens, over {}: vLLM would reject them",
                    b.max_prompt, b.max_output, len));
}

}  // namespace

std::string import_vllm(const ImportOptions& opt) {
  const auto a = parse_serve_args(opt.serve_args);
  if (a.positionals.size() > (a.has("model") ? 0u : 1u))
    throw config_error(kWhere, a.positionals.back(), "unexpected argument: one MODEL only");
  refuse_unmodelled(a);
  const auto block_size = a.integer("block-size", 16, 1, 1 << 20);
  const bool chunked = a.flag("enable-chunked-prefill", true);
  if (!chunked && !a.has("max-num-batched-tokens"))
    throw config_error(kWhere, "--max-num-batched-tokens",
                       "give it with --no-enable-chunked-prefill (vLLM then sizes it from "
                       "--max-model-len)");
  std::vector<std::string> pool_lines;
  const auto blocks = gpu_blocks(a, opt, block_size, pool_lines);
  const auto bench =
      opt.bench ? import_bench(split_words(*opt.bench, kWhere, "--bench"), {opt.step_seconds})
                : default_bench();
  check_model_len(a, bench);
  const auto engine = engine_section(a, opt, block_size, blocks, chunked);
  std::string out = header(opt, a, bench, pool_lines, a.flag("enable-prefix-caching", true));
  for (const auto& s : {engine, policy_section(a, blocks), bench.workload}) out += render(s) + "\n";
  if (bench.envelope) out += render(*bench.envelope) + "\n";
  if (bench.time) out += render(*bench.time) + "\n";
  out += render(check_section()) + "\n" + render(bmc_section());
  return out;
}

}  // namespace kvcheck::importers
