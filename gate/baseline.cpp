#include "gate/baseline.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "gate/gate_metrics.h"

namespace kvcheck {
namespace {

using Kind = BaselineChange::Kind;

std::string verdict_text(const Verdict& v) {
  std::string s = to_string(v);
  if (v.kind == VerdictKind::Violated) s += " " + v.reason + " @" + std::to_string(v.depth);
  return s;
}

std::string number(double v) { return fmt::format("{:.6g}", v); }

void compare_metrics(const std::string& config, const GateRow& b, const GateRow& a,
                     double tolerance, std::vector<BaselineChange>& out) {
  for (const auto& m : kGateMetrics) {
    const std::string name(m.name);
    const auto ib = b.result.metrics.find(name), ia = a.result.metrics.find(name);
    if (ib == b.result.metrics.end() || ia == a.result.metrics.end()) continue;
    const double delta = ia->second - ib->second;
    if (std::abs(delta) <= tolerance * std::abs(ib->second) || delta == 0.0) continue;
    const bool worse = m.higher_is_better ? delta < 0 : delta > 0;
    out.push_back({worse ? Kind::MetricWorse : Kind::MetricBetter, config, a.checker, name,
                   number(ib->second), number(ia->second), worse});
  }
}

void compare_rows(const GateEntry& b, const GateEntry& a, double tolerance,
                  std::vector<BaselineChange>& out) {
  const auto key = a.config.generic_string();
  std::map<std::string, const GateRow*> before;
  for (const auto& r : b.rows) before[r.checker] = &r;
  for (const auto& r : a.rows) {
    const auto it = before.find(r.checker);
    if (it == before.end()) continue;
    const auto vb = verdict_text(it->second->result.verdict), va = verdict_text(r.result.verdict);
    if (vb != va) {
      const auto kb = it->second->result.verdict.kind, ka = r.result.verdict.kind;
      const bool fresh = ka == VerdictKind::Violated && kb != VerdictKind::Violated;
      const bool worse = a.expect == "violated"
                             ? kb == VerdictKind::Violated && ka != VerdictKind::Violated
                             : severity(ka) > severity(kb);
      out.push_back({fresh ? Kind::NewCounterexample : Kind::VerdictChanged, key, r.checker,
                     "verdict", vb, va, worse});
    }
    compare_metrics(key, *it->second, r, tolerance, out);
  }
}

}  // namespace

bool BaselineDiff::regressed() const {
  for (const auto& c : changes)
    if (c.regression) return true;
  return false;
}

BaselineDiff compare_to_baseline(const GateReport& before, const GateReport& after,
                                 double tolerance) {
  BaselineDiff d;
  d.tolerance = tolerance;
  std::map<std::string, const GateEntry*> old;
  for (const auto& e : before.entries) old[e.config.generic_string()] = &e;
  for (const auto& a : after.entries) {
    const auto key = a.config.generic_string();
    const auto it = old.find(key);
    if (it == old.end()) {
      d.changes.push_back(
          {Kind::ConfigAdded, key, "", "config", "-", a.met ? "met" : "NOT MET", false});
      continue;
    }
    const auto& b = *it->second;
    if (b.met && !a.met)
      d.changes.push_back({Kind::ExpectationBroken, key, "", "expectation", "met", a.why, true});
    if (!b.met && a.met)
      d.changes.push_back({Kind::ExpectationFixed, key, "", "expectation", b.why, "met", false});
    compare_rows(b, a, tolerance, d.changes);
    old.erase(it);
  }
  for (const auto& [key, e] : old)
    d.changes.push_back(
        {Kind::ConfigRemoved, key, "", "config", e->met ? "met" : "NOT MET", "-", false});
  return d;
}

void write_baseline_markdown(const BaselineDiff& d, std::ostream& os) {
  static const std::map<Kind, const char*> label = {
      {Kind::VerdictChanged, "verdict changed"}, {Kind::NewCounterexample, "new counterexample"},
      {Kind::ExpectationBroken, "expectation broken"},
      {Kind::ExpectationFixed, "expectation fixed"}, {Kind::MetricWorse, "metric worse"},
      {Kind::MetricBetter, "metric better"}, {Kind::ConfigAdded, "config added"},
      {Kind::ConfigRemoved, "config removed"}};
  os << "\n## Against the baseline (metric tolerance " << number(d.tolerance * 100) << " %)\n\n";
  if (d.changes.empty()) {
    os << "No verdict, expectation or metric changed.\n";
    return;
  }
  os << "| config | checker | change | what | before | after |\n|---|---|---|---|---|---|\n";
  for (const auto& c : d.changes)
    os << "| " << c.config << " | " << (c.checker.empty() ? "-" : c.checker) << " | "
       << label.at(c.kind) << (c.regression ? " (regression)" : "") << " | " << c.what << " | " << c.before << " | " << c.after << " |\n";
  os << "\n" << (d.regressed() ? "Regressed against the baseline." : "No regression.") << "\n";
}

}  // namespace kvcheck
