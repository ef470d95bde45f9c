#pragma once
/// \file toml_section.h
/// The one TOML access layer: every config section (io/config.cpp's own, and the [bmc], [fuzz],
/// [explore] sections the checkers read from Config::text) goes through it, so every bad value
/// is the same one-line InputError "file: section.field: reason" (exit 151) and every unknown
/// key (usually a typo) is reported instead of silently ignored.
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "io/config_schema.h"
#include "models/params.h"

namespace kvcheck {

/// Parses TOML text; a syntax error is "file: line N: TOML syntax: ...".
toml::table parse_toml(const std::string& text, const std::string& file);

/// root[key] as a table: nullptr when absent, an error when it is not a table.
const toml::table* toml_table_at(const toml::table& root, const std::string& file,
                                 const std::string& key);

/// Typed, validating access to one table; remembers which keys were read.
///
/// When `schema_section` (default: `prefix`) names a section of io/config_schema.h, every key
/// read must be listed there (else std::logic_error: a kvcheck bug, caught by
/// tests/io/config_schema_test.cpp), and the overloads without bounds take the key's range or
/// values from the schema, so that a range is written once.
class TomlSection {
 public:
  TomlSection(const toml::table* t, std::string file, std::string prefix,
              std::string schema_section = "");

  bool present() const { return t_ != nullptr; }
  bool has(const std::string& key) const { return t_ && t_->contains(key); }
  /// "prefix.key" (or "key" at the top level), as error messages name it.
  std::string field(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;

  std::int64_t integer(const std::string& key, std::int64_t def, std::int64_t lo,
                       std::int64_t hi = kUnlimited);
  /// An integer in the schema's [ilo, ihi] for `key`.
  std::int64_t integer(const std::string& key, std::int64_t def);
  /// A number in the schema's range for `key` (0 or [lo, hi] when the schema says zero_or).
  double number(const std::string& key, double def);
  /// A number in the schema's range for `key`, or infinity for the string "inf" (or TOML's
  /// `inf`): `vllm bench serve --request-rate`'s default.
  double number_or_inf(const std::string& key, double def);
  /// A string that is one of the schema's values for `key`.
  std::string choice(const std::string& key, const std::string& def);
  /// A [lo, hi] pair with the schema's ilo <= lo <= hi (left unchanged when absent).
  void int_range(const std::string& key, std::int64_t& lo, std::int64_t& hi);
  /// A non-empty array of integers in the schema's [ilo, ihi] (empty when absent).
  std::vector<std::int64_t> integers(const std::string& key);
  /// A finite number in [lo, hi]: inf and nan (which TOML accepts) are always errors.
  double number(const std::string& key, double def, double lo,
                double hi = std::numeric_limits<double>::infinity());
  /// A finite number that is 0 or in [lo, hi] (0 < lo): rates and times, where a tiny positive
  /// value (a subnormal, 1e-300) means an astronomically long gap rather than "nothing".
  double zero_or_number(const std::string& key, double def, double lo, double hi);
  bool boolean(const std::string& key, bool def);
  std::string string(const std::string& key, const std::string& def);
  /// nullptr when absent; an error when present but not an array / a table.
  const toml::array* array(const std::string& key);
  const toml::table* sub(const std::string& key);
  /// A non-empty array of integers in [lo, hi] (empty when absent).
  std::vector<std::int64_t> integers(const std::string& key, std::int64_t lo,
                                     std::int64_t hi = std::numeric_limits<std::int64_t>::max());
  /// An array of strings; `present` says whether the key was given at all.
  std::vector<std::string> strings(const std::string& key, bool& present);
  /// Every key not read so far is an error: "unknown field" when the schema does not list it,
  /// else "not used" + `context` (a key of the section that this reading ignores, such as
  /// workload.interval with kind = "explicit").
  void reject_unknown(const std::string& context = " here") const;

 private:
  /// The schema's entry for `key` (nullptr without a schema section); marks `key` read.
  const schema::Key* spec(const std::string& key);

  const toml::table* t_;
  std::string file_, prefix_;
  const schema::Section* schema_ = nullptr;
  std::set<std::string> seen_;
};

}  // namespace kvcheck
