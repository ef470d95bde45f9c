#include "gate/sections.h"

#include <toml++/toml.h>

namespace kvcheck {

bool has_section(const Config& cfg, std::string_view section) {
  // load_config already validated the text, so a parse failure here cannot happen; treat it as
  // "absent" rather than throwing from a predicate.
  try {
    const auto table = toml::parse(cfg.text, cfg.path.string());
    return table.contains(section);
  } catch (const toml::parse_error&) {
    return false;
  }
}

}  // namespace kvcheck
