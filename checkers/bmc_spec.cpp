#include "checkers/bmc_spec.h"

#include "io/toml_section.h"

namespace kvcheck {
BmcSpec parse_bmc_spec(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection t(toml_table_at(root, file, "bmc"), file, "bmc");
  BmcSpec s;
  s.slots = static_cast<int>(t.integer("slots", s.slots));
  t.int_range("prompt", s.prompt_lo, s.prompt_hi);
  t.int_range("output", s.output_lo, s.output_hi);
  t.int_range("arrival", s.arrival_lo, s.arrival_hi);
  s.per_class = t.boolean("per_class", s.per_class);
  if (s.per_class && cfg.model.classes.empty())
    t.fail("per_class", "needs [[classes]] with prompt and output");
  s.allow_absent = t.boolean("allow_absent", s.allow_absent);
  s.max_arrivals_per_step = t.integer("max_arrivals_per_step", 0);
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

}  // namespace kvcheck
