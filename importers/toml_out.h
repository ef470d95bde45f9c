#pragma once
/// \file toml_out.h
/// A TOML section as the importer writes it: `key = value` lines, each with the comment that
/// says where the value came from, and free comment lines above the keys.
#include <string>
#include <vector>

namespace kvcheck::importers {

struct TomlLine {
  std::string key_value;  ///< `num_blocks = 8575`
  std::string comment;    ///< `--num-gpu-blocks-override 8576, minus the null block`
};

struct Section {
  std::string header;              ///< `[engine]`
  std::vector<std::string> notes;  ///< comment lines above the keys
  std::vector<TomlLine> lines;
};

/// The section as text: notes as `# ...` lines, then each key with its comment aligned.
std::string render(const Section& s);

}  // namespace kvcheck::importers
