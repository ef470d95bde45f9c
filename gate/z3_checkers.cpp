#include "gate/z3_checkers.h"

#include <algorithm>
#include <chrono>

#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/k_induction.h"
#include "checkers/z3/prove_pipeline.h"
#include "checkers/z3/prove_ranges.h"
#include "gate/mutation_twin.h"
#include "gate/sections.h"
#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

BmcSpec spec_for(const Config& cfg, const CheckBudget& budget) {
  refuse_in_flight_for_z3(cfg);
  auto spec = parse_bmc_spec(cfg);
  if (budget.timeout_ms > 0) spec.timeout_ms = budget.timeout_ms;
  if (budget.depth > 0) spec.depth = budget.depth;
  return spec;
}

SolverOptions gate_solver_options(const BmcSpec& spec, const CheckBudget& budget) {
  SolverOptions opts;
  opts.timeout_ms = spec.timeout_ms;
  opts.rlimit = static_cast<std::uint64_t>(spec.rlimit);
  opts.deadline = budget.deadline;
  opts.heartbeat = budget.heartbeat;
  return opts;
}

/// Replays a symbolic counterexample concretely under `params`; an unreproduced one is an
/// ERROR verdict.
void attach_confirmed(const Config& cfg, const ModelParams& params, const Counterexample& cex,
                      const char* source, CheckResult& out) {
  TraceMeta meta;
  meta.source = source;
  meta.config_name = cfg.name;
  meta.config_hash = cfg.hash;
  auto c = confirm_counterexample(params, cfg.time, cex, meta);
  if (!c.reproduced) {
    out.verdict = Verdict::error("unsound counterexample, not reproduced concretely: " + c.detail);
    return;
  }
  out.counterexample = std::move(c.trace);
}

}  // namespace

bool BmcChecker::applicable(const Config& cfg) const { return has_section(cfg, "bmc"); }

CheckResult BmcChecker::run(const Config& cfg, const CheckBudget& budget) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto spec = spec_for(cfg, budget);
  auto opts = gate_solver_options(spec, budget);
  auto r = run_bmc(cfg.model, spec, spec.depth, opts);
  CheckResult out{r.verdict, std::nullopt, {}, 0.0, {}};
  if (r.cex) attach_confirmed(cfg, cfg.model, *r.cex, "bmc", out);
  out.summary = "depth " + std::to_string(spec.depth) + ", " + describe_scope(spec);
  out.seconds = since(t0);
  return out;
}

bool ProveChecker::applicable(const Config& cfg) const { return has_section(cfg, "bmc"); }

CheckResult ProveChecker::run(const Config& cfg, const CheckBudget& budget) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto spec = spec_for(cfg, budget);
  auto opts = gate_solver_options(spec, budget);
  // What `kvcheck prove` proves (checkers/z3/prove_pipeline.h), not a second definition.
  auto r = prove_pipeline(cfg.model, spec, parse_prove_ranges(cfg), opts).result;
  CheckResult out{r.verdict, std::nullopt, {}, 0.0, {}};
  if (r.cex) attach_confirmed(cfg, cfg.model, *r.cex, "prove", out);
  out.summary = r.verdict.kind == VerdictKind::Proved ? r.claim : describe_scope(spec);
  out.seconds = since(t0);
  return out;
}

std::optional<CheckResult> run_mutation_twin(const Config& cfg, const CheckBudget& budget,
                                             std::string& why) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto spec = spec_for(cfg, budget);
  const auto twin = mutation_twin(cfg, spec, why);
  if (!twin) return std::nullopt;
  // The same prove that proved the config, on a twin that is concretely unsafe.
  auto r = prove_pipeline(twin->params, twin->spec, parse_prove_ranges(cfg),
                          gate_solver_options(spec, budget))
               .result;
  CheckResult out{r.verdict, std::nullopt, twin->what, 0.0, {}};
  if (r.cex) {
    attach_confirmed(cfg, twin->params, *r.cex, "twin", out);
    out.counterexample.reset();  // the twin's params are no config's: its trace is not kept
  }
  out.seconds = since(t0);
  return out;
}

}  // namespace kvcheck
