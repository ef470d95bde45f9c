#include "gate/gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <ostream>
#include <thread>

#include "checkers/z3/confirm.h"
#include "counterexamples/itf.h"
#include "gate/z3_checkers.h"
#include "io/config.h"
#include "io/input_error.h"

namespace kvcheck {
namespace {

bool selected(const std::string& name, const std::vector<std::string>& only) {
  return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
}

/// Runs `c` unless the gate's deadline has passed (then an UNKNOWN row); a checker that ran
/// past the deadline and came back with a pass is UNKNOWN too (its run may have been cut).
CheckResult run_within(Checker& c, const Config& cfg, const CheckBudget& budget) {
  const auto past = [&] {
    return budget.deadline && std::chrono::steady_clock::now() >= *budget.deadline;
  };
  if (past())
    return {Verdict::unknown("not run: the gate's time limit was reached"), std::nullopt,
            "not run", 0.0, {}};
  auto r = c.run(cfg, budget);
  const auto k = r.verdict.kind;
  if (past() && (k == VerdictKind::Proved || k == VerdictKind::BoundedOk))
    r.verdict = Verdict::unknown("the gate's time limit was reached during this check");
  return r;
}

/// Runs the mutated twin of a config some checker PROVED.
void check_twin(const Config& cfg, const CheckBudget& budget, GateEntry& e,
                std::ostream* progress, std::mutex& lock) {
  const bool proved = std::any_of(e.rows.begin(), e.rows.end(), [](const GateRow& r) {
    return r.result.verdict.kind == VerdictKind::Proved;
  });
  if (!proved) return;
  auto r = run_mutation_twin(cfg, budget, e.twin_note);
  if (!r) return;
  e.twin = GateRow{"twin", std::move(*r), {}};
  const std::lock_guard<std::mutex> guard(lock);
  if (progress)
    *progress << fmt::format("gate: {} twin {} ({:.3f} s; must be VIOLATED or UNKNOWN)",
                             cfg.name, to_string(e.twin->result.verdict), e.twin->result.seconds)
              << std::endl;
}

}  // namespace

void judge_entry(GateEntry& e) {
  e.met = true;
  e.why.clear();
  e.code = ExitCode::Ok;
  bool violated = false, matching = false;
  std::string inconclusive;  // the first UNKNOWN: never a pass
  for (const auto& row : e.rows) {
    const auto& v = row.result.verdict;
    if (v.kind == VerdictKind::Unknown && inconclusive.empty())
      inconclusive = row.checker + " inconclusive: " + v.reason;
    if (v.kind == VerdictKind::Error) {
      e.met = false;
      e.why = row.checker + ": " + v.reason;
      e.code = row.error_code;
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

void judge_twin(GateEntry& e) {
  if (!e.twin) return;
  const auto& v = e.twin->result.verdict;
  if (v.kind == VerdictKind::Error) {
    e.met = false;
    e.why = "twin: " + v.reason;
    e.code = e.twin->error_code;
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

namespace {

/// The ERROR row of a check that threw: a bad input keeps its own exit code (150 / 151), any
/// other exception is a kvcheck bug (255). Either way the gate goes on with the next check.
GateRow error_row(std::string checker, std::exception_ptr ex) {
  GateRow row{std::move(checker), {}, {}};
  try {
    std::rethrow_exception(ex);
  } catch (const InputError& err) {
    row.result = {Verdict::error(err.what()), std::nullopt, "input error", 0.0, {}};
    row.error_code = err.code();
  } catch (const std::exception& err) {
    row.result = {Verdict::error(std::string("internal error: ") + err.what()), std::nullopt,
                  "internal error", 0.0, {}};
  }
  return row;
}

/// Prints one progress line; `lock` serialises the lines of parallel workers.
void progress_line(const GateOptions& o, std::mutex& lock, std::size_t index, std::size_t total,
                   const std::string& config, const GateRow& row) {
  if (!o.progress) return;
  const std::lock_guard<std::mutex> guard(lock);
  *o.progress << fmt::format("gate: [{}/{}] {} {} {} ({:.3f} s)", index + 1, total, config,
                             row.checker, to_string(row.result.verdict), row.result.seconds)
              << std::endl;
}

/// One config through every selected checker (skipping the costlier ones after a
/// counterexample), then its twin and the judgement.
GateEntry gate_config(const std::filesystem::path& path, CheckerSet& checkers,
                      const GateOptions& o, std::mutex& lock, std::size_t index,
                      std::size_t total) {
  GateEntry e{path, path.stem().string(), {}, {}, {}, {}, true, {}, ExitCode::Ok, {}, {}};
  Config cfg;
  try {
    cfg = load_config(path);
  } catch (...) {
    e.rows.push_back(error_row("config", std::current_exception()));
    progress_line(o, lock, index, total, e.name, e.rows.back());
    judge_entry(e);
    return e;
  }
  e.name = cfg.name;
  e.expect = cfg.expect;
  e.expect_property = cfg.expect_property;
  bool refuted = false;
  for (auto& c : checkers) {
    if (!selected(c->name(), o.only) || !c->applicable(cfg)) continue;
    // A counterexample is definitive (each backend replays its own concretely), so the
    // costlier checkers after it are skipped: they could only repeat the verdict.
    if (refuted) {
      e.skipped.push_back(c->name());
      continue;
    }
    GateRow row{c->name(), {}, {}};
    try {
      row.result = run_within(*c, cfg, o.budget);
      if (row.result.counterexample && !o.out_dir.empty()) {
        std::filesystem::create_directories(o.out_dir);
        row.trace = o.out_dir / (cfg.name + "." + c->name() + ".itf.json");
        write_itf(*row.result.counterexample, row.trace);
      }
    } catch (...) {
      row = error_row(c->name(), std::current_exception());
    }
    progress_line(o, lock, index, total, cfg.name, row);
    refuted = row.result.verdict.kind == VerdictKind::Violated;
    e.rows.push_back(std::move(row));
  }
  try {
    check_twin(cfg, o.budget, e, o.progress, lock);
  } catch (...) {
    e.twin = error_row("twin", std::current_exception());
  }
  judge_entry(e);
  return e;
}

}  // namespace

GateReport run_gate(const std::vector<std::filesystem::path>& configs,
                    const CheckerFactory& make_checkers, const GateOptions& options) {
  GateReport report;
  report.z3_version = z3_version();
  report.entries.resize(configs.size());
  std::mutex lock;
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    auto checkers = make_checkers();
    for (std::size_t i = next++; i < configs.size(); i = next++)
      report.entries[i] = gate_config(configs[i], checkers, options, lock, i, configs.size());
  };
  const auto jobs = static_cast<std::size_t>(std::max(1, options.jobs));
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::min(jobs, configs.size()); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return report;
}

}  // namespace kvcheck
