#include "gate/search_checkers.h"

#include <filesystem>

#include "checkers/explicit/explorer.h"
#include "checkers/fuzz/fuzzer.h"
#include "counterexamples/itf.h"
#include "gate/sections.h"

namespace kvcheck {
namespace {

/// counterexamples/corpus next to the config's folder, when present (as `kvcheck fuzz` does).
std::filesystem::path corpus_near(const std::filesystem::path& config) {
  const auto dir = config.parent_path() / ".." / "counterexamples" / "corpus";
  return std::filesystem::is_directory(dir) ? dir : std::filesystem::path();
}

/// The fuzz verdict, made strict for the gate: a corpus entry that changed its verdict
/// (exit 20) or unmet coverage (exit 5) is never a pass.
Verdict gate_verdict(const fuzz::FuzzReport& r) {
  if (r.verdict.kind == VerdictKind::Violated) return r.verdict;
  if (r.exit == ExitCode::ReplayDiverged) return Verdict::error(r.exit_reason);
  if (r.exit == ExitCode::Inconclusive) return Verdict::unknown(r.exit_reason);
  return r.verdict;
}

}  // namespace

bool FuzzChecker::applicable(const Config& cfg) const { return has_section(cfg, "fuzz"); }

CheckResult FuzzChecker::run(const Config& cfg, const CheckBudget& budget) {
  fuzz::FuzzOptions o;
  o.search.seed = budget.seed;
  if (budget.runs > 0) o.search.runs = static_cast<int>(budget.runs);
  o.corpus_dir = corpus_near(cfg.path);
  o.out_dir = std::filesystem::temp_directory_path() / ("kvcheck-gate-fuzz-" + cfg.hash);
  const auto r = fuzz::run_fuzz(cfg, o);
  CheckResult out{gate_verdict(r), std::nullopt, {}, r.seconds, {}};
  if (!r.counterexample.empty()) out.counterexample = read_itf(r.counterexample);
  std::filesystem::remove_all(o.out_dir);
  out.summary = std::to_string(r.search.stats.cases) + " cases, seed " +
                std::to_string(budget.seed) +
                (r.exit_reason.empty() ? std::string() : ", " + r.exit_reason);
  // The verdict's reason becomes the failing property's name (what expect_property names).
  if (out.verdict.kind == VerdictKind::Violated) {
    out.summary += "; " + out.verdict.reason;
    for (const auto& c : r.corpus)
      if (c.actual.failed()) out.verdict.reason = c.actual.what;
    if (r.search.failure) out.verdict.reason = r.search.failure->result.what;
  }
  return out;
}

bool ExploreChecker::applicable(const Config& cfg) const { return has_section(cfg, "explore"); }

CheckResult ExploreChecker::run(const Config& cfg, const CheckBudget&) {
  const auto r = explicit_state::explore(cfg, explicit_state::read_explore_options(cfg));
  CheckResult out{r.verdict, std::nullopt, {}, r.seconds, {}};
  out.summary = std::to_string(r.states) + " states, " + std::to_string(r.transitions) +
                " transitions" + (r.complete ? ", complete" : ", state limit reached");
  // The verdict's reason becomes the property name (what [meta] expect_property names); the
  // explorer's sentence goes to the summary. The first finding in verdict order is kept.
  for (const auto* f : {&r.safety, &r.starvation, &r.instability}) {
    if (!f->has_value() || out.counterexample) continue;
    out.counterexample = (*f)->trace;
    out.summary += "; " + (*f)->witness.detail;
    if (out.verdict.kind == VerdictKind::Violated) out.verdict.reason = (*f)->witness.property;
  }
  return out;
}

}  // namespace kvcheck
