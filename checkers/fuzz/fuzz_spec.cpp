#include "checkers/fuzz/fuzz_spec.h"

#include <array>
#include <ostream>
#include <set>
#include <toml++/toml.h>
#include <utility>

#include "io/input_error.h"

namespace kvcheck::fuzz {
namespace {

constexpr std::array<std::pair<Shape, const char*>, 7> kShapes{{
    {Shape::Poisson, "poisson"},
    {Shape::OnOff, "on_off"},
    {Shape::Markov, "markov"},
    {Shape::QuietBurst, "quiet_burst"},
    {Shape::SyncFinish, "sync_finish"},
    {Shape::Azure, "azure"},
    {Shape::ClassMix, "class_mix"},
}};

/// Typed access to one table of the [fuzz] section; unknown keys are errors (usually typos).
class Table {
 public:
  Table(const toml::table* t, std::string file, std::string prefix)
      : t_(t), file_(std::move(file)), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    throw config_error(file_, prefix_ + "." + key, why);
  }
  std::int64_t integer(const std::string& key, std::int64_t def, std::int64_t lo,
                       std::int64_t hi) {
    seen_.insert(key);
    if (!t_ || !t_->contains(key)) return def;
    const auto v = (*t_)[key].value_exact<std::int64_t>();
    if (!v) fail(key, "expected an integer");
    if (*v < lo || *v > hi)
      fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                    std::to_string(*v));
    return *v;
  }
  double number(const std::string& key, double def, double lo, double hi) {
    seen_.insert(key);
    if (!t_ || !t_->contains(key)) return def;
    const auto v = (*t_)[key].value<double>();
    if (!v) fail(key, "expected a number");
    if (!(*v >= lo && *v <= hi))
      fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return *v;
  }
  bool boolean(const std::string& key, bool def) {
    seen_.insert(key);
    if (!t_ || !t_->contains(key)) return def;
    const auto v = (*t_)[key].value_exact<bool>();
    if (!v) fail(key, "expected true or false");
    return *v;
  }
  std::string string(const std::string& key, const std::string& def) {
    seen_.insert(key);
    if (!t_ || !t_->contains(key)) return def;
    const auto v = (*t_)[key].value_exact<std::string>();
    if (!v) fail(key, "expected a string");
    return *v;
  }
  const toml::array* array(const std::string& key) {
    seen_.insert(key);
    if (!t_ || !t_->contains(key)) return nullptr;
    const auto* a = (*t_)[key].as_array();
    if (!a) fail(key, "expected an array");
    return a;
  }
  const toml::table* sub(const std::string& key) {
    seen_.insert(key);
    if (!t_ || !t_->contains(key)) return nullptr;
    const auto* s = (*t_)[key].as_table();
    if (!s) fail(key, "expected a table");
    return s;
  }
  void reject_unknown() const {
    if (!t_) return;
    for (const auto& [k, v] : *t_)
      if (!seen_.count(std::string(k.str()))) fail(std::string(k.str()), "unknown field");
  }

 private:
  const toml::table* t_;
  std::string file_, prefix_;
  std::set<std::string> seen_;
};

std::vector<Shape> read_shapes(Table& t) {
  std::vector<Shape> out;
  const auto* arr = t.array("shapes");
  if (!arr) return out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto key = "shapes[" + std::to_string(i) + "]";
    const auto v = (*arr)[i].value_exact<std::string>();
    Shape s{};
    if (!v) t.fail(key, "expected a shape name");
    if (!parse_shape(*v, s))
      t.fail(key, "unknown shape \"" + *v +
                      "\" (expected poisson, on_off, markov, quiet_burst, sync_finish, azure, class_mix)");
    out.push_back(s);
  }
  if (out.empty()) t.fail("shapes", "must not be empty");
  return out;
}

void read_coverage(const toml::table* t, const std::string& file, CoverageMinimums& m) {
  Table s(t, file, "fuzz.coverage");
  m.high_occupancy = s.number("min_high_occupancy", m.high_occupancy, 0.0, 1.0);
  m.preemption = s.number("min_preemption", m.preemption, 0.0, 1.0);
  m.near_boundary = s.number("min_near_boundary", m.near_boundary, 0.0, 1.0);
  s.reject_unknown();
}

void read_stability(const toml::table* t, const std::string& file, StabilitySpec& st) {
  Table s(t, file, "fuzz.stability");
  st.enabled = s.boolean("enabled", st.enabled);
  st.horizon = s.integer("horizon", st.horizon, 100, 10'000'000);
  st.epsilon = s.number("epsilon", st.epsilon, 0.0, 1e9);
  s.reject_unknown();
}

}  // namespace

std::string to_string(Shape s) {
  for (const auto& [k, n] : kShapes)
    if (k == s) return n;
  return "?";
}

void showValue(Shape s, std::ostream& os) { os << to_string(s); }

bool parse_shape(const std::string& name, Shape& out) {
  for (const auto& [k, n] : kShapes)
    if (name == n) {
      out = k;
      return true;
    }
  return false;
}

FuzzSpec parse_fuzz_spec(const Config& c) {
  const std::string file = c.path.string();
  toml::table root;
  try {
    root = toml::parse(c.text, file);
  } catch (const toml::parse_error& e) {
    throw config_error(file, "line " + std::to_string(e.source().begin.line),
                       "TOML syntax: " + std::string(e.description()));
  }
  const toml::table* ft = nullptr;
  if (root.contains("fuzz") && !(ft = root["fuzz"].as_table()))
    throw config_error(file, "fuzz", "expected a table");
  FuzzSpec f;
  Table s(ft, file, "fuzz");
  f.shapes = read_shapes(s);
  f.max_requests = s.integer("max_requests", 0, 1, 100'000);
  f.runs = s.integer("runs", f.runs, 1, 100'000'000);
  f.max_groups = s.integer("max_groups", f.max_groups, 1, 1000);
  f.max_prompt = s.integer("max_prompt", 0, 1, 1LL << 30);
  f.max_output = s.integer("max_output", 0, 1, 1LL << 30);
  f.rate = s.number("rate", 0.0, 0.0, 1e6);
  f.max_steps = s.integer("max_steps", f.max_steps, 1, 1LL << 40);
  f.starvation_bound = s.integer("starvation_bound", 0, 0, 1LL << 40);
  f.occupancy_threshold = s.number("occupancy_threshold", f.occupancy_threshold, 0.0, 1.0);
  f.azure_trace = s.string("azure_trace", "");
  read_coverage(s.sub("coverage"), file, f.min_coverage);
  read_stability(s.sub("stability"), file, f.stability);
  s.reject_unknown();
  return f;
}

}  // namespace kvcheck::fuzz
