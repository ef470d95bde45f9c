#include "checkers/bmc_spec.h"

#include <set>
#include <toml++/toml.h>

#include "io/input_error.h"

namespace kvcheck {
namespace {

/// Typed access to the [bmc] table with "file: bmc.field: reason" errors.
class BmcTable {
 public:
  BmcTable(const toml::table* t, std::string file) : t_(t), file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
    throw config_error(file_, "bmc." + key, reason);
  }
  const toml::node* get(const std::string& key) {
    seen_.insert(key);
    return t_ ? t_->get(key) : nullptr;
  }
  std::int64_t integer(const std::string& key, std::int64_t def, std::int64_t lo,
                       std::int64_t hi) {
    const auto* n = get(key);
    if (!n) return def;
    const auto v = n->value_exact<std::int64_t>();
    if (!v) fail(key, "expected an integer");
    if (*v < lo || *v > hi)
      fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                    std::to_string(*v));
    return *v;
  }
  bool boolean(const std::string& key, bool def) {
    const auto* n = get(key);
    if (!n) return def;
    const auto v = n->value_exact<bool>();
    if (!v) fail(key, "expected true or false");
    return *v;
  }
  /// A [lo, hi] pair of integers with min <= lo <= hi.
  void range(const std::string& key, std::int64_t min, std::int64_t& lo, std::int64_t& hi) {
    const auto* n = get(key);
    if (!n) return;
    const auto* a = n->as_array();
    if (!a || a->size() != 2) fail(key, "expected [lo, hi]");
    const auto l = (*a)[0].value_exact<std::int64_t>();
    const auto h = (*a)[1].value_exact<std::int64_t>();
    if (!l || !h) fail(key, "expected two integers");
    if (*l < min || *h < *l)
      fail(key, "needs " + std::to_string(min) + " <= lo <= hi, got [" + std::to_string(*l) +
                    ", " + std::to_string(*h) + "]");
    lo = *l;
    hi = *h;
  }
  std::vector<std::string> strings(const std::string& key) {
    std::vector<std::string> out;
    const auto* n = get(key);
    if (!n) return out;
    const auto* a = n->as_array();
    if (!a) fail(key, "expected an array of strings");
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto v = (*a)[i].value_exact<std::string>();
      if (!v) fail(key + "[" + std::to_string(i) + "]", "expected a string");
      out.push_back(*v);
    }
    return out;
  }
  void reject_unknown() const {
    if (!t_) return;
    for (const auto& [k, v] : *t_)
      if (!seen_.count(std::string(k.str()))) fail(std::string(k.str()), "unknown field");
  }

 private:
  const toml::table* t_;
  std::string file_;
  std::set<std::string> seen_;
};

}  // namespace

BmcSpec parse_bmc_spec(const Config& cfg) {
  const std::string file = cfg.path.string();
  toml::table root;
  try {
    root = toml::parse(cfg.text, file);
  } catch (const toml::parse_error& e) {
    throw config_error(file, "", std::string("TOML parse error: ") + std::string(e.description()));
  }
  const auto* node = root.get("bmc");
  if (node && !node->is_table()) throw config_error(file, "bmc", "expected a table");
  BmcTable t(node ? node->as_table() : nullptr, file);
  BmcSpec s;
  s.slots = static_cast<int>(t.integer("slots", s.slots, 1, 16));
  t.range("prompt", 1, s.prompt_lo, s.prompt_hi);
  t.range("output", 1, s.output_lo, s.output_hi);
  t.range("arrival", 0, s.arrival_lo, s.arrival_hi);
  s.per_class = t.boolean("per_class", s.per_class);
  if (s.per_class && cfg.model.classes.empty())
    t.fail("per_class", "needs [[classes]] with prompt and output");
  s.allow_absent = t.boolean("allow_absent", s.allow_absent);
  s.max_arrivals_per_step = t.integer("max_arrivals_per_step", 0, 0, 16);
  s.depth = t.integer("depth", s.depth, 1, 1000);
  s.max_k = t.integer("max_k", s.max_k, 1, 1000);
  s.timeout_ms = t.integer("timeout_ms", s.timeout_ms, 0, 1LL << 31);
  const auto names = t.strings("properties");
  s.properties = cfg.check.properties;
  if (!names.empty()) s.properties.clear();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto id = parse_property(names[i]);
    if (!id) t.fail("properties[" + std::to_string(i) + "]", "unknown property \"" + names[i] + "\"");
    s.properties.push_back(*id);
  }
  s.invariants = t.strings("invariants");
  t.reject_unknown();
  return s;
}

}  // namespace kvcheck
