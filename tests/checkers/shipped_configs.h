#pragma once
/// \file shipped_configs.h
/// The shipped configs (configs/*.toml) as the Z3 tests load them, stated once.
#include <filesystem>
#include <string>

#include "io/config.h"

namespace kvcheck::test {

/// configs/<name> from the source tree (`name` with its .toml).
inline Config shipped_config(const std::string& name) {
  return load_config(std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / name);
}

}  // namespace kvcheck::test
