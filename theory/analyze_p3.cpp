// P3 (Lin, Ding, Han, Zhang): the fluid LP (40) or (42) of the [cluster] section, its optimum
// R* and structure, static planning's M, and Proposition 3.2's condition.
#include <fmt/format.h>

#include "theory/analyze.h"
#include "theory/condition_builder.h"
#include "theory/p3_config.h"

namespace kvcheck::theory {
namespace {

void add_inputs(PaperAnalysis& a, const Config& cfg, const P3Instance& inst, const P3Rates& r) {
  const auto& c = cfg.cluster;
  a.inputs.push_back(fmt::format("n = cluster.gpus = {}, B = {}, C = {} tokens", c.gpus, c.batch,
                                 c.chunk));
  a.inputs.push_back(fmt::format("tau = alpha + beta C = {:g} + {:g} x {} = {:g} s; gamma = {:g} "
                                 "tokens/s", c.alpha, c.beta, c.chunk, r.tau, c.gamma));
  a.inputs.push_back(fmt::format("charging {} (LP ({})), c_p = {:g}, c_d = {:g}", c.charging,
                                 c.charging == "separate" ? 42 : 40, c.c_p, c.c_d));
  for (std::size_t i = 0; i < inst.classes.size(); ++i) {
    const auto& k = inst.classes[i];
    a.inputs.push_back(fmt::format(
        "class {}: P = {:g}, D = {:g}, lambda = {:g} /GPU/s, theta = {:g} /s; mu_p = {:.6g}, "
        "mu_m = {:.6g}, mu_s = {:.6g} /s, w = {:g}", k.name, k.prompt, k.output, k.rate,
        k.abandon, r.mu_p[i], r.mu_m[i], r.mu_s[i], p3_weight(inst, i)));
  }
}

void add_plan(PaperAnalysis& a, const P3Instance& inst, const P3LpResult& lp, std::int64_t n) {
  a.numbers.push_back({"R_star", lp.objective, "revenue per GPU per second"});
  a.numbers.push_back({"sum_x", lp.sum_x, "prefill occupancy per GPU"});
  a.numbers.push_back({"M", static_cast<double>(p3_mixed_gpus(lp.sum_x, n)),
                       fmt::format("mixed GPUs of n = {} (ceil(n sum x*))", n)});
  for (std::size_t i = 0; i < lp.classes.size(); ++i) {
    const auto& p = lp.classes[i];
    const auto& name = inst.classes[i].name;
    a.numbers.push_back({"x[" + name + "]", p.x, "per GPU"});
    a.numbers.push_back({"y_m[" + name + "]", p.y_m, "per GPU"});
    a.numbers.push_back({"y_s[" + name + "]", p.y_s, "per GPU"});
    a.numbers.push_back({"q_p[" + name + "]", p.q_p, "per GPU"});
    a.numbers.push_back({"q_d[" + name + "]", p.q_d, "per GPU"});
    a.numbers.push_back({"throughput[" + name + "]", p.throughput, "completions per GPU per s"});
  }
}

}  // namespace

PaperAnalysis analyze_p3(const Config& cfg) {
  PaperAnalysis a;
  a.id = "p3";
  a.title = "Lin, Ding, Han, Zhang: fluid LP of gate-and-route over n GPUs (LP (40) / (42))";
  if (!cfg.cluster.present)
    return not_applicable(a, "cluster", "P3's LP needs a [cluster] section (docs/p3.md)");
  a.applicable = true;
  const auto inst = p3_instance(cfg);
  const auto rates = p3_service_rates(inst);
  add_inputs(a, cfg, inst, rates);
  const auto lp = solve_p3_lp(inst, p3_charging(cfg));
  a.conditions.push_back(numeric_condition(
      "p3.lp_feasible", "P3 LP (" + std::string(cfg.cluster.charging == "separate" ? "42" : "40") + ")",
      "the fluid LP has an optimum (every class without abandonment can be served)",
      ConditionRole::Necessary, lp.optimal() ? 1.0 : 0.0, "=", 1.0, lp.optimal(),
      lp.optimal() ? "" : std::string(to_string(lp.status)) + ": " + lp.message));
  if (lp.optimal()) add_plan(a, inst, lp, cfg.cluster.gpus);
  const auto prop = p3_prop32(inst);
  a.numbers.push_back({"tau", rates.tau, "s"});
  a.numbers.push_back({"gamma_tau", prop.gamma_tau, ""});
  a.conditions.push_back(numeric_condition(
      "p3.prop3_2", "P3 Prop 3.2", "gamma tau >= (B - 1) / B (solo decode more efficient)",
      ConditionRole::Sufficient, prop.gamma_tau, ">=", prop.bound, prop.holds,
      prop.holds ? "LP (40) has an optimum with no decode buffer (q_d* = 0); Theorem 4.1's "
                   "construction relies on it"
                 : "LP (40) may need a decode buffer: Theorem 4.1's construction does not apply"));
  a.notes.push_back("P3 has no KV accounting: memory enters only through B decode streams per "
                    "GPU (papers.md 3.1); `kvcheck cluster` simulates the n-GPU system");
  return a;
}

}  // namespace kvcheck::theory
