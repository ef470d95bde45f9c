#pragma once
/// \file sections.h
/// Whether a config declares a given top-level section ([bmc], [fuzz], [explore], ...): each
/// backend's adapter applies only to configs that give it its bounds.
#include <string_view>

#include "io/config.h"

namespace kvcheck {

bool has_section(const Config& cfg, std::string_view section);

}  // namespace kvcheck
