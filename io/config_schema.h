#pragma once
/// \file config_schema.h
/// The one config schema: every section and every key kvcheck accepts in a TOML config, with its
/// type, its allowed range or values, its default, unit and a one-line doc. Everything else
/// follows from it:
/// - `check_config_keys` (called by parse_config, so by every command) rejects an unknown
///   section or key anywhere, [bmc], [fuzz], [explore], [[classes]] and workload requests
///   included, before any reader runs;
/// - the readers (io/config.cpp, checkers/z3/bmc_spec.cpp, checkers/fuzz/fuzz_spec.cpp,
///   checkers/explicit/explore_options.cpp) read through TomlSection, which takes each static
///   range and value list from here and refuses (std::logic_error, a kvcheck bug) a key this
///   table does not list;
/// - `kvcheck schema --markdown` and the key tables of docs/config.md and docs/explorer.md
///   (tests/io/config_schema_test.cpp checks the committed docs equal the generated text).
/// Cross-field rules (a watermark below the pool, flow_budget_max >= flow_budget_min, the keys a
/// workload kind uses) stay in the readers; `note` states them for the docs.
#include <cstdint>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace kvcheck::schema {

enum class Type {
  Int,          ///< a TOML integer in [ilo, ihi]
  Number,       ///< an integer or float, finite, in [lo, hi] (or 0 when zero_or)
  Bool,
  String,       ///< any string, or one of `values` when that is not empty
  IntRange,     ///< [lo, hi] with ilo <= lo <= hi <= ihi
  IntArray,     ///< a non-empty array of integers in [ilo, ihi]
  StringArray,  ///< an array of strings, each one of `values` when that is not empty
  Table,        ///< a sub-table whose keys are the section `sub`
  TableArray,   ///< an array of tables whose keys are the section `sub`
};

struct Key {
  std::string name;
  Type type = Type::Int;
  std::int64_t ilo = 0, ihi = 0;  ///< Int, IntRange, IntArray
  double lo = 0.0, hi = 0.0;      ///< Number
  bool zero_or = false;           ///< Number: 0, or in [lo, hi] (0 < lo)
  std::vector<std::string> values;  ///< String / StringArray: the allowed values (empty: any)
  std::string def;                ///< the default, as the docs print it ("—" when required)
  std::string note;               ///< a further constraint the reader checks (docs only)
  std::string unit;
  std::string applies;            ///< the policies / workload kinds that use it (docs only)
  std::string doc;                ///< one line
  std::string sub;                ///< Table / TableArray: the schema section of the elements
  std::string range_text;         ///< docs: replaces the range derived from ilo/ihi (dynamic)
};

struct Section {
  std::string name;       ///< "engine", "classes", "fuzz.coverage", "workload.requests"
  bool top = true;        ///< a top-level section (else reached through a Table/TableArray key)
  bool array = false;     ///< [[name]]: an array of tables
  std::string applies_header;  ///< docs: the header of the `applies` column ("" = no column)
  std::vector<Key> keys;
};

/// Every section, top-level ones first in docs order.
const std::vector<Section>& sections();
/// nullptr when there is no such section / key.
const Section* find_section(std::string_view section);
const Key* find_key(std::string_view section, std::string_view key);
/// The key; throws std::logic_error when the table lacks it (a reader asking for a key the
/// schema does not list is a kvcheck bug).
const Key& key(std::string_view section, std::string_view key);

/// Rejects, as InputError(ConfigError) "file: section.key: unknown field" (or "name: unknown
/// section"), every section or key the table does not list, at any depth; also a section that
/// is not a table (an array of tables for [[classes]]). Values are left to the readers.
void check_config_keys(const toml::table& root, const std::string& file);

/// The documentation of one section: a Markdown table, one row per key.
std::string markdown_table(const Section& s);
/// One row per registered policy (models/policies/registry.h): name, source, summary, traits.
/// Written between `<!-- schema:policies -->` markers (docs/architecture.md).
std::string policy_table();
/// Every section's table, each between its docs markers (`<!-- schema:NAME -->` and
/// `<!-- /schema:NAME -->`), as `kvcheck schema --markdown` prints it.
std::string markdown_all();
/// `doc` with the text between each pair of markers replaced by that section's generated
/// table. Throws std::runtime_error naming an unknown section or an unclosed marker.
std::string update_markdown(const std::string& doc);
/// The sections whose markers `doc` contains.
std::vector<std::string> documented_sections(const std::string& doc);

/// Numbers as the docs print them: 2^30, 2^31 - 1, 10^7, 1e-6, 0.9.
std::string format_int(std::int64_t v);
std::string format_number(double v);
/// The range column of a key ("[1, 2^30]", "0 or [1e-6, 1e6]", "`front`, `back`").
std::string range_text(const Key& k);

}  // namespace kvcheck::schema
