#include "io/config_schema.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "io/input_error.h"
#include "io/limits.h"
#include "models/engine_profiles.h"
#include "models/params.h"
#include "models/time_model.h"
#include "properties/property.h"
#include "properties/findings.h"

namespace kvcheck::schema {
namespace {

constexpr std::int64_t kInf = kUnlimited;  // 2^31 - 1, "unlimited" in the docs
constexpr std::int64_t kMaxStep = limits::kMaxStep;
constexpr std::int64_t kMaxTok = limits::kMaxTokens;
constexpr std::int64_t kMaxReq = limits::kMaxRequests;

std::vector<std::string> policy_names() {
  std::vector<std::string> out;
  for (auto k : all_policy_kinds()) out.emplace_back(to_string(k));
  return out;
}

std::vector<std::string> time_model_names() {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    const auto n = to_string(static_cast<TimeModelKind>(i));
    if (n == "unknown") break;
    out.emplace_back(n);
  }
  return out;
}

std::vector<std::string> property_names() {
  std::vector<std::string> out;
  for (const auto& p : kProperties) out.emplace_back(p.name);
  return out;
}

/// [meta] expect_property: a [check] property, or a finding of the simulator ("stalled"), the
/// fuzzer ("starvation") or the explorer ("instability").
std::vector<std::string> profile_names() {
  std::vector<std::string> out;
  for (const auto& p : kEngineProfiles) out.emplace_back(p.name);
  return out;
}

std::vector<std::string> expect_property_names() {
  auto out = property_names();
  for (const auto& f : kFindings) out.emplace_back(f.name);
  return out;
}

Key integer(std::string name, std::int64_t lo, std::int64_t hi, std::string def, std::string unit,
            std::string doc) {
  Key k;
  k.name = std::move(name);
  k.type = Type::Int;
  k.ilo = lo;
  k.ihi = hi;
  k.def = std::move(def);
  k.unit = std::move(unit);
  k.doc = std::move(doc);
  return k;
}

Key number(std::string name, double lo, double hi, bool zero_or, std::string def,
           std::string unit, std::string doc) {
  Key k;
  k.name = std::move(name);
  k.type = Type::Number;
  k.lo = lo;
  k.hi = hi;
  k.zero_or = zero_or;
  k.def = std::move(def);
  k.unit = std::move(unit);
  k.doc = std::move(doc);
  return k;
}

Key seconds(std::string name, std::string def, std::string unit, std::string doc) {
  return number(std::move(name), limits::kMinSeconds, limits::kMaxSeconds, true, std::move(def),
                std::move(unit), std::move(doc));
}

Key boolean(std::string name, std::string def, std::string doc) {
  Key k;
  k.name = std::move(name);
  k.type = Type::Bool;
  k.def = std::move(def);
  k.doc = std::move(doc);
  return k;
}

Key string(std::string name, std::vector<std::string> values, std::string def, std::string doc) {
  Key k;
  k.name = std::move(name);
  k.type = Type::String;
  k.values = std::move(values);
  k.def = std::move(def);
  k.doc = std::move(doc);
  return k;
}

Key strings(std::string name, std::vector<std::string> values, std::string def, std::string doc) {
  Key k = string(std::move(name), std::move(values), std::move(def), std::move(doc));
  k.type = Type::StringArray;
  return k;
}

Key int_range(std::string name, std::int64_t min, std::string def, std::string unit,
              std::string doc, std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  Key k = integer(std::move(name), min, max, std::move(def), std::move(unit), std::move(doc));
  k.type = Type::IntRange;
  return k;
}

Key int_array(std::string name, std::int64_t lo, std::int64_t hi, std::string unit,
              std::string doc) {
  Key k = integer(std::move(name), lo, hi, "—", std::move(unit), std::move(doc));
  k.type = Type::IntArray;
  return k;
}

Key nested(std::string name, Type type, std::string sub, std::string doc) {
  Key k;
  k.name = std::move(name);
  k.type = type;
  k.sub = std::move(sub);
  k.def = "—";
  k.doc = std::move(doc);
  return k;
}

Key with(Key k, std::string note, std::string applies = "") {
  k.note = std::move(note);
  k.applies = std::move(applies);
  return k;
}

/// `k` with its docs range written out (a half-open range, say).
Key ranged(Key k, std::string text) {
  k.range_text = std::move(text);
  return k;
}

Key used_by(Key k, std::string applies) {
  k.applies = std::move(applies);
  return k;
}

std::vector<Section> build() {
  const std::string gen = "deterministic, poisson, class_mix";
  std::vector<Section> s;
  s.push_back({"meta", true, false, "", {
      string("name", {}, "file stem", "the config's name in reports and traces"),
      string("description", {}, "`\"\"`", "free text"),
      string("expect", {"ok", "violated"}, "`\"\"` (not gated)",
             "the verdict the gate and `tests/cli` require"),
      string("expect_property", expect_property_names(), "`\"\"`",
             "with `expect = \"violated\"`: the property that must fail first (`stalled`: the "
             "simulator's no-progress stop; `livelock`: its proof of a thrash, a recurring "
             "state; `starvation`, `instability`: the fuzzer's and the explorer's lasso "
             "findings)"),
  }});
  s.push_back({"engine", true, false, "", {
      integer("block_size", 1, 1 << 20, "1", "tokens", "tokens per KV block"),
      integer("num_blocks", 1, std::int64_t{1} << 31, "—", "blocks",
              "KV pool size in blocks; give exactly one of `num_blocks` / `kv_capacity_tokens`"),
      with(integer("kv_capacity_tokens", 1, std::int64_t{1} << 40, "—", "tokens",
                   "pool size in tokens (`num_blocks = kv_capacity_tokens / block_size`)"),
           "a multiple of `block_size`, at most 2^31 blocks"),
      integer("lookahead", 0, 64, "0", "tokens",
              "extra KV slots a scheduled request reserves: 0 = vLLM, 1 = Dong & Cao's l + g + 1"),
      integer("max_num_seqs", 1, kInf, "unlimited", "requests", "cap on running requests"),
      integer("max_batched_tokens", 1, kInf, "unlimited", "tokens",
              "token budget per iteration (P4's b_max)"),
      boolean("chunked_prefill", "false",
              "split prompts across iterations; without it a prompt longer than "
              "`max_batched_tokens` is rejected at arrival"),
      string("requeue", {"front", "back"}, "`\"front\"`",
             "where preempted / evicted requests re-enter the queue"),
      string("profile", profile_names(), "`\"papers\"`",
             "the engine modelled (`models/engine_profiles.h`, docs/vllm.md): its values are the "
             "defaults of the keys below; a vLLM profile also makes `num_blocks` vLLM's "
             "\"# GPU blocks\", one of which is the never-allocated null block"),
      integer("max_model_len", 1, kInf, "unlimited", "tokens",
              "vLLM: a request with prompt + output above it is rejected at arrival; must fit "
              "the pool's KV (vLLM's start-up check)"),
      integer("long_prefill_token_threshold", 0, kInf, "0", "tokens",
              "vLLM: a prefill chunk is at most this many tokens (0 = no cap)"),
      boolean("reject_unservable", "true",
              "(vLLM profiles: false) reject at arrival a request whose peak KV exceeds the pool; vLLM does not, so it "
              "waits or thrashes"),
      boolean("recompute_keeps_output", "false",
              "(vLLM profiles: true) a preempted request keeps its sampled output and recomputes prompt + output so "
              "far (vLLM); false: it restarts from scratch (the papers)"),
      with(integer("cpu_blocks", 0, std::int64_t{1} << 31, "0", "blocks",
                   "vLLM V0's CPU swap pool (`num_cpu_blocks` = `swap_space` GiB x 2^30 / the KV "
                   "block's bytes, i.e. 2 x layers x block_size x KV heads x head size x dtype "
                   "bytes); read with `[policy] preemption_mode = \"swap\"`"),
           ">= 1 with `preemption_mode = \"swap\"`"),
  }});
  s.push_back({"policy", true, false, "used by", {
      used_by(string("name", policy_names(), "— (required)", "the scheduler policy"), "all"),
      with(integer("watermark_blocks", 0, kInf, "0", "blocks", "blocks kept free when admitting"),
           "< the pool (`num_blocks`)", "`vllm_fcfs`, `vllm_priority`, `vllm_v0`"),
      with(number("watermark_fraction", 0.0, 0.999999, false, "—", "fraction",
                  "vLLM's `--watermark w`: watermark_blocks = int(w x num_blocks), the null "
                  "block counted"),
           "not with `watermark_blocks`", "`vllm_fcfs`, `vllm_priority`, `vllm_v0`"),
      used_by(boolean("watermark_only_when_busy", "false",
                      "(vLLM profiles: true) the watermark applies only while something is running (vLLM V1, PR "
                      "#44594); false: every admission keeps it"),
              "`vllm_fcfs`, `vllm_priority`"),
      used_by(boolean("full_sequence_admission", "false",
                      "(`vllm-v1-full-isl`: true) admit only when blocks for the whole current length fit (vLLM's "
                      "`scheduler_reserve_full_isl`); false: the first chunk"),
              "`vllm_fcfs`, `vllm_priority`"),
      used_by(boolean("wait_force_when_idle", "false",
                      "when no type is eligible, every type with a waiting prompt or a paused "
                      "resident runs anyway, at most n_j per stage (the released code's forced "
                      "batches, with no idle iteration); false: strict Algorithm 1"),
              "`p2_wait`"),
      used_by(boolean("admit_after_preempt", "false", "admit in an iteration that preempted"),
              "`vllm_fcfs`, `vllm_priority`"),
      used_by(string("preemption_mode", {"recompute", "swap"}, "`\"recompute\"`",
                     "vLLM V0's `preemption_mode`: `swap` moves a victim's KV blocks to the CPU "
                     "pool (`[engine] cpu_blocks`) and swaps it back in before any new prefill; "
                     "runs on every backend (check and prove unroll the swapped queue and the CPU "
                     "pool; prove's every-N argument does not cover it)"),
              "`vllm_v0`"),
      used_by(integer("flow_budget_min", 0, kInf, "0", "requests",
                      "Algorithm 2's global budget B_t ~ U{min..max}"),
              "`p1_flow_control`"),
      with(integer("flow_budget_max", 0, kInf, "`flow_budget_min`", "requests",
                   "upper end of B_t's range"),
           ">= `flow_budget_min`; >= 1 for `p1_flow_control` (0 admits nothing)", "`p1_flow_control`"),
      used_by(integer("max_batch_seqs", 1, kInf, "unlimited", "requests",
                      "k_max, requests per batch"),
              "P4 policies"),
  }});
  s.push_back({"classes", true, true, "", {
      string("name", {}, "`class<i>`", "the class's name in reports and `buffer --param`"),
      integer("prompt", 1, kMaxTok, "— (required)", "tokens", "prompt length l"),
      integer("output", 1, kMaxTok, "— (required)", "tokens", "output length o"),
      number("rate", limits::kMinRate, limits::kMaxRate, true, "0.0", "requests/step (/s)",
             "arrivals per step, per second when the workload's arrivals are timed "
             "(`clock = \"seconds\"`, trace, random, dataset) (`class_mix`, `kvcheck analyze`)"),
      integer("budget", 0, kInf, "0", "requests",
              "`p1_class_budgets`: Algorithm 1's activation budget b_k"),
      integer("threshold", 0, kInf, "0", "requests",
              "`p2_wait`: WAIT threshold n_j (0 = never served); `p2_nested_wait`: segment "
              "threshold n_k (>= 1, decreasing with the output length)"),
      number("abandon_rate", limits::kMinRate, limits::kMaxRate, true, "0.0", "1/s",
             "`[cluster]` (P3): theta_i, the rate at which each waiting request abandons "
             "(prefill queue or decode buffer; exponential patience)"),
  }});
  s.push_back({"cluster", true, false, "", {
      integer("gpus", 1, 1'000'000, "— (required)", "GPUs",
              "P3's n identical GPUs (`kvcheck cluster --n` overrides)"),
      integer("batch", 2, 1 << 20, "— (required)", "streams",
              "B: decode streams per GPU (B - 1 beside the prefill on a mixed GPU)"),
      integer("chunk", 1, kMaxTok, "— (required)", "tokens", "C: prompt tokens per mixed iteration"),
      seconds("alpha", "— (required)", "s", "tau = alpha + beta C, the mixed iteration (Eq. 3)"),
      seconds("beta", "— (required)", "s/token", "seconds per chunk token (Eq. 3)"),
      number("gamma", limits::kMinRate, limits::kMaxRate, false, "— (required)", "tokens/s",
             "solo decode speed per stream, 1 / tau_solo (Eq. 2)"),
      number("c_p", 0.0, 1e6, false, "0.0", "revenue/token", "price per prompt token"),
      number("c_d", 0.0, 1e6, false, "0.0", "revenue/token", "price per output token"),
      string("charging", {"bundled", "separate"}, "`\"bundled\"`",
             "`bundled`: w_i = c_p P_i + c_d D_i on completion, LP (40); `separate`: c_p P_i at "
             "the prefill's end and c_d D_i at the decode's, LP (42)"),
      string("policy", {"gate_and_route", "prioritize_and_route", "sli_gate_and_route", "gg_sp",
                        "fi_wsp", "gi_wsp", "gf_wsp", "fg_sp"},
             "`\"gate_and_route\"`",
             "P3's policy (docs/p3.md): `gate_and_route` (= `gg_sp`, section 4.1's xi-index gate) "
             "and `prioritize_and_route` (section 4.2, largest D_i / P_i first) route decodes "
             "solo first, then mixed, then to one buffer, over M = ceil(n sum x*) mixed GPUs; "
             "`sli_gate_and_route` is section 5.1's SLI-aware router (a class-i decode to the "
             "solo group with probability p_{s,i}, a buffer per group); section 6.3's baselines: "
             "`fi_wsp` (FCFS, coupled, no static planning), `gi_wsp` (gate, coupled), `gf_wsp` "
             "(gate, decoupled prefill-first), `fg_sp` (FCFS, greedy router, static planning)"),
      string("service", {"exponential", "deterministic"}, "`\"exponential\"`",
             "service times: exponential with Eq. 4's rates (the paper's model), or exactly "
             "their means"),
      with(number("horizon", limits::kMinSeconds, limits::kMaxSeconds, false, "1000.0", "s",
                  "simulated seconds"), "> `warmup`"),
      with(seconds("warmup", "0.0", "s",
                   "seconds simulated before the time averages start (from an empty cluster)"),
           "< `horizon`"),
      integer("seed", 0, std::int64_t{1} << 62, "1", "", "`kvcheck cluster`'s seed (`--seed` overrides)"),
  }});
  s.push_back({"time", true, false, "", {
      string("model", time_model_names(), "`\"unit\"`",
             "iteration-time model (`models/time_model.h`)"),
      seconds("unit", "1.0", "s", "`unit`: seconds per iteration"),
      with(seconds("d0", "0.0", "s", "`p2_linear`: d0 + d1 * KV tokens (Ao et al. Eq. 1)"),
           "d0 + d1 > 0 for `p2_linear`"),
      seconds("d1", "0.0", "s/token", "`p2_linear`: seconds per KV token"),
      seconds("c", "0.0", "s", "`p4_step`: c + a * ceil(b / b0)"),
      seconds("a", "0.0", "s", "`p4_step`: seconds per b0 batched tokens"),
      integer("b0", 1, kInf, "1", "tokens", "`p4_step`: tokens per time quantum"),
      with(seconds("la", "0.0", "s", "`linear`: la + lb*P + lc*D + ld*KV; `roofline`: "
                   "max(la + ld*KV, lb*(P + D)), la = reading the weights"),
           "la + lb > 0 for `roofline`"),
      seconds("lb", "0.0", "s/token", "`linear`: per prefill token P; `roofline`: compute per "
              "processed token (prefill or decode)"),
      seconds("lc", "0.0", "s/token", "`linear`: per decode token D"),
      seconds("ld", "0.0", "s/token", "`linear`, `roofline`: per KV token read"),
  }});
  s.push_back({"workload", true, false, "kinds", {
      string("kind", {"explicit", "deterministic", "poisson", "class_mix", "trace", "random",
                      "dataset"},
             "— (required)", "how requests are made"),
      with(nested("requests", Type::TableArray, "workload.requests",
                  "the requests, `{arrival, prompt, output, class}` each (table below)"),
           "non-empty; arrivals non-decreasing", "explicit"),
      with(integer("count", 0, kMaxReq, "0", "requests", "requests to generate"),
           "> 0 for generators; `count + backlog` <= 10^7", gen),
      used_by(string("clock", {"steps", "seconds"}, "`\"steps\"`",
                     "`steps`: rates per step, arrivals at steps; `seconds`: rates (the "
                     "classes' too) per second, arrivals at times under the `[time]` model"),
              gen),
      with(number("rate", limits::kMinRate, limits::kMaxRate, true, "1.0",
                  "requests/step (/s)", "poisson: mean arrivals per step (per second with "
                  "`clock = \"seconds\"`: exponential gaps)"),
           "> 0 for poisson", gen),
      with(integer("interval", 1, kMaxStep, "1", "steps", "`burst` requests every `interval` steps"),
           "the last arrival `((count - 1) / burst) * interval` <= 2^40; steps clock only", gen),
      with(number("period", limits::kMinSeconds, limits::kMaxSeconds, false, "— (required)",
                  "s", "`burst` requests every `period` seconds, the first at time 0"),
           "> 0; `clock = \"seconds\"` only", "deterministic"),
      used_by(integer("burst", 1, kMaxReq, "1", "requests", "requests per arrival instant"), gen),
      with(integer("backlog", 0, kMaxReq, "0", "requests", "extra requests waiting at step 0"),
           "`count + backlog` <= 10^7", gen),
      used_by(integer("prompt", 1, kMaxTok, "1", "tokens", "prompt length of generated requests"),
              gen),
      used_by(integer("output", 1, kMaxTok, "1", "tokens", "output length of generated requests"),
              gen),
      used_by(integer("seed", 0, std::int64_t{1} << 62, "1", "",
                      "generator seed (splitmix64; platform-independent)"),
              "all"),
      used_by(string("path", {}, "— (required)",
                     "trace: Azure-format CSV (`TIMESTAMP,ContextTokens,GeneratedTokens`); "
                     "dataset: CSV of `prompt,output` lengths (header optional); relative to "
                     "the config's directory"),
              "trace, dataset"),
      used_by(seconds("time_scale", "1.0", "",
                      "arrival times (seconds since the first row) are multiplied by this"),
              "trace"),
      used_by(integer("limit", 0, kInf, "0", "rows", "use the first `limit` rows (0 = all)"),
              "trace"),
      with(nested("in_flight", Type::TableArray, "workload.in_flight",
                  "requests already admitted and prefilled at time 0, `{prompt, output, "
                  "decoded, class, count}` each (table below); they run from step 0"),
           "their blocks <= `engine.num_blocks`, their number <= `engine.max_num_seqs`", "all"),
      used_by(integer("max_concurrency", 1, kMaxReq, "open loop", "requests",
                      "closed loop (`vllm bench serve --max-concurrency`): a due request "
                      "enters, in order, only while fewer are in flight; its latency starts then"),
              "all"),
      used_by(integer("input_len", 1, kMaxTok, "1024", "tokens", "`--random-input-len` L"),
              "random"),
      used_by(integer("output_len", 1, kMaxTok, "128", "tokens", "`--random-output-len` O"),
              "random"),
      used_by(ranged(number("range_ratio", 0.0, 1.0, false, "0.0", "",
                            "`--random-range-ratio` r: lengths uniform in [floor(L(1-r)), "
                            "ceil(L(1+r))]"),
                     "[0, 1)"),
              "random"),
      with(integer("prefix_len", 0, kMaxTok, "0", "tokens",
                   "`--random-prefix-len`: added to every prompt"),
           "`prefix_len + ceil(input_len (1 + range_ratio))` <= 2^30", "random"),
      with(integer("num_prompts", 0, kMaxReq, "1000 (random), 0 = all rows (dataset)",
                   "requests", "`--num-prompts`"),
           "> 0 for random", "random, dataset"),
      with(number("request_rate", limits::kMinRate, limits::kMaxRate, false, "`\"inf\"`",
                  "requests/s", "`--request-rate`; `\"inf\"`: every request at time 0"),
           "or `\"inf\"`", "random, dataset"),
      used_by(number("burstiness", limits::kMinRate, limits::kMaxRate, false, "1.0", "",
                     "`--burstiness` k: gamma gaps of shape k, mean 1/rate (1 = Poisson)"),
              "random, dataset"),
  }});
  {
    Key cls = integer("class", 0, kInf, "0", "", "index into `[[classes]]`");
    cls.range_text = "[0, #classes - 1]";
    s.push_back({"workload.requests", false, true, "", {
        integer("arrival", 0, kMaxStep, "0", "step", "arrival step"),
        integer("prompt", 1, kMaxTok, "— (required)", "tokens", "prompt length"),
        integer("output", 1, kMaxTok, "— (required)", "tokens", "output length"),
        cls,
    }});
  }
  {
    Key cls = integer("class", 0, kInf, "0", "", "index into `[[classes]]`");
    cls.range_text = "[0, #classes - 1]";
    s.push_back({"workload.in_flight", false, true, "", {
        with(integer("prompt", 1, kMaxTok, "— (required)", "tokens",
                     "prompt length (already prefilled)"),
             "all in-flight blocks, each `ceil((prompt + decoded + lookahead) / block_size)`, "
             "<= `engine.num_blocks`", ""),
        with(integer("output", 2, kMaxTok, "— (required)", "tokens", "output length"),
             "a request the engine would not reject at arrival", ""),
        with(integer("decoded", 0, kMaxTok, "— (required)", "iterations",
                     "decode iterations done since the prefill: computed = prompt + decoded, "
                     "generated = decoded + 1 (the prefill sampled token 1)"),
             "`decoded + 1 < output`", ""),
        cls,
        with(integer("count", 1, kMaxReq, "1", "requests", "this many identical requests"),
             "all in-flight requests <= `engine.max_num_seqs` (and `max_concurrency`)", ""),
    }});
  }
  s.push_back({"check", true, false, "", {
      strings("properties", property_names(),
              "`kv_no_overflow`, `kv_within_capacity`, `conservation`, `exact_delivery`",
              "checked after every iteration; not empty"),
      integer("max_steps", 1, kMaxStep, "10,000,000", "steps",
              "`simulate`: hard stop (the verdict is then `BOUNDED_OK(max_steps)`)"),
      integer("max_idle_steps", 1, kMaxStep, "10,000", "steps",
              "`simulate`: this many iterations in a row without progress = stalled (exit 13)"),
  }});
  s.push_back({"envelope", true, false, "", {
      with(int_range("prompt", 1, "the workload's lengths", "tokens",
                     "prompt length range (configs without `[[classes]]`)"),
           "<= 2^30; not with `[[classes]]` (their lengths are exact)"),
      with(int_range("output", 1, "the workload's lengths", "tokens",
                     "output length range (configs without `[[classes]]`)"),
           "<= 2^30; not with `[[classes]]`"),
      integer("max_requests", 0, kMaxReq, "the workload's count", "requests",
              "requests per workload; 0 = unbounded (a stream)"),
      integer("max_arrivals_per_step", 0, kMaxReq, "0", "requests",
              "arrivals in one step, at most; 0 = unbounded"),
      integer("last_arrival", 0, kMaxStep, "unbounded", "steps", "the last arrival step"),
  }});
  s.push_back({"bmc", true, false, "", {
      integer("slots", 1, 16, "min(3, envelope)", "requests",
              "N symbolic request slots; at most the envelope's `max_requests`"),
      int_range("prompt", 1, "the envelope's", "tokens",
                "prompt length range, inside the envelope's (configs without `[[classes]]`)"),
      int_range("output", 1, "the envelope's", "tokens",
                "output length range, inside the envelope's (configs without `[[classes]]`)"),
      int_range("arrival", 0, "[0, min(3, envelope)]", "steps",
                "arrival step range; hi at most the envelope's `last_arrival`"),
      boolean("allow_absent", "true", "a slot may stay empty (workloads of fewer than N requests)"),
      integer("max_arrivals_per_step", 0, 16, "the envelope's", "requests",
              "0 = unlimited (only when the envelope's is)"),
      integer("depth", 1, 1000, "10", "steps", "`check`: default depth"),
      integer("max_k", 1, 1000, "8", "steps", "`prove`: largest induction depth tried"),
      integer("timeout_ms", 0, (std::int64_t{1} << 31) - 1, "0", "ms",
              "per solver query; 0 = none"),
      integer("rlimit", 0, (std::int64_t{1} << 32) - 1, "0", "resource units",
              "Z3 resource units per query (deterministic); 0 = none"),
      strings("properties", property_names(), "`[check] properties`",
              "the properties `check` / `prove` check; not empty"),
      strings("invariants", {}, "none",
              "`prove`: strengthening invariants, SMT-LIB2 over the state names of "
              "docs/z3-backend.md"),
  }});
  s.push_back({"prove", true, false, "", {
      int_range("num_blocks", 1, "`[engine]`'s", "blocks",
                "`prove`: the every-N allocation proof covers every pool size in this range"),
      int_range("watermark_blocks", 0, "`[policy]`'s", "blocks",
                "`prove`: every watermark in this range"),
      int_range("max_num_seqs", 1, "`[engine]`'s", "requests",
                "`prove`: every running-request cap in this range"),
      int_range("max_batched_tokens", 1, "`[engine]`'s", "tokens",
                "`prove`: every token budget per iteration in this range"),
      int_range("block_size", 1, "`[engine]`'s", "tokens",
                "`prove`: every KV block size in this range (the reservation divides by it)",
                1 << 20),
      int_range("lookahead", 0, "`[engine]`'s", "tokens",
                "`prove`: every lookahead (extra reserved slots) in this range", 64),
      int_range("class_budget", 0, "the classes' `budget`", "requests per step",
                "`prove`, `p1_class_budgets` only: every class budget b_k in this range, each "
                "class independently (the population encoding; hi is its positions per group)",
                64),
  }});
  s.push_back({"gpu", true, false, "", {}});
  s.push_back({"fuzz", true, false, "", {
      strings("shapes",
              {"poisson", "on_off", "markov", "quiet_burst", "sync_finish", "azure", "class_mix"},
              "every applicable shape", "workload generators to draw from (docs/fuzz.md); not empty"),
      integer("max_requests", 1, 100'000, "from the pool and envelope", "requests",
              "cap per case (default clamp(2 * pool / smallest class footprint, 16, 1000), at "
              "most the envelope's `max_requests`)"),
      integer("runs", 1, 100'000'000, "100", "cases", "cases when `--runs` is not given"),
      integer("max_groups", 1, 1000, "8", "", "arrival groups (instants) per case"),
      integer("max_prompt", 1, std::int64_t{1} << 30, "the envelope's", "tokens",
              "largest generated prompt (inside the envelope's range)"),
      integer("max_output", 1, std::int64_t{1} << 30, "the envelope's", "tokens",
              "largest generated output (inside the envelope's range)"),
      number("rate", limits::kMinRate, limits::kMaxRate, true, "0 (the workload's)",
             "requests/step", "mean arrivals per step; 0 = from `[workload]`"),
      integer("max_steps", 1, kMaxStep, "20000", "steps", "simulation bound per case"),
      integer("starvation_bound", 0, kMaxStep, "0", "steps",
              "T: a request waiting longer while it could be admitted is starved; 0 = off"),
      number("occupancy_threshold", 0.0, 1.0, false, "0.9", "fraction of the pool",
             "\"high occupancy\" for coverage"),
      string("azure_trace", {}, "`\"\"`", "Azure CSV for the `azure` shape's lengths"),
      nested("coverage", Type::Table, "fuzz.coverage", "coverage minimums (`[fuzz.coverage]`)"),
      nested("stability", Type::Table, "fuzz.stability",
             "the stability experiment (`[fuzz.stability]`)"),
  }});
  s.push_back({"network", true, false, "", {
      integer("servers", 1, 64, "2", "servers",
              "servers in the network, each an engine of `[engine]` running `[policy]`"),
      integer("steps", 1, 10'000'000, "— (required)", "steps",
              "steps simulated; every server runs one iteration per step"),
      integer("seed", 0, std::int64_t{1} << 62, "1", "", "arrival seed (splitmix64)"),
      with(nested("types", Type::TableArray, "network.types",
                  "request types and their routes (`[[network.types]]`, table below)"),
           "non-empty"),
  }});
  s.push_back({"network.types", false, true, "", {
      string("name", {}, "`network.types[i]`", "the type's name"),
      number("rate", limits::kMinRate, limits::kMaxRate, true, "— (required)", "requests/step",
             "Poisson arrivals per step at the route's first server"),
      with(int_array("route", 0, 63, "servers", "the servers its tasks run on, in order"),
           "each < `servers`"),
      with(int_array("prompts", 1, kMaxTok, "tokens", "each task's prompt"),
           "one per `route` entry"),
      with(int_array("outputs", 1, kMaxTok, "tokens", "each task's output"),
           "one per `route` entry"),
      with(int_array("priorities", 0, 63, "level", "each task's class at its server, 0 = first "
                     "(`sarathi_priority`)"),
           "one per `route` entry; a `[[classes]]` entry per level"),
  }});
  s.push_back({"fuzz.coverage", false, false, "", {
      number("min_high_occupancy", 0.0, 1.0, false, "0.0", "share of cases",
             "cases whose peak KV use reaches `occupancy_threshold`"),
      number("min_preemption", 0.0, 1.0, false, "0.0", "share of cases",
             "cases with at least one preemption or eviction"),
      number("min_near_boundary", 0.0, 1.0, false, "0.0", "share of cases",
             "cases whose offered load is within [0.7, 1.3] of the theory's capacity"),
  }});
  s.push_back({"fuzz.stability", false, false, "", {
      boolean("enabled", "true", "run it (generated workloads only, not explicit / trace)"),
      with(integer("horizon", 100, 10'000'000, "2000", "steps", "steps simulated"),
           "2 x backlog + rate x horizon <= 10^7 requests"),
      number("epsilon", 0.0, 1e9, false, "0.05 x arrival rate", "requests/step",
             "slope tolerance of the queue-length drift"),
  }});
  s.push_back({"explore", true, false, "", {
      string("mode", {"bounded", "saturated"}, "`\"bounded\"`",
             "bounded arrivals, or a saturated queue (docs/explorer.md)"),
      with(integer("min_arrivals_per_step", 0, 64, "0", "requests", "arrivals per step, at least"),
           "<= `max_arrivals_per_step`"),
      integer("max_arrivals_per_step", 0, 64, "1", "requests",
              "arrivals per step, at most (at most the envelope's)"),
      integer("max_requests", 0, 64, "min(3, envelope) (bounded), 0 (saturated)", "requests",
              "total arrivals; 0 = no bound (then `max_waiting` is needed; only when the "
              "envelope's count is unbounded)"),
      integer("max_waiting", 0, 64, "0", "requests",
              "no arrivals that would make the queue longer; 0 = no bound"),
      integer("queue_window", 0, 4096, "`num_blocks + 1`", "requests",
              "saturated: visible queue (the default obeys the same maximum)"),
      integer("max_states", 1, 10'000'000, "200000", "states",
              "state limit: beyond it the verdict is UNKNOWN"),
      string("storage", {"exact", "hash_compaction"}, "`\"exact\"`",
             "visited states kept whole, or as 64-bit fingerprints (hash compaction: less "
             "memory, may miss states, so never PROVED; docs/explorer.md)"),
      with(int_array("prompts", 1, kMaxTok, "tokens",
                     "arrival shapes = prompts x outputs (class 0), inside the envelope; "
                     "default: every shape of the envelope"),
           "with `outputs`"),
      with(int_array("outputs", 1, kMaxTok, "tokens", "see `prompts`"), "with `prompts`"),
      strings("properties", property_names(), "`[check] properties`",
              "properties checked per transition (not empty when the safety analysis runs)"),
      strings("analyses", {"safety", "starvation", "instability"}, "all three",
              "which analyses run"),
  }});
  return s;
}

[[noreturn]] void unknown(const std::string& file, const std::string& field, const char* what) {
  throw config_error(file, field, what);
}

void check_table(const toml::table& t, const Section& s, const std::string& file,
                 const std::string& prefix);

/// `node` (the value of key `k`, named `field`) against a nested section.
void check_nested(const toml::node& node, const Key& k, const std::string& file,
                  const std::string& field) {
  const Section* sub = find_section(k.sub);
  if (!sub) throw std::logic_error("schema: no section " + k.sub);
  if (k.type == Type::Table) {
    const auto* t = node.as_table();
    if (!t) throw config_error(file, field, "expected a table");
    check_table(*t, *sub, file, field);
    return;
  }
  const auto* a = node.as_array();
  if (!a) throw config_error(file, field, "expected an array of tables");
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto elem = field + "[" + std::to_string(i) + "]";
    const auto* t = (*a)[i].as_table();
    if (!t) throw config_error(file, elem, "expected a table");
    check_table(*t, *sub, file, elem);
  }
}

void check_table(const toml::table& t, const Section& s, const std::string& file,
                 const std::string& prefix) {
  for (const auto& [name, node] : t) {
    const std::string key(name.str());
    const std::string field = prefix + "." + key;
    const Key* k = find_key(s.name, key);
    if (!k) unknown(file, field, "unknown field");
    if (k->type == Type::Table || k->type == Type::TableArray) check_nested(node, *k, file, field);
  }
}

/// "| a | b |" from cells; a '|' inside a cell is escaped.
std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) {
    std::string e;
    for (char ch : c) e += ch == '|' ? std::string("\\|") : std::string(1, ch);
    out += " " + e + " |";
  }
  return out + "\n";
}

std::string type_text(const Key& k) {
  switch (k.type) {
    case Type::Int: return "int";
    case Type::Number: return "number";
    case Type::Bool: return "bool";
    case Type::String: return "string";
    case Type::IntRange: return "[int, int]";
    case Type::IntArray: return "array of int";
    case Type::StringArray: return "array of strings";
    case Type::Table: return "table";
    case Type::TableArray: return "array of tables";
  }
  return "?";
}

std::string values_text(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "`" : ", `") + s + "`";
  return out;
}

const std::string kOpen = "<!-- schema:", kClose = "<!-- /schema:", kEnd = " -->";
/// The marker name of the policy table (not a config section): one row per registered policy.
const std::string kPolicies = "policies";

}  // namespace

const std::vector<Section>& sections() {
  static const std::vector<Section> kSections = build();
  return kSections;
}

const Section* find_section(std::string_view section) {
  for (const auto& s : sections())
    if (s.name == section) return &s;
  return nullptr;
}

const Key* find_key(std::string_view section, std::string_view key) {
  const Section* s = find_section(section);
  if (!s) return nullptr;
  for (const auto& k : s->keys)
    if (k.name == key) return &k;
  return nullptr;
}

const Key& key(std::string_view section, std::string_view key) {
  const Key* k = find_key(section, key);
  if (!k)
    throw std::logic_error("config schema (io/config_schema.cpp) lists no key " +
                           std::string(section) + "." + std::string(key));
  return *k;
}

void check_config_keys(const toml::table& root, const std::string& file) {
  for (const auto& [name, node] : root) {
    const std::string key(name.str());
    const Section* s = find_section(key);
    if (!s || !s->top) unknown(file, key, "unknown section");
    if (s->array) {
      const auto* a = node.as_array();
      if (!a) throw config_error(file, key, "expected an array of tables [[" + key + "]]");
      for (std::size_t i = 0; i < a->size(); ++i) {
        const auto elem = key + "[" + std::to_string(i) + "]";
        const auto* t = (*a)[i].as_table();
        if (!t) throw config_error(file, elem, "expected a table");
        check_table(*t, *s, file, elem);
      }
    } else {
      const auto* t = node.as_table();
      if (!t) throw config_error(file, key, "expected a table");
      check_table(*t, *s, file, key);
    }
  }
}

std::string format_int(std::int64_t v) {
  if (v == kUnlimited) return "2^31 - 1";
  for (int e = 16; e < 63; ++e) {
    const std::int64_t p = std::int64_t{1} << e;
    if (v == p) return "2^" + std::to_string(e);
    if (v == p - 1) return "2^" + std::to_string(e) + " - 1";
  }
  if (v >= 10'000) {
    std::int64_t p = 10'000;
    for (int e = 4; e <= 18; ++e, p *= 10) {
      if (v == p) return "10^" + std::to_string(e);
      if (p > std::numeric_limits<std::int64_t>::max() / 10) break;
    }
  }
  return std::to_string(v);
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  std::string s = buf;
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mant = s.substr(0, e), exp = s.substr(e + 1);
  std::string sign;
  if (exp[0] == '+' || exp[0] == '-') {
    if (exp[0] == '-') sign = "-";
    exp = exp.substr(1);
  }
  while (exp.size() > 1 && exp[0] == '0') exp = exp.substr(1);
  return mant + "e" + sign + exp;
}

std::string range_text(const Key& k) {
  std::string r;
  if (!k.range_text.empty()) {
    r = k.range_text;
  } else {
    switch (k.type) {
      case Type::Int:
      case Type::IntArray:
        r = "[" + format_int(k.ilo) + ", " + format_int(k.ihi) + "]";
        break;
      case Type::IntRange:
        r = "`[lo, hi]`, " + format_int(k.ilo) + " <= lo <= hi";
        if (k.ihi < std::numeric_limits<std::int64_t>::max()) r += " <= " + format_int(k.ihi);
        break;
      case Type::Number:
        r = (k.zero_or ? "0 or [" : "[") + format_number(k.lo) + ", " + format_number(k.hi) + "]";
        break;
      case Type::String:
      case Type::StringArray:
        r = values_text(k.values);
        break;
      case Type::Bool:
      case Type::Table:
      case Type::TableArray:
        break;
    }
  }
  if (!k.note.empty()) r += r.empty() ? k.note : "; " + k.note;
  return r;
}

std::string markdown_table(const Section& s) {
  const bool applies = !s.applies_header.empty();
  std::vector<std::string> head{"field", "type", "default", "range", "unit"};
  if (applies) head.push_back(s.applies_header);
  head.push_back("meaning");
  std::string out = row(head);
  out += row(std::vector<std::string>(head.size(), "---"));
  for (const auto& k : s.keys) {
    std::vector<std::string> cells{"`" + k.name + "`", type_text(k), k.def, range_text(k), k.unit};
    if (applies) cells.push_back(k.applies);
    cells.push_back(k.doc);
    out += row(cells);
  }
  return out;
}

std::string policy_table() {
  std::string out =
      "| `[policy] name` | from | what it is | needs `[[classes]]` | event-skipping loop |\n"
      "|---|---|---|---|---|\n";
  for (const auto k : all_policy_kinds()) {
    const auto& t = policy_traits(k);
    out += "| `" + std::string(to_string(k)) + "` | " + std::string(t.source) + " | " +
           std::string(t.summary) + " | " + (t.needs_classes ? "yes" : "no") + " | " +
           (t.steady_skip ? "skips steady runs" : "one iteration at a time") + " |\n";
  }
  return out;
}

std::string markdown_all() {
  std::string out;
  for (const auto& s : sections()) {
    if (s.keys.empty()) continue;
    out += kOpen + s.name + kEnd + "\n" + markdown_table(s) + kClose + s.name + kEnd + "\n\n";
  }
  return out;
}

std::vector<std::string> documented_sections(const std::string& doc) {
  std::vector<std::string> out;
  for (std::size_t p = doc.find(kOpen); p != std::string::npos; p = doc.find(kOpen, p + 1)) {
    const auto e = doc.find(kEnd, p);
    if (e == std::string::npos) break;
    out.push_back(doc.substr(p + kOpen.size(), e - p - kOpen.size()));
  }
  return out;
}

std::string update_markdown(const std::string& doc) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const auto open = doc.find(kOpen, pos);
    if (open == std::string::npos) break;
    const auto open_end = doc.find(kEnd, open);
    if (open_end == std::string::npos) throw std::runtime_error("unterminated schema marker");
    const std::string name = doc.substr(open + kOpen.size(), open_end - open - kOpen.size());
    const Section* s = find_section(name);
    if (!s && name != kPolicies) throw std::runtime_error("schema marker names no section: " + name);
    const std::string close = kClose + name + kEnd;
    const auto close_at = doc.find(close, open_end);
    if (close_at == std::string::npos) throw std::runtime_error("no closing marker for " + name);
    out += doc.substr(pos, open_end + kEnd.size() - pos) + "\n" +
           (s ? markdown_table(*s) : policy_table());
    pos = close_at;
  }
  return out + doc.substr(pos);
}

}  // namespace kvcheck::schema
