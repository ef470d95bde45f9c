#include "checkers/z3/buffer_search.h"

#include "checkers/z3/seed_search.h"
#include "io/workload.h"

#include <sstream>
#include <string_view>
#include <toml++/toml.h>

#include "io/input_error.h"
#include "models/param_table.h"

namespace kvcheck {

std::string buffer_param_names() {
  std::string out;
  for (const auto& ip : kIntParams) out += std::string(ip.section) + "." + std::string(ip.key) + ", ";
  return out + "classes.<name>.budget or classes.<name>.threshold";
}

namespace {

constexpr std::string_view kClassPrefix = "classes.";

/// "classes.<cls>.<key>" -> "<cls>".
std::string class_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return name.substr(kClassPrefix.size(), dot - kClassPrefix.size());
}

}  // namespace

std::int64_t& param_ref(ModelParams& p, const std::string& name) {
  if (const auto* ip = find_int_param(name)) return ip->field(p);
  if (name.rfind(kClassPrefix, 0) == 0 && name.rfind('.') >= kClassPrefix.size()) {
    const auto cls = class_of(name);
    const auto field = name.substr(name.rfind('.') + 1);
    for (auto& c : p.classes) {
      if (c.name != cls) continue;
      if (field == "budget") return c.budget;
      if (field == "threshold") return c.threshold;
    }
  }
  throw config_error("", "--param", "unknown parameter \"" + name + "\" (expected " +
                                        buffer_param_names() + ")");
}

namespace {

/// The TOML node the parameter lives in: [engine], [policy], or the [[classes]] entry named
/// <name>; the key is the last component.
toml::table* param_table(toml::table& root, const std::string& name, std::string& key) {
  const auto dot = name.rfind('.');
  key = name.substr(dot + 1);
  if (name.rfind("engine.", 0) == 0) return root["engine"].as_table();
  if (name.rfind("policy.", 0) == 0) return root["policy"].as_table();
  auto* arr = root["classes"].as_array();
  if (!arr) return nullptr;
  const auto cls = class_of(name);
  for (auto& node : *arr)
    if (auto* t = node.as_table(); t && (*t)["name"].value_or(std::string()) == cls) return t;
  return nullptr;
}

}  // namespace

ModelParams with_param(const Config& cfg, const std::string& name, std::int64_t value,
                       const std::string& field) {
  ModelParams probe = cfg.model;
  (void)param_ref(probe, name);  // unknown names fail here, as before
  auto root = toml::parse(cfg.text);
  std::string key;
  auto* t = param_table(root, name, key);
  if (!t) throw config_error(cfg.path.string(), field, "no section for parameter " + name);
  if (name == "engine.num_blocks" || name == "engine.block_size") {
    // Pin the pool in blocks so that changing one of the two does not change the other.
    t->erase("kv_capacity_tokens");
    t->insert_or_assign("num_blocks", cfg.model.engine.num_blocks);
  }
  t->insert_or_assign(key, value);
  std::ostringstream text;
  text << root;
  try {
    return parse_config(text.str(), cfg.path).model;
  } catch (const InputError& e) {
    throw config_error(cfg.path.string(), field,
                       name + " = " + std::to_string(value) + " is not a valid model: " +
                           e.field() + ": " + e.reason());
  }
}

/// When BMC over the [bmc] slots finds no counterexample one below the proved value (the
/// violation needs more requests or steps than the slots hold, e.g. Algorithm 1 at M = 16,239
/// overflows only once ~240 requests are resident): the config's own workload simulated at that
/// value. A violation found is a concrete counterexample at the deployment's size; like every
/// counterexample it is replayed before it is reported.
void simulated_below(const Config& cfg, const ModelParams& below, const BmcSpec& spec,
                     BufferResult& out) {
  const auto w = build_workload(cfg);
  const auto hint = workload_witness(below, cfg.time, w, spec.properties, cfg.check.max_steps);
  if (!hint) return;
  out.below_simulated = true;
  out.below->verdict = Verdict::violated(hint->step, info(hint->property).kind,
                                         std::string(info(hint->property).name));
  out.below->cex = Counterexample{hint->workload, hint->picks, hint->property, hint->step};
}

/// The envelope's burst at `at` (seed_search.h envelope_burst_witness), as `out.below`.
bool burst_at(const ModelParams& at, const BmcSpec& spec, BufferResult& out) {
  const auto hint = envelope_burst_witness(at, spec, spec.properties);
  if (!hint) return false;
  if (!out.below) out.below = BmcResult{};
  out.below_simulated = out.below_burst = true;
  out.below->verdict = Verdict::violated(hint->step, info(hint->property).kind,
                                         std::string(info(hint->property).name));
  out.below->cex = Counterexample{hint->workload, hint->picks, hint->property, hint->step};
  return true;
}

/// No value proved: the largest value in [lo, hi] at which the envelope's burst violates
/// (BufferResult::burst_value). Each value found is a concrete run, so it is a counterexample
/// whatever the scan's start; values below it are not claimed.
void burst_scan(const Config& cfg, const BmcSpec& spec, const std::string& name, std::int64_t lo,
                std::int64_t hi, BufferResult& out) {
  constexpr std::int64_t kScan = 64;
  auto start = hi;
  if (name == "policy.watermark_blocks") {
    const auto shape = burst_shape(with_param(cfg, name, hi, "--hi"), spec);
    if (shape.threshold) start = std::min(hi, *shape.threshold + 1);
  }
  for (auto v = start; v >= std::max(lo, start - kScan + 1); --v) {
    ModelParams at;
    try {
      at = with_param(cfg, name, v, "--param");
    } catch (const InputError&) {
      continue;
    }
    if (burst_at(at, spec, out)) {
      out.burst_value = v;
      return;
    }
  }
}

BufferResult search_buffer(const Config& cfg, const BmcSpec& spec, const std::string& name,
                           std::int64_t lo, std::int64_t hi, const SolverOptions& opts,
                           bool every_n_only) {
  if (hi < lo)
    throw config_error(cfg.path.string(), "--hi", "must be >= --lo (" + std::to_string(lo) + ")");
  (void)with_param(cfg, name, lo, "--lo");
  (void)with_param(cfg, name, hi, "--hi");
  BufferResult out;
  for (std::int64_t v = lo; v <= hi; ++v) {
    const auto r = prove_pipeline(with_param(cfg, name, v, "--param"), spec, {}, opts,
                                  every_n_only);
    out.proof = r.result;
    out.tried.emplace_back(v, out.proof.verdict);
    if (out.proof.verdict.kind == VerdictKind::Proved) {
      out.value = v;
      break;
    }
    if (!r.no_argument.empty()) {
      out.no_argument = r.no_argument;
      break;
    }
  }
  if (!out.value) {
    burst_scan(cfg, spec, name, lo, hi, out);
    return out;
  }
  ModelParams below;
  try {
    below = with_param(cfg, name, *out.value - 1, "--param");
  } catch (const InputError&) {
    return out;  // the value one below is no valid model: there is nothing below to show
  }
  out.below = run_bmc(below, spec, spec.depth, opts);
  if (out.below->verdict.kind != VerdictKind::Violated) simulated_below(cfg, below, spec, out);
  if (out.below->verdict.kind != VerdictKind::Violated) burst_at(below, spec, out);
  return out;
}

}  // namespace kvcheck
