#pragma once
/// \file arg_list.h
/// A command line of another program (`vllm serve ...`, `vllm bench serve ...`) read against a
/// table of the flags kvcheck knows: `--name value`, `--name=value`, and for switches `--name` /
/// `--no-name`. Underscores in a name count as dashes, as in vLLM's FlexibleArgumentParser. An
/// unknown flag or a missing value is a config_error naming the flag (exit 151).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kvcheck::importers {

enum class ArgKind { Value, Switch };

/// One flag of the table. `ignored` flags are accepted and only listed in the output (they do
/// not change scheduling); `note` says why (or how a mapped flag is used).
struct ArgSpec {
  std::string_view name;  ///< without the leading `--`
  ArgKind kind;
  bool ignored;
  std::string_view note;
};

struct ParsedArgs {
  std::string where;                          ///< names the command line in errors
  std::map<std::string, std::string> values;  ///< name -> value ("true"/"false" for switches)
  std::vector<std::string> order;             ///< names in the order given (each once)
  std::vector<std::string> positionals;

  bool has(const std::string& name) const { return values.count(name) > 0; }
  /// The value of a switch: `fallback` when absent.
  bool flag(const std::string& name, bool fallback) const;
  /// The value of `--name` as an integer in [lo, hi]; `fallback` when absent.
  std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t lo,
                       std::int64_t hi) const;
  /// The value of `--name` as a finite number in [lo, hi]; `fallback` when absent.
  double number(const std::string& name, double fallback, double lo, double hi) const;
  /// The value of `--name`, or `fallback`.
  std::string text(const std::string& name, const std::string& fallback) const;
};

/// Parses `args` against `specs`. `where` names the command line in errors
/// (`command line: --the-flag: reason`); `unknown_reason` is the reason for a flag not in the
/// table.
ParsedArgs parse_args(const std::vector<std::string>& args, std::span<const ArgSpec> specs,
                      const std::string& where, const std::string& unknown_reason);

/// Splits a shell-like string into words: whitespace separates, single and double quotes group.
std::vector<std::string> split_words(const std::string& line, const std::string& where,
                                     const std::string& field);

/// The spec named `name`, or nullptr.
const ArgSpec* find_spec(std::span<const ArgSpec> specs, std::string_view name);

}  // namespace kvcheck::importers
