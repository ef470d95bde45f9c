#include "checkers/fuzz/fuzz_spec.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>
#include <toml++/toml.h>
#include <utility>

#include "io/input_error.h"
#include "io/workload.h"
#include "io/limits.h"
#include "io/toml_section.h"

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

using Table = TomlSection;

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
  m.high_occupancy = s.number("min_high_occupancy", m.high_occupancy);
  m.preemption = s.number("min_preemption", m.preemption);
  m.near_boundary = s.number("min_near_boundary", m.near_boundary);
  s.reject_unknown();
}

void read_stability(const toml::table* t, const std::string& file, StabilitySpec& st) {
  Table s(t, file, "fuzz.stability");
  st.enabled = s.boolean("enabled", st.enabled);
  st.horizon = s.integer("horizon", st.horizon);
  st.epsilon = s.number("epsilon", st.epsilon);
  s.reject_unknown();
}

/// The stability run generates backlog + rate x horizon requests up front: refused when that
/// is more than a workload may hold (it used to run out of memory after minutes).
void check_stability_size(const Config& c, const std::string& file, const StabilitySpec& st) {
  if (!st.enabled) return;
  const double rate = arrivals_per_step(c);  // 0: explicit / trace, skipped
  // stability.cpp asks for count = backlog + ceil(rate x horizon); build_workload adds the
  // backlog on top of count (docs/config.md's limit is on count + backlog).
  const double backlog = static_cast<double>(c.workload.backlog);
  const double n = 2.0 * backlog + std::ceil(rate * static_cast<double>(st.horizon));
  if (n <= static_cast<double>(limits::kMaxRequests)) return;
  char msg[256];
  std::snprintf(msg, sizeof msg,
                "the stability run would generate %.4g requests (workload rate %g per step x "
                "horizon %lld), more than the %lld a workload may hold; lower the horizon or "
                "the rate, or set fuzz.stability.enabled = false",
                n, rate, static_cast<long long>(st.horizon),
                static_cast<long long>(limits::kMaxRequests));
  throw config_error(file, "fuzz.stability.horizon", msg);
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
  const toml::table root = parse_toml(c.text, file);
  const toml::table* ft = toml_table_at(root, file, "fuzz");
  FuzzSpec f;
  Table s(ft, file, "fuzz");
  f.shapes = read_shapes(s);
  f.max_requests = s.integer("max_requests", 0);
  f.runs = s.integer("runs", f.runs);
  f.max_groups = s.integer("max_groups", f.max_groups);
  f.max_prompt = s.integer("max_prompt", 0);
  f.max_output = s.integer("max_output", 0);
  // 0 = from the config's workload; else a rate as in [workload] (a tiny one made exp(-rate)
  // exactly 1 and the arrival tables 0 / 0).
  f.rate = s.number("rate", 0.0);
  f.max_steps = s.integer("max_steps", f.max_steps);
  f.starvation_bound = s.integer("starvation_bound", 0);
  f.occupancy_threshold = s.number("occupancy_threshold", f.occupancy_threshold);
  f.azure_trace = s.string("azure_trace", "");
  read_coverage(s.sub("coverage"), file, f.min_coverage);
  read_stability(s.sub("stability"), file, f.stability);
  s.reject_unknown();
  check_stability_size(c, file, f.stability);
  return f;
}

}  // namespace kvcheck::fuzz
