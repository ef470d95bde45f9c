#pragma once
/// \file config_lines.h
/// Where things are in a config file, for the reports' source regions (a SARIF result points
/// at the line of the property it is about). A plain text scan of the TOML file: comments are
/// skipped, nothing is interpreted. A line number is 1-based; 0 means not found.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kvcheck {

class ConfigLines {
 public:
  /// The file's lines; an unreadable file gives no lines (every lookup is then 0).
  static ConfigLines read(const std::filesystem::path& config);
  explicit ConfigLines(std::vector<std::string> lines) : lines_(std::move(lines)) {}

  /// The first line holding `"word"` (quoted) outside a comment.
  int quoted(std::string_view word) const;
  /// The line of the table header `[name]` or `[[name]]`.
  int section(std::string_view name) const;
  /// The first line that assigns `key = ...` (after optional indentation).
  int key(std::string_view key) const;

 private:
  std::vector<std::string> lines_;
};

}  // namespace kvcheck
