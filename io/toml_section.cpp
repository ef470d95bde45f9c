#include "io/toml_section.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "io/input_error.h"

namespace kvcheck {
namespace {

/// `v` as printf's %g writes it: 1e+06, 5e-324, inf.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

toml::table parse_toml(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw config_error(file, "line " + std::to_string(e.source().begin.line),
                       "TOML syntax: " + std::string(e.description()));
  }
}

const toml::table* toml_table_at(const toml::table& root, const std::string& file,
                                 const std::string& key) {
  if (!root.contains(key)) return nullptr;
  const auto* t = root[key].as_table();
  if (!t) throw config_error(file, key, "expected a table");
  return t;
}

TomlSection::TomlSection(const toml::table* t, std::string file, std::string prefix,
                         std::string schema_section)
    : t_(t), file_(std::move(file)), prefix_(std::move(prefix)),
      schema_(schema::find_section(schema_section.empty() ? prefix_ : schema_section)) {}

const schema::Key* TomlSection::spec(const std::string& key) {
  seen_.insert(key);
  if (!schema_) return nullptr;
  return &schema::key(schema_->name, key);
}

/// The schema's entry for `key`, which must exist and have type `type`.
static const schema::Key& typed(const schema::Key* k, schema::Type type, const std::string& key) {
  if (!k || k->type != type)
    throw std::logic_error("config schema: no entry of the requested type for " + key);
  return *k;
}

std::int64_t TomlSection::integer(const std::string& key, std::int64_t def) {
  const auto& k = typed(spec(key), schema::Type::Int, field(key));
  return integer(key, def, k.ilo, k.ihi);
}

double TomlSection::number(const std::string& key, double def) {
  const auto& k = typed(spec(key), schema::Type::Number, field(key));
  return k.zero_or ? zero_or_number(key, def, k.lo, k.hi) : number(key, def, k.lo, k.hi);
}

double TomlSection::number_or_inf(const std::string& key, double def) {
  if (has(key)) {
    const auto& node = (*t_)[key];
    if (const auto str = node.value_exact<std::string>()) {
      (void)spec(key);
      if (*str != "inf") fail(key, "expected a number or \"inf\", got \"" + *str + "\"");
      return std::numeric_limits<double>::infinity();
    }
    if (const auto v = node.value<double>(); v && std::isinf(*v) && *v > 0) {
      (void)spec(key);
      return *v;
    }
  }
  return number(key, def);
}

std::string TomlSection::choice(const std::string& key, const std::string& def) {
  const auto& k = typed(spec(key), schema::Type::String, field(key));
  const auto v = string(key, def);
  if (!has(key) || k.values.empty() || v == def) return v;
  for (const auto& ok : k.values)
    if (v == ok) return v;
  std::string expected;
  for (std::size_t i = 0; i < k.values.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == k.values.size() ? " or " : ", ") + ("\"" + k.values[i] + "\"");
  fail(key, "expected " + expected + ", got \"" + v + "\"");
}

void TomlSection::int_range(const std::string& key, std::int64_t& lo, std::int64_t& hi) {
  const auto& k = typed(spec(key), schema::Type::IntRange, field(key));
  const auto* a = array(key);
  if (!a) return;
  if (a->size() != 2) fail(key, "expected [lo, hi]");
  const auto l = (*a)[0].value_exact<std::int64_t>();
  const auto h = (*a)[1].value_exact<std::int64_t>();
  if (!l || !h) fail(key, "expected two integers");
  if (*l < k.ilo || *h < *l || *h > k.ihi)
    fail(key, "needs " + std::to_string(k.ilo) + " <= lo <= hi, got [" + std::to_string(*l) +
                  ", " + std::to_string(*h) + "]");
  lo = *l;
  hi = *h;
}

std::vector<std::int64_t> TomlSection::integers(const std::string& key) {
  const auto& k = typed(spec(key), schema::Type::IntArray, field(key));
  return integers(key, k.ilo, k.ihi);
}

std::string TomlSection::field(const std::string& key) const {
  return prefix_.empty() ? key : prefix_ + "." + key;
}

void TomlSection::fail(const std::string& key, const std::string& reason) const {
  throw config_error(file_, field(key), reason);
}

std::int64_t TomlSection::integer(const std::string& key, std::int64_t def, std::int64_t lo,
                                  std::int64_t hi) {
  (void)spec(key);
  if (!has(key)) return def;
  const auto v = (*t_)[key].value_exact<std::int64_t>();
  if (!v) fail(key, "expected an integer");
  if (*v < lo || *v > hi)
    fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                  std::to_string(*v));
  return *v;
}

double TomlSection::number(const std::string& key, double def, double lo, double hi) {
  (void)spec(key);
  if (!has(key)) return def;
  const auto v = (*t_)[key].value<double>();
  if (!v) fail(key, "expected a number");
  if (!std::isfinite(*v)) fail(key, "must be a finite number, got " + num(*v));
  if (std::isinf(hi)) {
    if (!(*v >= lo)) fail(key, "must be >= " + num(lo) + ", got " + num(*v));
  } else if (!(*v >= lo && *v <= hi)) {
    fail(key, "must be in [" + num(lo) + ", " + num(hi) + "], got " + num(*v));
  }
  return *v;
}

double TomlSection::zero_or_number(const std::string& key, double def, double lo, double hi) {
  const double v = number(key, def, 0.0, hi);
  if (v != 0.0 && v < lo)
    fail(key, "must be 0 or in [" + num(lo) + ", " + num(hi) + "], got " + num(v));
  return v;
}

bool TomlSection::boolean(const std::string& key, bool def) {
  (void)spec(key);
  if (!has(key)) return def;
  const auto v = (*t_)[key].value_exact<bool>();
  if (!v) fail(key, "expected true or false");
  return *v;
}

std::string TomlSection::string(const std::string& key, const std::string& def) {
  (void)spec(key);
  if (!has(key)) return def;
  const auto v = (*t_)[key].value_exact<std::string>();
  if (!v) fail(key, "expected a string");
  return *v;
}

const toml::array* TomlSection::array(const std::string& key) {
  (void)spec(key);
  if (!has(key)) return nullptr;
  const auto* a = (*t_)[key].as_array();
  if (!a) fail(key, "expected an array");
  return a;
}

const toml::table* TomlSection::sub(const std::string& key) {
  (void)spec(key);
  if (!has(key)) return nullptr;
  const auto* s = (*t_)[key].as_table();
  if (!s) fail(key, "expected a table");
  return s;
}

std::vector<std::int64_t> TomlSection::integers(const std::string& key, std::int64_t lo,
                                                std::int64_t hi) {
  std::vector<std::int64_t> out;
  const auto* a = array(key);
  if (!a) return out;
  for (const auto& e : *a) {
    const auto v = e.value_exact<std::int64_t>();
    if (!v || *v < lo || *v > hi)
      fail(key, hi == std::numeric_limits<std::int64_t>::max()
                    ? "expected integers >= " + std::to_string(lo)
                    : "expected integers in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
    out.push_back(*v);
  }
  if (out.empty()) fail(key, "must not be empty");
  return out;
}

std::vector<std::string> TomlSection::strings(const std::string& key, bool& present) {
  std::vector<std::string> out;
  const auto* a = array(key);
  present = a != nullptr;
  if (!a) return out;
  for (const auto& e : *a) {
    const auto v = e.value_exact<std::string>();
    if (!v) fail(key, "expected an array of strings");
    out.push_back(*v);
  }
  return out;
}

void TomlSection::reject_unknown(const std::string& context) const {
  if (!t_) return;
  for (const auto& [k, v] : *t_) {
    const std::string key(k.str());
    if (seen_.count(key)) continue;
    if (schema_ && schema::find_key(schema_->name, key)) fail(key, "not used" + context);
    fail(key, "unknown field");
  }
}

}  // namespace kvcheck
