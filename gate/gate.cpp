#include "gate/gate.h"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "checkers/z3/confirm.h"
#include "counterexamples/itf.h"
#include "gate/z3_checkers.h"
#include "io/config.h"

namespace kvcheck {
namespace {

bool selected(const std::string& name, const std::vector<std::string>& only) {
  return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
}

void judge(GateEntry& e) {
  bool violated = false, matching = false;
  std::string inconclusive;  // the first UNKNOWN: never a pass
  for (const auto& row : e.rows) {
    const auto& v = row.result.verdict;
    if (v.kind == VerdictKind::Unknown && inconclusive.empty())
      inconclusive = row.checker + " inconclusive: " + v.reason;
    if (v.kind == VerdictKind::Error) {
      e.met = false;
      e.why = row.checker + ": " + v.reason;
      e.code = ExitCode::InternalError;
      return;
    }
    if (v.kind != VerdictKind::Violated) continue;
    violated = true;
    matching = matching || e.expect_property.empty() || v.reason == e.expect_property;
    if (e.expect != "violated") {
      e.met = false;
      e.why = row.checker + " found " + v.reason + " at step " + std::to_string(v.depth);
      e.code = worse(e.code, to_exit_code(v));
    }
  }
  if (e.expect == "violated" && !(violated && matching)) {
    e.met = false;
    e.why = violated ? "violated, but not " + e.expect_property
                     : "expected a violation; no checker found one";
    e.code = worse(e.code, ExitCode::Inconclusive);
  }
  if (e.met && !inconclusive.empty() && e.expect != "violated") {
    e.met = false;
    e.why = inconclusive;
    e.code = worse(e.code, ExitCode::Inconclusive);
  }
  judge_twin(e);
}

/// Runs `c` unless the gate's deadline has passed (then an UNKNOWN row); a checker that ran
/// past the deadline and came back with a pass is UNKNOWN too (its run may have been cut).
CheckResult run_within(Checker& c, const Config& cfg, const CheckBudget& budget) {
  const auto past = [&] {
    return budget.deadline && std::chrono::steady_clock::now() >= *budget.deadline;
  };
  if (past())
    return {Verdict::unknown("not run: the gate's time limit was reached"), std::nullopt,
            "not run", 0.0};
  auto r = c.run(cfg, budget);
  const auto k = r.verdict.kind;
  if (past() && (k == VerdictKind::Proved || k == VerdictKind::BoundedOk))
    r.verdict = Verdict::unknown("the gate's time limit was reached during this check");
  return r;
}

/// Runs the mutated twin of a config some checker PROVED.
void check_twin(const Config& cfg, const CheckBudget& budget, GateEntry& e,
                std::ostream* progress) {
  const bool proved = std::any_of(e.rows.begin(), e.rows.end(), [](const GateRow& r) {
    return r.result.verdict.kind == VerdictKind::Proved;
  });
  if (!proved) return;
  auto r = run_mutation_twin(cfg, budget, e.twin_note);
  if (!r) return;
  e.twin = GateRow{"twin", std::move(*r), {}};
  if (progress)
    *progress << "gate: " << cfg.name << " twin " << to_string(e.twin->result.verdict) << " ("
              << e.twin->result.seconds << " s; must be VIOLATED or UNKNOWN)" << std::endl;
}

}  // namespace

void judge_twin(GateEntry& e) {
  if (!e.twin) return;
  const auto& v = e.twin->result.verdict;
  if (v.kind == VerdictKind::Error) {
    e.met = false;
    e.why = "twin: " + v.reason;
    e.code = ExitCode::InternalError;
  } else if (v.kind == VerdictKind::Proved || v.kind == VerdictKind::BoundedOk) {
    e.met = false;
    e.why = "vacuous proof: the mutated twin (" + e.twin->result.summary + ") is concretely " +
            "unsafe, yet prove says " + to_string(v);
    e.code = worse(e.code, ExitCode::Inconclusive);
  }
}

ExitCode GateReport::exit_code() const {
  ExitCode c = ExitCode::Ok;
  for (const auto& e : entries) c = worse(c, e.code);
  return c;
}

GateReport run_gate(const std::vector<std::filesystem::path>& configs,
                    std::vector<std::unique_ptr<Checker>>& checkers,
                    const std::vector<std::string>& only, const CheckBudget& budget,
                    const std::filesystem::path& out_dir, std::ostream* progress) {
  GateReport report;
  report.z3_version = z3_version();
  for (const auto& path : configs) {
    const auto cfg = load_config(path);
    GateEntry e{path, cfg.name, cfg.expect, cfg.expect_property, {}, {}, true, {}, ExitCode::Ok, {}, {}};
    bool refuted = false;
    for (auto& c : checkers) {
      if (!selected(c->name(), only) || !c->applicable(cfg)) continue;
      // A counterexample is definitive (each backend replays its own concretely), so the
      // costlier checkers after it are skipped: they could only repeat the verdict.
      if (refuted) {
        e.skipped.push_back(c->name());
        continue;
      }
      GateRow row{c->name(), run_within(*c, cfg, budget), {}};
      if (progress)
        *progress << "gate: [" << report.entries.size() + 1 << "/" << configs.size() << "] "
                  << cfg.name << " " << row.checker << " " << to_string(row.result.verdict)
                  << " (" << row.result.seconds << " s)" << std::endl;
      if (row.result.counterexample && !out_dir.empty()) {
        std::filesystem::create_directories(out_dir);
        row.trace = out_dir / (cfg.name + "." + c->name() + ".itf.json");
        write_itf(*row.result.counterexample, row.trace);
      }
      refuted = row.result.verdict.kind == VerdictKind::Violated;
      e.rows.push_back(std::move(row));
    }
    check_twin(cfg, budget, e, progress);
    judge(e);
    report.entries.push_back(std::move(e));
  }
  return report;
}

}  // namespace kvcheck
