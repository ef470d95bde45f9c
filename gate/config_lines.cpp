#include "gate/config_lines.h"

#include <fstream>

namespace kvcheck {
namespace {

/// `line` up to its comment: the first '#' outside a basic or literal string.
std::string_view code_part(std::string_view line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      return line.substr(0, i);
    }
  }
  return line;
}

std::string_view trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

ConfigLines ConfigLines::read(const std::filesystem::path& config) {
  std::vector<std::string> lines;
  std::ifstream in(config);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return ConfigLines(std::move(lines));
}

int ConfigLines::quoted(std::string_view word) const {
  const std::string needle = "\"" + std::string(word) + "\"";
  for (std::size_t i = 0; i < lines_.size(); ++i)
    if (code_part(lines_[i]).find(needle) != std::string_view::npos)
      return static_cast<int>(i + 1);
  return 0;
}

int ConfigLines::section(std::string_view name) const {
  const std::string table = "[" + std::string(name) + "]", array = "[" + table + "]";
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const auto code = trimmed(code_part(lines_[i]));
    if (code == table || code == array) return static_cast<int>(i + 1);
  }
  return 0;
}

int ConfigLines::key(std::string_view key) const {
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const auto code = trimmed(code_part(lines_[i]));
    if (code.substr(0, key.size()) != key) continue;
    if (trimmed(code.substr(key.size())).substr(0, 1) == "=") return static_cast<int>(i + 1);
  }
  return 0;
}

}  // namespace kvcheck
