#include "importers/arg_list.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "io/input_error.h"

namespace kvcheck::importers {
namespace {

std::string dashed(std::string s) {
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

void put(ParsedArgs& out, const std::string& name, std::string value) {
  if (out.has(name)) throw config_error(out.where, "--" + name, "given twice");
  out.values.emplace(name, std::move(value));
  out.order.push_back(name);
}

/// Reads one `--...` word (and, for a value flag without `=`, the next word); returns the index
/// of the last word used.
std::size_t read_flag(const std::vector<std::string>& args, std::size_t i,
                      std::span<const ArgSpec> specs, ParsedArgs& out,
                      const std::string& unknown_reason) {
  std::string body = args[i].substr(2);
  std::string value;
  const auto eq = body.find('=');
  const bool inline_value = eq != std::string::npos;
  if (inline_value) {
    value = body.substr(eq + 1);
    body = body.substr(0, eq);
  }
  const std::string name = dashed(body);
  if (const auto* s = find_spec(specs, name)) {
    if (s->kind == ArgKind::Switch) {
      if (inline_value) throw config_error(out.where, "--" + name, "is a switch: no value");
      put(out, name, "true");
      return i;
    }
    if (!inline_value) {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
        throw config_error(out.where, "--" + name, "needs a value");
      value = args[++i];
    }
    put(out, name, value);
    return i;
  }
  if (name.rfind("no-", 0) == 0) {
    const auto* s = find_spec(specs, name.substr(3));
    if (s && s->kind == ArgKind::Switch && !inline_value) {
      put(out, name.substr(3), "false");
      return i;
    }
  }
  throw config_error(out.where, "--" + name, unknown_reason);
}

}  // namespace

const ArgSpec* find_spec(std::span<const ArgSpec> specs, std::string_view name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

ParsedArgs parse_args(const std::vector<std::string>& args, std::span<const ArgSpec> specs,
                      const std::string& where, const std::string& unknown_reason) {
  ParsedArgs out;
  out.where = where;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) == 0 && args[i].size() > 2)
      i = read_flag(args, i, specs, out, unknown_reason);
    else if (args[i].rfind("-", 0) == 0 && args[i].size() > 1)
      throw config_error(where, args[i], "short options are not read: use the long form");
    else
      out.positionals.push_back(args[i]);
  }
  return out;
}

bool ParsedArgs::flag(const std::string& name, bool fallback) const {
  const auto it = values.find(name);
  return it == values.end() ? fallback : it->second == "true";
}

std::int64_t ParsedArgs::integer(const std::string& name, std::int64_t fallback, std::int64_t lo,
                                 std::int64_t hi) const {
  const auto it = values.find(name);
  if (it == values.end()) return fallback;
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size())
    throw config_error(where, "--" + name, "not an integer: '" + it->second + "'");
  if (v < lo || v > hi)
    throw config_error(
        where, "--" + name,
        "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + it->second);
  return v;
}

double ParsedArgs::number(const std::string& name, double fallback, double lo, double hi) const {
  const auto it = values.find(name);
  if (it == values.end()) return fallback;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || !std::isfinite(v))
    throw config_error(where, "--" + name, "not a finite number: '" + it->second + "'");
  if (v < lo || v > hi)
    throw config_error(
        where, "--" + name,
        "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + it->second);
  return v;
}

std::string ParsedArgs::text(const std::string& name, const std::string& fallback) const {
  const auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

std::vector<std::string> split_words(const std::string& line, const std::string& where,
                                     const std::string& field) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) throw config_error(where, field, "unterminated quote");
  if (in_word) words.push_back(cur);
  return words;
}

}  // namespace kvcheck::importers
