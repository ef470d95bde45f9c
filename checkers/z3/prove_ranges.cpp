#include "checkers/z3/prove_ranges.h"

#include "io/input_error.h"
#include "io/toml_section.h"

namespace kvcheck {

ProveRanges parse_prove_ranges(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection t(toml_table_at(root, file, "prove"), file, "prove");
  ProveRanges out;
  for (const auto knob : kKnobs) {
    const std::string key(knob_key(knob));
    if (!t.has(key)) continue;
    KnobRange r{knob, 0, 0};
    t.int_range(key, r.lo, r.hi);
    out.knobs.push_back(r);
  }
  if (t.has("class_budget")) {
    std::int64_t lo = 0, hi = 0;
    t.int_range("class_budget", lo, hi);
    if (cfg.model.policy.kind != PolicyKind::P1ClassBudgets || cfg.model.classes.empty())
      throw config_error(file, "prove.class_budget",
                         "only p1_class_budgets with [[classes]] reads class budgets (b_k)");
    out.class_budget = std::pair{lo, hi};
  }
  t.reject_unknown();
  return out;
}

}  // namespace kvcheck
