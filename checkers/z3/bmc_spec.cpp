#include "checkers/z3/bmc_spec.h"

#include <algorithm>

#include "io/toml_section.h"

namespace kvcheck {
BmcSpec parse_bmc_spec(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection t(toml_table_at(root, file, "bmc"), file, "bmc");
  BmcSpec s;
  s.envelope = workload_envelope(cfg);
  const auto& env = s.envelope;
  // The checker's budget: at most 3 requests and arrival steps 0..3 unless [bmc] says.
  const auto budget = [](std::int64_t own, std::int64_t bound) {
    return bound > 0 ? std::min(own, bound) : own;
  };
  s.slots = static_cast<int>(t.integer("slots", budget(3, env.max_requests)));
  if (env.max_requests > 0 && s.slots > env.max_requests)
    t.fail("slots", widens("requests", s.slots, env.max_requests));
  s.per_class = env.from_classes;
  if (env.from_classes) {
    for (const auto* k : {"prompt", "output"})
      if (t.has(k)) t.fail(k, "the lengths of a config with [[classes]] are the classes' own");
  } else {
    const auto& c = env.classes.front();
    s.prompt_lo = c.prompt.lo, s.prompt_hi = c.prompt.hi;
    s.output_lo = c.output.lo, s.output_hi = c.output.hi;
    t.int_range("prompt", s.prompt_lo, s.prompt_hi);
    t.int_range("output", s.output_lo, s.output_hi);
    if (s.prompt_lo < c.prompt.lo || s.prompt_hi > c.prompt.hi)
      t.fail("prompt", widens_range("prompt", {s.prompt_lo, s.prompt_hi}, c.prompt));
    if (s.output_lo < c.output.lo || s.output_hi > c.output.hi)
      t.fail("output", widens_range("output", {s.output_lo, s.output_hi}, c.output));
  }
  s.arrival_lo = 0;
  s.arrival_hi = env.last_arrival >= 0 ? std::min<std::int64_t>(3, env.last_arrival) : 3;
  t.int_range("arrival", s.arrival_lo, s.arrival_hi);
  if (env.last_arrival >= 0 && s.arrival_hi > env.last_arrival)
    t.fail("arrival", widens("last arrival step", s.arrival_hi, env.last_arrival));
  s.allow_absent = t.boolean("allow_absent", s.allow_absent);
  s.max_arrivals_per_step = t.integer("max_arrivals_per_step", env.max_arrivals_per_step);
  if (env.max_arrivals_per_step > 0 &&
      (s.max_arrivals_per_step == 0 || s.max_arrivals_per_step > env.max_arrivals_per_step))
    t.fail("max_arrivals_per_step",
           widens("arrivals per step", s.max_arrivals_per_step, env.max_arrivals_per_step));
  s.max_concurrency = env.max_concurrency;
  s.depth = t.integer("depth", s.depth);
  s.max_k = t.integer("max_k", s.max_k);
  s.timeout_ms = t.integer("timeout_ms", s.timeout_ms);
  s.rlimit = t.integer("rlimit", s.rlimit);
  bool given = false;
  const auto names = t.strings("properties", given);
  if (given && names.empty())
    t.fail("properties", "empty: a check of no property would pass vacuously; name at least one");
  s.properties = cfg.check.properties;
  if (!names.empty()) s.properties.clear();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto id = parse_property(names[i]);
    if (!id) t.fail("properties[" + std::to_string(i) + "]", "unknown property \"" + names[i] + "\"");
    s.properties.push_back(*id);
  }
  s.invariants = t.strings("invariants", given);
  t.reject_unknown();
  return s;
}

EnvelopeCoverage bmc_coverage(const BmcSpec& spec) {
  EnvelopeCoverage c;
  c.max_requests = spec.slots;
  c.max_arrivals_per_step = spec.max_arrivals_per_step;
  c.last_arrival = spec.arrival_hi;
  if (!spec.per_class) {
    c.prompt = {spec.prompt_lo, spec.prompt_hi};
    c.output = {spec.output_lo, spec.output_hi};
  }
  if (spec.arrival_lo > 0) c.note = "arrival steps >= " + std::to_string(spec.arrival_lo);
  if (!spec.allow_absent)
    c.note += (c.note.empty() ? "" : "; ") + std::string("exactly ") +
              std::to_string(spec.slots) + " requests";
  return c;
}

}  // namespace kvcheck
