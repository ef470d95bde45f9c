#include "io/config.h"

#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "io/bench_workload.h"
#include "io/input_error.h"
#include "io/config_schema.h"
#include "io/input_file.h"
#include "io/limits.h"
#include "io/toml_section.h"
#include "models/engine_profiles.h"
#include "models/domain.h"
#include "models/engine_rules.h"
#include "models/param_table.h"

namespace kvcheck {
namespace {

using Section = TomlSection;

/// The section's scalars of models/param_table.h, each with its default: the value `m`
/// holds, which is the table's default (ModelParams' initialisers equal it, a test holds them
/// together) or the engine profile's (models/engine_profiles.h, applied first); the one
/// default that is another key's value, flow_budget_max's, is flow_budget_min's, read first.
/// engine.num_blocks is read by read_engine (it has a second spelling).
void read_scalars(Section& s, std::string_view section, ModelParams& m) {
  for (const auto& ip : kIntParams) {
    if (ip.section != section || ip.key == "num_blocks") continue;
    const auto def = ip.def == kDefaultFromOther ? m.policy.flow_budget_min : ip.get(m);
    ip.field(m) = s.integer(std::string(ip.key), def);
  }
  for (const auto& bp : kBoolParams)
    if (bp.section == section) bp.field(m) = s.boolean(std::string(bp.key), bp.get(m));
}

/// [engine] profile, applied before any other key is read (its values are defaults).
void read_profile(Section& s, ModelParams& m) {
  apply_engine_profile(*find_engine_profile(s.choice("profile", "papers")), m);
}

/// vLLM's null block: under a vLLM profile `num_blocks` is the pool vLLM reports ("# GPU
/// blocks"), and the scheduler can allocate one block less (BlockPool.null_block).
void subtract_null_blocks(Section& s, EngineParams& e) {
  if (e.null_blocks == 0) return;
  if (e.num_blocks <= e.null_blocks)
    s.fail("num_blocks", "leaves no usable block after vLLM's null block");
  e.num_blocks -= e.null_blocks;
}

/// vLLM's start-up check (kv_cache_utils._check_enough_kv_cache_memory, before PR #47272):
/// max_model_len must fit the KV memory of all num_blocks blocks, the null block included.
void check_max_model_len(Section& s, const EngineParams& e) {
  if (e.max_model_len == kUnlimited) return;
  const auto blocks = (e.max_model_len + e.block_size - 1) / e.block_size;
  if (blocks > e.num_blocks + e.null_blocks)
    s.fail("max_model_len", "needs " + std::to_string(blocks) + " blocks of KV, more than the " +
                                std::to_string(e.num_blocks + e.null_blocks) +
                                " the pool has (vLLM refuses to start)");
}

void read_engine(const toml::table& root, const std::string& file, ModelParams& m) {
  Section s(toml_table_at(root, file, "engine"), file, "engine");
  auto& e = m.engine;
  read_profile(s, m);
  read_scalars(s, "engine", m);
  const bool has_blocks = s.has("num_blocks"), has_tokens = s.has("kv_capacity_tokens");
  if (has_blocks == has_tokens)
    throw config_error(file, "engine.num_blocks",
                       "give exactly one of num_blocks or kv_capacity_tokens");
  if (has_blocks) {
    e.num_blocks = s.integer("num_blocks", 0);
    (void)s.integer("kv_capacity_tokens", 0);  // absent
  } else {
    const auto tokens = s.integer("kv_capacity_tokens", 0);
    if (tokens % e.block_size != 0)
      s.fail("kv_capacity_tokens", "must be a multiple of engine.block_size");
    e.num_blocks = tokens / e.block_size;
    const auto max_blocks = schema::key("engine", "num_blocks").ihi;
    if (e.num_blocks > max_blocks)
      s.fail("kv_capacity_tokens", "gives " + std::to_string(e.num_blocks) +
                                       " blocks, more than engine.num_blocks' maximum " +
                                       schema::format_int(max_blocks));
    (void)s.integer("num_blocks", 0);  // absent
  }
  subtract_null_blocks(s, e);
  check_max_model_len(s, e);
  e.requeue = s.choice("requeue", "front") == "back" ? Requeue::Back : Requeue::Front;
  e.cpu_blocks = s.integer("cpu_blocks", 0);  // vLLM V0's swap pool (check_swap_pool)
  s.reject_unknown();
}

/// [policy] watermark_fraction, vLLM's `--watermark w`: int(w x num_gpu_blocks) blocks, the
/// null block counted (KVCacheManager.__init__, PR #44594). Exclusive with watermark_blocks.
void read_watermark_fraction(Section& s, ModelParams& m) {
  if (!s.has("watermark_fraction")) return;
  if (s.has("watermark_blocks"))
    s.fail("watermark_fraction", "give watermark_fraction or watermark_blocks, not both");
  const double w = s.number("watermark_fraction", 0.0);
  const auto total = m.engine.num_blocks + m.engine.null_blocks;
  m.policy.watermark_blocks = static_cast<std::int64_t>(w * static_cast<double>(total));
}

std::string policy_names() {
  std::string out;
  for (auto k : all_policy_kinds()) out += (out.empty() ? "" : ", ") + std::string(to_string(k));
  return out;
}

void read_policy(const toml::table& root, const std::string& file, ModelParams& m) {
  Section s(toml_table_at(root, file, "policy"), file, "policy");
  auto& p = m.policy;
  if (!s.present()) throw config_error(file, "policy", "missing section [policy]");
  if (!s.has("name")) s.fail("name", "missing (one of " + policy_names() + ")");
  const auto name = s.string("name", "");
  if (!parse_policy_kind(name, p.kind))
    s.fail("name", "unknown policy \"" + name + "\" (expected " + policy_names() + ")");
  read_scalars(s, "policy", m);
  read_watermark_fraction(s, m);
  if (s.choice("preemption_mode", "recompute") == "swap") {
    if (p.kind != PolicyKind::VllmV0)
      s.fail("preemption_mode", "\"swap\" is vLLM V0's preemption mode: policy vllm_v0 only");
    p.preemption_mode = PreemptionMode::Swap;
  }
  if (p.flow_budget_max < p.flow_budget_min)
    s.fail("flow_budget_max", "must be >= policy.flow_budget_min");
  // Algorithm 2 draws the admission budget B_t from [min, max]: with max = 0 it admits nothing,
  // ever, and every safety property holds vacuously (issue 16).
  if (p.kind == PolicyKind::P1FlowControl && p.flow_budget_max < 1)
    s.fail(s.has("flow_budget_max") ? "flow_budget_max" : "flow_budget_min",
           "p1_flow_control with flow_budget_max = 0 admits no request; give flow_budget_max >= 1");
  s.reject_unknown();
}

void read_classes(const toml::table& root, const std::string& file, ModelParams& m) {
  if (!root.contains("classes")) return;
  const auto* arr = root["classes"].as_array();
  if (!arr) throw config_error(file, "classes", "expected an array of tables [[classes]]");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    const auto prefix = "classes[" + std::to_string(i) + "]";
    if (!t) throw config_error(file, prefix, "expected a table");
    Section s(t, file, prefix, "classes");
    ClassSpec c;
    c.name = s.string("name", "class" + std::to_string(i));
    c.prompt = s.integer("prompt", 0);
    c.output = s.integer("output", 0);
    if (!s.has("prompt")) s.fail("prompt", "missing");
    if (!s.has("output")) s.fail("output", "missing");
    c.rate = s.number("rate", 0.0);
    c.budget = s.integer("budget", 0);
    c.threshold = s.integer("threshold", 0);
    c.abandon_rate = s.number("abandon_rate", 0.0);
    s.reject_unknown();
    m.classes.push_back(std::move(c));
  }
}

void read_time(const toml::table& root, const std::string& file, TimeModel& t) {
  Section s(toml_table_at(root, file, "time"), file, "time");
  (void)parse_time_model_kind(s.choice("model", "unit"), t.kind);
  // Every coefficient is seconds (or seconds per token): 0 or in [1e-15, 1e6] (the schema), so
  // durations and the simulated clock stay finite and above the subnormal range.
  const auto seconds = [&s](const char* key, double def) { return s.number(key, def); };
  t.unit = seconds("unit", 1.0);
  t.d0 = seconds("d0", 0.0);
  t.d1 = seconds("d1", 0.0);
  t.c = seconds("c", 0.0);
  t.a = seconds("a", 0.0);
  t.b0 = s.integer("b0", 1);
  t.la = seconds("la", 0.0);
  t.lb = seconds("lb", 0.0);
  t.lc = seconds("lc", 0.0);
  t.ld = seconds("ld", 0.0);
  if (t.kind == TimeModelKind::P2Linear && t.d0 + t.d1 <= 0.0)
    s.fail("d0", "p2_linear needs d0 > 0 or d1 > 0");
  if (t.kind == TimeModelKind::Roofline && t.la + t.lb <= 0.0)
    s.fail("la", "roofline needs la > 0 or lb > 0 (an iteration would take no time)");
  s.reject_unknown();
}

Request read_request(const toml::table* t, const std::string& file, const std::string& prefix,
                     std::size_t nclasses) {
  if (!t) throw config_error(file, prefix, "expected a table {arrival, prompt, output, class}");
  Section s(t, file, prefix, "workload.requests");
  Request r;
  r.arrival_step = s.integer("arrival", 0);
  r.arrival_time = static_cast<double>(r.arrival_step);
  r.prompt = s.integer("prompt", 1);
  r.output = s.integer("output", 1);
  if (!s.has("prompt")) s.fail("prompt", "missing");
  if (!s.has("output")) s.fail("output", "missing");
  const auto hi = nclasses == 0 ? 0 : static_cast<std::int64_t>(nclasses) - 1;
  r.klass = s.integer("class", 0, 0, hi);
  s.reject_unknown();
  return r;
}

/// `[[workload.in_flight]]`: each table `count` times, as a request running at time 0.
void read_in_flight(Section& w, const std::string& file, std::size_t nclasses,
                    std::vector<Request>& out) {
  const auto* arr = w.array("in_flight");
  if (!arr) return;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto prefix = "workload.in_flight[" + std::to_string(i) + "]";
    const auto* t = (*arr)[i].as_table();
    if (!t)
      throw config_error(file, prefix, "expected a table {prompt, output, decoded, class, count}");
    Section s(t, file, prefix, "workload.in_flight");
    for (const char* k : {"prompt", "output", "decoded"})
      if (!s.has(k)) s.fail(k, "missing");
    Request r;
    r.prompt = s.integer("prompt", 1);
    r.output = s.integer("output", 2);
    r.decoded_at_start = s.integer("decoded", 0);
    const auto hi = nclasses == 0 ? 0 : static_cast<std::int64_t>(nclasses) - 1;
    r.klass = s.integer("class", 0, 0, hi);
    const auto count = s.integer("count", 1);
    s.reject_unknown();
    if (r.decoded_at_start + 1 >= r.output)
      s.fail("decoded", "decoded + 1 = " + std::to_string(r.decoded_at_start + 1) +
                            " output tokens would be out, not below output = " +
                            std::to_string(r.output) + ": the request would be done");
    if (static_cast<std::int64_t>(out.size()) + count > limits::kMaxRequests)
      s.fail("count", "more than 10000000 in-flight requests");
    out.insert(out.end(), static_cast<std::size_t>(count), r);
  }
}

/// In-flight requests must be a state the engine can be in: each one servable (else it would
/// have been rejected at arrival), all of them within max_num_seqs (and a closed loop's
/// max_concurrency) and their blocks (models/concrete_view.cpp, place_in_flight) within the pool.
void check_in_flight(const Config& c, const std::string& file) {
  const auto& e = c.model.engine;
  const auto& in = c.workload.in_flight;
  if (in.empty()) return;
  std::int64_t blocks = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& r = in[i];
    if (unservable<Concrete>(e, r.prompt, r.output))
      throw config_error(file, "workload.in_flight",
                         "request " + std::to_string(i) + " (prompt " + std::to_string(r.prompt) +
                             ", output " + std::to_string(r.output) +
                             ") is one the engine rejects at arrival, so it cannot be in flight");
    blocks += blocks_for<Concrete>(e, r.prompt + r.decoded_at_start + e.lookahead);
  }
  const auto n = static_cast<std::int64_t>(in.size());
  if (blocks > e.num_blocks)
    throw config_error(file, "workload.in_flight",
                       "the in-flight requests hold " + std::to_string(blocks) +
                           " KV blocks, more than engine.num_blocks = " +
                           std::to_string(e.num_blocks));
  if (n > e.max_num_seqs)
    throw config_error(file, "workload.in_flight",
                       std::to_string(n) + " in-flight requests, more than engine.max_num_seqs = " +
                           std::to_string(e.max_num_seqs));
  if (c.workload.max_concurrency > 0 && n > c.workload.max_concurrency)
    throw config_error(file, "workload.in_flight",
                       std::to_string(n) + " in-flight requests, more than "
                       "workload.max_concurrency = " + std::to_string(c.workload.max_concurrency));
}

/// A generated workload fits in memory (count + backlog requests) and its last deterministic
/// arrival, ((count - 1) / burst) * interval, is a step the simulator can reach.
void check_generated_size(Section& s, const WorkloadSpec& w) {
  if (w.count + w.backlog > limits::kMaxRequests)
    s.fail("backlog", "count + backlog = " + std::to_string(w.count + w.backlog) +
                          " requests, more than the " + std::to_string(limits::kMaxRequests) +
                          " a workload may hold");
  const std::int64_t groups = (w.count - 1) / w.burst;
  if (groups > 0 && w.interval > limits::kMaxStep / groups)
    s.fail("interval", "the last arrival would be at step ((count - 1) / burst) x interval = " +
                           std::to_string(groups) + " x " + std::to_string(w.interval) +
                           ", past step 2^40");
}

/// A generator's clock: steps (`interval`, rates per step) or seconds (`period`, rates per
/// second). Each clock's own spacing key only: the other one would be silently ignored.
void read_generator_clock(Section& s, WorkloadSpec& w) {
  const bool seconds = s.choice("clock", "steps") == "seconds";
  w.clock = seconds ? ArrivalClock::Timed : ArrivalClock::Steps;
  if (seconds && s.has("interval"))
    s.fail("interval", "steps between arrivals, not used with clock = \"seconds\" (use "
                       "`period`, seconds between arrivals)");
  const bool deterministic = w.kind == WorkloadKind::Deterministic;
  if (deterministic && !seconds && s.has("period"))
    s.fail("period", "seconds between arrivals, used only with clock = \"seconds\" (per "
                     "step: `interval`)");
  w.interval = s.integer("interval", 1);
  if (!(deterministic && seconds)) return;
  if (!s.has("period"))
    s.fail("period", "missing: a deterministic workload with clock = \"seconds\" needs the "
                     "seconds between arrival instants");
  w.period = s.number("period", 0.0);
}

/// `vllm bench serve`'s --request-rate (requests per second, "inf" by default) and
/// --burstiness: kinds random and dataset.
void read_bench_timing(Section& s, WorkloadSpec& w) {
  w.request_rate = s.number_or_inf("request_rate", w.request_rate);
  w.burstiness = s.number("burstiness", w.burstiness);
}

/// vLLM's RandomDataset (io/bench_workload.h): its bounds, refused where vLLM refuses them.
void read_random(Section& s, WorkloadSpec& w) {
  w.input_len = s.integer("input_len", w.input_len);
  w.output_len = s.integer("output_len", w.output_len);
  w.range_ratio = s.number("range_ratio", w.range_ratio, 0.0);  // the schema's [0, 1) below
  if (!(w.range_ratio < 1.0))
    s.fail("range_ratio", "must be in [0, 1) (vLLM's RandomDataset), got " +
                              schema::format_number(w.range_ratio));
  w.prefix_len = s.integer("prefix_len", w.prefix_len);
  w.num_prompts = s.integer("num_prompts", w.num_prompts);
  if (w.num_prompts < 1) s.fail("num_prompts", "must be > 0 for kind \"random\"");
  const auto in = random_input_bounds(w.input_len, w.range_ratio);
  if (w.prefix_len + in.lo < 1)
    s.fail("input_len", "prefix_len + floor(input_len x (1 - range_ratio)) = 0: a prompt could "
                        "be empty (raise input_len or prefix_len, or lower range_ratio)");
  if (w.prefix_len + in.hi > limits::kMaxTokens)
    s.fail("prefix_len", "prompts up to prefix_len + ceil(input_len x (1 + range_ratio)) = " +
                             std::to_string(w.prefix_len + in.hi) + " tokens, more than 2^30");
  if (random_output_bounds(w.output_len, w.range_ratio).hi > limits::kMaxTokens)
    s.fail("output_len", "outputs up to ceil(output_len x (1 + range_ratio)) exceed 2^30 tokens");
  read_bench_timing(s, w);
}

/// A CSV of (prompt, output) lengths, sent as vLLM's bench sends a dataset's requests.
void read_dataset(Section& s, const std::filesystem::path& dir, WorkloadSpec& w) {
  const auto p = s.string("path", "");
  if (p.empty()) s.fail("path", "missing (a CSV of prompt,output lengths)");
  w.dataset = std::filesystem::path(p).is_absolute() ? std::filesystem::path(p) : dir / p;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(w.dataset, ec))
    s.fail("path", "cannot open dataset file \"" + w.dataset.string() + "\"");
  w.num_prompts = s.integer("num_prompts", 0);
  read_bench_timing(s, w);
}

void read_workload(const toml::table& root, const std::string& file,
                   const std::filesystem::path& dir, const ModelParams& m, WorkloadSpec& w) {
  Section s(toml_table_at(root, file, "workload"), file, "workload");
  if (!s.present()) throw config_error(file, "workload", "missing section [workload]");
  const auto kind = s.choice("kind", "");
  w.seed = static_cast<std::uint64_t>(s.integer("seed", 1));
  w.count = s.integer("count", 0);
  w.max_concurrency = s.integer("max_concurrency", 0);
  read_in_flight(s, file, m.classes.size(), w.in_flight);
  if (kind == "explicit") {
    w.kind = WorkloadKind::Explicit;
    const auto* arr = s.array("requests");
    if (!arr || arr->empty()) s.fail("requests", "explicit workload needs a non-empty array");
    std::int64_t last = 0;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto prefix = "workload.requests[" + std::to_string(i) + "]";
      w.requests.push_back(read_request((*arr)[i].as_table(), file, prefix, m.classes.size()));
      if (w.requests.back().arrival_step < last)
        throw config_error(file, prefix + ".arrival", "arrivals must be non-decreasing");
      last = w.requests.back().arrival_step;
    }
  } else if (kind == "deterministic" || kind == "poisson" || kind == "class_mix") {
    w.kind = kind == "deterministic" ? WorkloadKind::Deterministic
             : kind == "poisson"     ? WorkloadKind::Poisson
                                     : WorkloadKind::ClassMix;
    if (w.count <= 0) s.fail("count", "must be > 0 for a generated workload");
    read_generator_clock(s, w);
    w.rate = s.number("rate", 1.0);
    w.burst = s.integer("burst", 1);
    w.backlog = s.integer("backlog", 0);
    w.prompt = s.integer("prompt", 1);
    w.output = s.integer("output", 1);
    check_generated_size(s, w);
    if (w.kind == WorkloadKind::ClassMix && m.classes.empty())
      s.fail("kind", "class_mix needs [[classes]] with rates");
    if (w.kind == WorkloadKind::Poisson && !(w.rate > 0.0)) s.fail("rate", "must be > 0");
  } else if (kind == "trace") {
    w.kind = WorkloadKind::Trace;
    const auto p = s.string("path", "");
    if (p.empty()) s.fail("path", "missing (an Azure-format CSV)");
    w.trace = std::filesystem::path(p).is_absolute() ? std::filesystem::path(p) : dir / p;
    w.time_scale = s.number("time_scale", 1.0);
    w.limit = s.integer("limit", 0);
  } else if (kind == "random") {
    w.kind = WorkloadKind::Random;
    read_random(s, w);
  } else if (kind == "dataset") {
    w.kind = WorkloadKind::Dataset;
    read_dataset(s, dir, w);
  } else {
    s.fail("kind", "missing (explicit, deterministic, poisson, class_mix, trace, random or "
                   "dataset)");
  }
  s.reject_unknown(" by kind \"" + kind + "\"");
}

void read_check(const toml::table& root, const std::string& file, CheckSpec& c) {
  Section s(toml_table_at(root, file, "check"), file, "check");
  c.max_steps_declared = s.has("max_steps");
  c.max_steps = s.integer("max_steps", c.max_steps);
  c.max_idle_steps = s.integer("max_idle_steps", c.max_idle_steps);
  const auto* arr = s.array("properties");
  std::vector<std::string> names{"kv_no_overflow", "kv_within_capacity", "conservation",
                                 "exact_delivery"};
  if (arr) {
    names.clear();
    if (arr->empty())
      s.fail("properties", "empty: a check of no property would pass vacuously; name at least one");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto v = (*arr)[i].value_exact<std::string>();
      if (!v) s.fail("properties[" + std::to_string(i) + "]", "expected a property name");
      names.push_back(*v);
    }
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto id = parse_property(names[i]);
    if (!id) s.fail("properties[" + std::to_string(i) + "]", "unknown property \"" + names[i] + "\"");
    c.properties.push_back(*id);
  }
  s.reject_unknown();
}

/// Nested WAIT's segments are the classes in increasing output order, each with a threshold
/// n_k >= 1, decreasing (Eq. 12: n_k / n_{k-1} < 1): models/policies/p2_nested_wait.h.
void check_nested_wait_classes(const ModelParams& m, const std::string& file) {
  if (m.policy.kind != PolicyKind::P2NestedWait) return;
  for (std::size_t i = 0; i < m.classes.size(); ++i) {
    const auto& c = m.classes[i];
    const auto field = "classes[" + std::to_string(i) + "]";
    if (c.threshold < 1)
      throw config_error(file, field + ".threshold",
                         "p2_nested_wait needs a segment threshold n_k >= 1 for every class");
    if (i == 0) continue;
    const auto& prev = m.classes[i - 1];
    if (c.output <= prev.output)
      throw config_error(file, field + ".output",
                         "p2_nested_wait's classes are its segments: list them by strictly "
                         "increasing output (" + std::to_string(c.output) + " after " +
                             std::to_string(prev.output) + ")");
    if (c.threshold >= prev.threshold)
      throw config_error(file, field + ".threshold",
                         "p2_nested_wait's thresholds must decrease with the output length "
                         "(Eq. 12: n_k / n_{k-1} < 1), got " + std::to_string(c.threshold) +
                             " after " + std::to_string(prev.threshold));
  }
}

/// vLLM V0's `_schedule_default` has neither chunked prefill, a busy-only watermark nor a
/// lookahead (models/policies/vllm_v0.h): those keys would silently change its rules.
void check_vllm_v0_engine(const ModelParams& m, const std::string& file) {
  if (m.policy.kind != PolicyKind::VllmV0) return;
  if (m.engine.chunked_prefill)
    throw config_error(file, "engine.chunked_prefill",
                       "vllm_v0 is V0's _schedule_default, which schedules whole prompts "
                       "(chunked prefill off)");
  if (m.policy.watermark_only_when_busy)
    throw config_error(file, "policy.watermark_only_when_busy",
                       "vllm_v0 applies the watermark at every admission (V0's can_allocate)");
  if (m.engine.lookahead != 0)
    throw config_error(file, "engine.lookahead",
                       "vllm_v0 appends one token per decode (V0's can_append_slots): 0 only");
}

/// vLLM V0's swap mode needs a CPU pool (V0's `num_cpu_blocks`; with none, the first swap out
/// aborts the engine).
void check_swap_pool(const ModelParams& m, const std::string& file) {
  if (m.policy.preemption_mode != PreemptionMode::Swap || m.engine.cpu_blocks >= 1) return;
  throw config_error(file, "engine.cpu_blocks",
                     "policy.preemption_mode = \"swap\" needs a CPU swap pool: give "
                     "cpu_blocks >= 1 (vLLM V0's swap_space bytes / KV block bytes)");
}

void check_cross_fields(const Config& c, const std::string& file) {
  const auto& m = c.model;
  check_vllm_v0_engine(m, file);
  check_swap_pool(m, file);
  if (policy_traits(m.policy.kind).needs_classes && m.classes.empty())
    throw config_error(file, "classes",
                       std::string(to_string(m.policy.kind)) + " needs [[classes]]");
  check_nested_wait_classes(m, file);
  if (m.policy.watermark_blocks >= m.engine.num_blocks && !c.cluster.only)
    throw config_error(file, "policy.watermark_blocks", "must be smaller than the pool");
  for (std::size_t i = 0; i < c.workload.requests.size(); ++i)
    if (!m.classes.empty() && c.workload.requests[i].klass >= static_cast<std::int64_t>(m.classes.size()))
      throw config_error(file, "workload.requests[" + std::to_string(i) + "].class",
                         "no such class");
  check_in_flight(c, file);
}

/// [cluster] (P3): every key from the schema; the system must have a class with arrivals and
/// a positive mixed iteration time, and the horizon must pass the warmup.
void read_cluster(const toml::table& root, const std::string& file, const ModelParams& m,
                  ClusterSpec& c) {
  Section s(toml_table_at(root, file, "cluster"), file, "cluster");
  c.present = s.present();
  if (!c.present) return;
  for (const char* k : {"gpus", "batch", "chunk", "alpha", "beta", "gamma"})
    if (!s.has(k)) s.fail(k, "missing (P3's cluster needs gpus, batch, chunk, alpha, beta, gamma)");
  c.gpus = s.integer("gpus", 1);
  c.batch = s.integer("batch", 2);
  c.chunk = s.integer("chunk", 1);
  c.alpha = s.number("alpha", 0.0);
  c.beta = s.number("beta", 0.0);
  c.gamma = s.number("gamma", 1.0);
  c.c_p = s.number("c_p", 0.0);
  c.c_d = s.number("c_d", 0.0);
  c.charging = s.choice("charging", "bundled");
  c.policy = s.choice("policy", "gate_and_route");
  c.service = s.choice("service", "exponential");
  c.horizon = s.number("horizon", 1000.0);
  c.warmup = s.number("warmup", 0.0);
  c.seed = static_cast<std::uint64_t>(s.integer("seed", 1));
  if (!(c.alpha + c.beta * static_cast<double>(c.chunk) > 0.0))
    s.fail("alpha", "the mixed iteration tau = alpha + beta C must be > 0");
  if (!(c.horizon > c.warmup)) s.fail("horizon", "must be greater than cluster.warmup");
  s.reject_unknown();
  bool arrivals = false;
  for (const auto& k : m.classes) arrivals = arrivals || k.rate > 0.0;
  if (!arrivals)
    throw config_error(file, "classes", "[cluster] needs [[classes]] with a rate > 0 (lambda_i "
                                        "per GPU per second)");
}

/// [gpu] has no fields (the decode engine takes its options
/// from the command line): any key in them is an error, as in every other section.
void read_empty_section(const toml::table& root, const std::string& file, const std::string& name) {
  Section(toml_table_at(root, file, name), file, name).reject_unknown();
}

}  // namespace

std::string fnv1a_hex(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char ch : text) {
    h ^= static_cast<std::uint8_t>(ch);
    h *= 0x100000001b3ULL;
  }
  static const char* hex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = hex[h & 0xF];
  return out;
}

Config parse_config(const std::string& text, const std::filesystem::path& path) {
  const std::string file = path.string();
  const toml::table root = parse_toml(text, file);
  // Every section and key, [bmc] [fuzz] [explore] included, against the one schema: a typo
  // fails every command, not only the one whose checker reads the section.
  schema::check_config_keys(root, file);
  Config c;
  c.path = path;
  c.text = text;
  c.hash = fnv1a_hex(text);
  {
    Section meta(toml_table_at(root, file, "meta"), file, "meta");
    c.name = meta.string("name", path.stem().string());
    (void)meta.string("description", "");
    c.expect = meta.choice("expect", "");
    // Besides the [check] properties: "stalled" (the simulator's no-progress detection) and the
    // lasso findings of the fuzzer and the explorer (the schema's list).
    c.expect_property = meta.choice("expect_property", "");
    meta.reject_unknown();
  }
  // A P3 cluster config (docs/p3.md) may omit [engine] and [policy]: P3 has no KV pool. One
  // that also has a [workload] runs the engine's commands too, so it needs both.
  const bool cluster = root.contains("cluster");
  const bool cluster_only = cluster && !root.contains("workload");
  if (!cluster_only || root.contains("engine")) read_engine(root, file, c.model);
  if (!cluster_only || root.contains("policy")) read_policy(root, file, c.model);
  read_classes(root, file, c.model);
  read_cluster(root, file, c.model, c.cluster);
  read_time(root, file, c.time);
  c.network_only = !root.contains("workload") && root.contains("network");
  c.cluster.only = cluster_only;
  if (!c.network_only && !c.cluster.only)
    read_workload(root, file, path.parent_path(), c.model, c.workload);
  read_check(root, file, c.check);
  // [prove] (ranges of the every-N proof) is read by checkers/z3/prove_ranges.cpp; its keys are
  // checked against the schema with every other section's.
  read_empty_section(root, file, "gpu");
  check_cross_fields(c, file);
  return c;
}

Config load_config(const std::filesystem::path& path) {
  check_input_file(path, limits::kMaxConfigBytes, "64 MiB", ExitCode::ConfigError);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path.string(), "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace kvcheck
