#include "checkers/z3/prove_ranges.h"

#include "io/toml_section.h"

namespace kvcheck {

std::vector<KnobRange> parse_prove_ranges(const Config& cfg) {
  const std::string file = cfg.path.string();
  const toml::table root = parse_toml(cfg.text, file);
  TomlSection t(toml_table_at(root, file, "prove"), file, "prove");
  std::vector<KnobRange> out;
  for (const auto knob : kKnobs) {
    const std::string key(knob_key(knob));
    if (!t.has(key)) continue;
    KnobRange r{knob, 0, 0};
    t.int_range(key, r.lo, r.hi);
    out.push_back(r);
  }
  t.reject_unknown();
  return out;
}

}  // namespace kvcheck
