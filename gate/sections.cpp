#include "gate/sections.h"

#include "io/toml_section.h"

namespace kvcheck {

bool has_section(const Config& cfg, std::string_view section) {
  // load_config already parsed this text, so parse_toml cannot throw here.
  return parse_toml(cfg.text, cfg.path.string()).contains(section);
}

}  // namespace kvcheck
