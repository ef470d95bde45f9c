#include "cli/analyze_exact.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "checkers/z3/buffer_search.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

constexpr const char* kParam = "engine.num_blocks";

double number(const theory::PaperAnalysis& a, const char* name) {
  for (const auto& n : a.numbers)
    if (n.name == name) return n.value;
  return 0.0;
}

/// The closed form --exact is compared with: the analysis that states it, its bound in KV
/// tokens and the formula's name.
struct ClosedForm {
  theory::PaperAnalysis* analysis = nullptr;
  double tokens = 0.0;
  std::string formula;
};

theory::PaperAnalysis* applicable(theory::AnalysisReport& report, const char* id) {
  for (auto& a : report.analyses)
    if (a.id == id && a.applicable) return &a;
  return nullptr;
}

/// P1 Algorithm 1: ineq. (2)'s sum_k b_k w_k. P2 WAIT: Eq. 11's M^pi = sum_j n_j S_j (every full
/// threshold batch holds it). P2 Nested WAIT: Eq. 13's M^pi (a full batch holds it; Eq. 14's
/// M_req adds the buffer for survivor fluctuations, a probability bound, noted beside).
ClosedForm closed_form(const Config& cfg, theory::AnalysisReport& report) {
  const auto kind = cfg.model.policy.kind;
  if (auto* p1 = applicable(report, "p1"); p1 && kind == PolicyKind::P1ClassBudgets)
    return {p1, number(*p1, "memory_bound"), "ineq. (2)'s sum_k b_k w_k"};
  if (auto* p2 = applicable(report, "p2"); p2 && kind == PolicyKind::P2Wait)
    return {p2, number(*p2, "M_pi"), "Eq. 11's M^pi = sum_j n_j S_j"};
  if (auto* p2 = applicable(report, "p2"); p2 && kind == PolicyKind::P2NestedWait)
    return {p2, number(*p2, "M_pi"), "Eq. 13's M^pi"};
  throw config_error(cfg.path.string(), "--exact",
                     "needs a closed-form pool to compare with: P1's Algorithm 1 "
                     "(p1_class_budgets, time model unit, class rates: ineq. (2)) or P2's WAIT / "
                     "Nested WAIT (p2_wait / p2_nested_wait, time model p2_linear: Eq. 11 / 13)");
}

/// The note beside the closed form: agreement, or how far the exact answer is from it.
std::string compare_note(std::int64_t exact, std::int64_t formula, std::int64_t bs,
                         const std::string& name) {
  if (exact == formula)
    return fmt::format("exact smallest pool {} blocks = {} (in blocks of {}): the closed form "
                       "is tight", exact, name, bs);
  return fmt::format("exact smallest pool {} blocks, {} gives {}: the formula {} by {}", exact,
                     name, formula, exact > formula ? "undercounts" : "overcounts",
                     exact > formula ? exact - formula : formula - exact);
}

/// Nested WAIT: Eq. 14's M_req is the pool for P(an overflow-induced eviction) <= delta; the
/// exact answer is for every workload, a different question, so both are printed.
void note_eq14(const Config& cfg, theory::PaperAnalysis& a) {
  if (cfg.model.policy.kind != PolicyKind::P2NestedWait) return;
  a.notes.push_back(fmt::format("--exact answers for every workload of the classes; Eq. 14's "
                                "M_req = {:g} tokens is the pool for an eviction probability "
                                "<= delta on the horizon, a different question",
                                number(a, "M_req")));
}

}  // namespace

int add_exact_pool(const Config& cfg, theory::AnalysisReport& report, const Z3Flags& flags) {
  const auto form = closed_form(cfg, report);
  auto& a = *form.analysis;
  note_eq14(cfg, a);
  const auto bs = cfg.model.engine.block_size;
  const auto bound = static_cast<std::int64_t>(std::ceil(form.tokens));
  const auto formula = (bound + bs - 1) / bs;
  const auto lo = std::max<std::int64_t>(1, formula - 1), hi = formula + kExactWindow;
  const auto spec = spec_with_flags(cfg, flags);
  const auto r = search_buffer(cfg, spec, kParam, lo, hi, solver_options(spec, flags, false),
                               true);
  if (!r.value) {
    const auto why = r.tried.empty() ? std::string() : ": " + r.tried.back().second.reason;
    a.notes.push_back(fmt::format("--exact: no pool in [{}, {}] blocks is proved for every "
                                  "workload (UNKNOWN){}", lo, hi, why));
    fmt::print("exact: no {} in [{}, {}] is proved for every workload of the classes{}\n",
               kParam, lo, hi, why);
    return 0;
  }
  const auto exact = *r.value;
  a.numbers.push_back({"exact_min_pool", static_cast<double>(exact),
                        "blocks (proved for every workload of the classes)"});
  a.notes.push_back(compare_note(exact, formula, bs, form.formula));
  fmt::print("exact: smallest {} = {}: PROVED {}\n", kParam, exact, r.proof.claim);
  if (exact == lo || !r.below || r.below->verdict.kind != VerdictKind::Violated) {
    fmt::print("exact: {} = {}: no counterexample found (the answer is an upper bound)\n",
               kParam, exact - 1);
    return 0;
  }
  const auto label = fmt::format("{} = {}", kParam, exact - 1);
  const auto below = with_param(cfg, kParam, exact - 1, "--exact");
  const auto rc = report_violation(cfg, below, *r.below->cex, r.below->verdict,
                                   r.below_simulated ? "simulate" : "bmc",
                                   cfg.name + ".exact_below", label, flags, label);
  return rc == to_int(ExitCode::InternalError) ? rc : 0;
}

}  // namespace kvcheck::cli
