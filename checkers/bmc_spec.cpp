#include "checkers/bmc_spec.h"

#include "io/toml_section.h"

namespace kvcheck {
namespace {

/// A [lo, hi] pair of integers with min <= lo <= hi (left unchanged when absent).
void read_range(TomlSection& t, const std::string& key, std::int64_t min, std::int64_t& lo,
                std::int64_t& hi) {
  const auto* a = t.array(key);
  if (!a) return;
  if (a->size() != 2) t.fail(key, "expected [lo, hi]");
  const auto l = (*a)[0].value_exact<std::int64_t>();
  const auto h = (*a)[1].value_exact<std::int64_t>();
  if (!l || !h) t.fail(key, "expected two integers");
  if (*l < min || *h < *l)
    t.fail(key, "needs " + std::to_string(min) + " <= lo <= hi, got [" + std::to_string(*l) +
                    ", " + std::to_string(*h) + "]");
  lo = *l;
  hi = *h;
}

}  // namespace

BmcSpec parse_bmc_spec(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection t(toml_table_at(root, file, "bmc"), file, "bmc");
  BmcSpec s;
  s.slots = static_cast<int>(t.integer("slots", s.slots, 1, 16));
  read_range(t, "prompt", 1, s.prompt_lo, s.prompt_hi);
  read_range(t, "output", 1, s.output_lo, s.output_hi);
  read_range(t, "arrival", 0, s.arrival_lo, s.arrival_hi);
  s.per_class = t.boolean("per_class", s.per_class);
  if (s.per_class && cfg.model.classes.empty())
    t.fail("per_class", "needs [[classes]] with prompt and output");
  s.allow_absent = t.boolean("allow_absent", s.allow_absent);
  s.max_arrivals_per_step = t.integer("max_arrivals_per_step", 0, 0, 16);
  s.depth = t.integer("depth", s.depth, 1, 1000);
  s.max_k = t.integer("max_k", s.max_k, 1, 1000);
  s.timeout_ms = t.integer("timeout_ms", s.timeout_ms, 0, (1LL << 31) - 1);
  s.rlimit = t.integer("rlimit", s.rlimit, 0, (1LL << 32) - 1);
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
