#include "cli/analyze_exact.h"

#include <fmt/format.h>

#include "checkers/z3/buffer_search.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

constexpr const char* kParam = "engine.num_blocks";

theory::PaperAnalysis& p1_alg1(const Config& cfg, theory::AnalysisReport& report) {
  for (auto& a : report.analyses)
    if (a.id == "p1" && a.applicable && cfg.model.policy.kind == PolicyKind::P1ClassBudgets)
      return a;
  throw config_error(cfg.path.string(), "--exact",
                     "needs P1's Algorithm 1 analysis (policy p1_class_budgets, time model "
                     "unit, class rates): ineq. (2) is the closed form it is compared with");
}

double memory_bound(const theory::PaperAnalysis& a) {
  for (const auto& n : a.numbers)
    if (n.name == "memory_bound") return n.value;
  return 0.0;
}

/// The note beside ineq. (2): agreement, or how far the exact answer is from the formula.
std::string compare_note(std::int64_t exact, std::int64_t formula, std::int64_t bs) {
  if (exact == formula)
    return fmt::format("exact smallest pool {} blocks = ineq. (2)'s sum_k b_k w_k (in blocks "
                       "of {}): the closed form is tight", exact, bs);
  return fmt::format("exact smallest pool {} blocks, ineq. (2) gives {}: the formula {} by {}",
                     exact, formula, exact > formula ? "undercounts" : "overcounts",
                     exact > formula ? exact - formula : formula - exact);
}

}  // namespace

int add_exact_pool(const Config& cfg, theory::AnalysisReport& report, const Z3Flags& flags) {
  auto& p1 = p1_alg1(cfg, report);
  const auto bs = cfg.model.engine.block_size;
  const auto bound = static_cast<std::int64_t>(memory_bound(p1));
  const auto formula = (bound + bs - 1) / bs;
  const auto lo = std::max<std::int64_t>(1, formula - 1), hi = formula + kExactWindow;
  const auto spec = spec_with_flags(cfg, flags);
  const auto r = search_buffer(cfg, spec, kParam, lo, hi, solver_options(spec, flags, false),
                               true);
  if (!r.value) {
    p1.notes.push_back(fmt::format("--exact: no pool in [{}, {}] blocks is proved for every "
                                   "workload (UNKNOWN)", lo, hi));
    fmt::print("exact: no {} in [{}, {}] is proved for every workload of the classes\n", kParam,
               lo, hi);
    return 0;
  }
  const auto exact = *r.value;
  p1.numbers.push_back({"exact_min_pool", static_cast<double>(exact),
                        "blocks (proved for every workload of the classes)"});
  p1.notes.push_back(compare_note(exact, formula, bs));
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
