// P2 (Ao et al.): the fluid equilibrium and region for every policy, Eq. 11 for WAIT.
#include <fmt/format.h>

#include "theory/analyze.h"
#include "theory/condition_builder.h"
#include "theory/p2_fluid.h"
#include "theory/p2_nested_wait.h"
#include "theory/p2_wait.h"
#include "theory/rates.h"

namespace kvcheck::theory {
namespace {

void add_p2_numbers(PaperAnalysis& a, const ResolvedRates& rates, const P2Fluid& f,
                    double scale_limit, double capacity) {
  for (const auto& c : rates.classes)
    a.numbers.push_back({"S[" + c.name + "]", p2_work(c.prompt, c.output - 1),
                         "KV tokens x iterations"});
  a.numbers.push_back({"A", f.a, "KV tokens x iterations per unit time"});
  a.numbers.push_back({"d1_A", f.d1a, ""});
  a.numbers.push_back({"M_star", f.m_star, "KV tokens"});
  a.numbers.push_back({"C", capacity, "KV tokens"});
  a.numbers.push_back({"delta_T_star", f.dt_star, "time per iteration"});
  for (std::size_t k = 0; k < rates.classes.size(); ++k)
    a.numbers.push_back({"n_star[" + rates.classes[k].name + "]", f.n_star[k],
                         "prompts per stage"});
  a.numbers.push_back({"throughput_star", f.throughput, "decode tokens per unit time"});
  a.numbers.push_back({"rate_scale_limit", scale_limit, "x current rates (M* = C)"});
}

void add_wait(PaperAnalysis& a, const ResolvedRates& rates, const TimeModel& t,
              double capacity) {
  const auto w = p2_wait(rates.classes, t.d0, t.d1, capacity);
  a.numbers.push_back({"M_pi", w.m_pi, "KV tokens"});
  a.numbers.push_back({"delta_T_n", w.dt, "time per full threshold batch"});
  const auto window_note =
      w.window_strict ? "strict: Theorem 4 gives O(1) latency"
      : w.window_ok   ? "holds with equality: Theorem 4 gives O(sqrt(T)) latency, not O(1)"
                      : "";
  a.conditions.push_back(numeric_condition(
      "p2.eq11_window", "P2 Eq. 11 (Thm 4)", "d0 + d1 M^pi <= min_j n_j / lambda_j",
      ConditionRole::Sufficient, w.dt, "<=", w.min_window, w.window_ok, window_note));
  a.conditions.push_back(numeric_condition("p2.eq11_memory", "P2 Eq. 11 (Thm 4)",
                                           "M^pi = sum_j n_j S_j <= C",
                                           ConditionRole::Sufficient, w.m_pi, "<=", capacity,
                                           w.memory_ok, "every full WAIT batch uses M^pi"));
}

/// Eq. 14's horizon and confidence: no config key states them. The horizon zeta T / d0 is taken
/// as [check] max_steps iterations (each iteration lasts at least d0), delta as 0.01.
constexpr double kNestedDelta = 0.01;

std::string nested_segments_note(const P2NestedWait& w) {
  std::string s;
  for (std::size_t k = 1; k < w.segments.size(); ++k) {
    const auto& g = w.segments[k];
    const auto n_prev = w.segments[k - 1].n;
    s += fmt::format("{}k = {}: p = {:g}, n_k / n_k-1 = {}/{}", s.empty() ? "" : "; ", k + 1,
                     g.p, g.n, n_prev);
  }
  return s;
}

void add_nested_wait(PaperAnalysis& a, const ResolvedRates& rates, const Config& cfg,
                     double capacity) {
  const auto& t = cfg.time;
  const auto horizon = static_cast<double>(cfg.check.max_steps);
  const auto w = p2_nested_wait(rates.classes, t.d0, t.d1, capacity, horizon, kNestedDelta);
  a.inputs.push_back(fmt::format("Eq. 14: zeta T / d0 = check.max_steps = {:g} iterations, "
                                 "delta = {:g} (defaults: no config key)", horizon,
                                 kNestedDelta));
  a.numbers.push_back({"M_pi", w.m_pi, "KV tokens (Eq. 13)"});
  a.numbers.push_back({"delta_T_n", w.dt, "time per full Nested WAIT batch"});
  for (std::size_t k = 1; k < w.segments.size(); ++k) {
    const auto& g = w.segments[k];
    const auto id = std::to_string(k + 1);
    a.numbers.push_back({"p[" + id + "]", g.p, "continuation probability"});
    a.numbers.push_back({"theta[" + id + "]", g.theta, "Cramer-Lundberg root (Eq. 14)"});
    a.numbers.push_back({"theta_lower[" + id + "]", g.theta_lower, "Eq. 21's bound on it"});
    a.numbers.push_back({"buffer[" + id + "]", g.buffer, "KV tokens (Eq. 14)"});
  }
  a.numbers.push_back({"M_req", w.m_req, "KV tokens (Eq. 14)"});
  a.conditions.push_back(numeric_condition(
      "p2.eq12_window", "P2 Eq. 12 (Thm 7)", "d0 + d1 M^pi < n_1 / sum_j lambda_j",
      ConditionRole::Sufficient, w.dt, "<", w.entry_window, w.window_ok));
  a.conditions.push_back(policy_condition(
      "p2.eq12_thresholds", "P2 Eq. 12 (Thm 7)", "p_k < n_k / n_{k-1} < 1 for k >= 2",
      ConditionRole::Sufficient, w.thresholds_ok, nested_segments_note(w)));
  a.conditions.push_back(numeric_condition(
      "p2.eq13_memory", "P2 Eq. 13", "M^pi = sum_k n_k (l + s_bar_k) delta_k <= C",
      ConditionRole::Sufficient, w.m_pi, "<=", capacity, w.base_ok,
      "a full batch uses M^pi; below it the LIFO boundary repair cannot avoid an overflow"));
  a.conditions.push_back(numeric_condition(
      "p2.eq14_memory", "P2 Eq. 14 (Thm 7)",
      "M_req = M^pi + sum_k (l + l'_{k-1}) (n_k + ln(m (1 + zeta T / d0) / delta) / theta_k) <= C",
      ConditionRole::Sufficient, w.m_req, "<=", capacity, w.memory_ok,
      "P(an overflow-induced eviction on the horizon) <= delta"));
}

/// P2's rates are per unit time. Per-step arrivals (lambda_it per iteration) have the fluid
/// equilibrium n*_j = lambda_it_j prompts per stage, so M* = sum_j lambda_it_j S_j and the
/// iteration takes Delta T* = d0 + d1 M*: the same fluid point as the rates lambda_it / Delta T*
/// per unit time (then A = M* / Delta T* and Eq. 8 gives back M*).
ResolvedRates per_time(const ResolvedRates& r, const TimeModel& t) {
  if (r.unit == RateUnit::PerSecond) return r;
  double m = 0.0;
  for (const auto& c : r.classes) m += c.rate * p2_work(c.prompt, c.output - 1);
  const double dt = t.d0 + t.d1 * m;
  return rescaled(r, 1.0 / dt, RateUnit::PerSecond,
                  fmt::format("per step / the fluid iteration time d0 + d1 sum_j lambda_j S_j "
                              "= {:g} = per unit time", dt));
}

}  // namespace

PaperAnalysis analyze_p2(const Config& cfg, const ResolvedRates* rates) {
  PaperAnalysis a;
  a.id = "p2";
  a.title = "Ao et al.: fluid equilibrium under tau = d0 + d1 * KV (Eqs. 7-10)";
  if (cfg.time.kind != TimeModelKind::P2Linear)
    return not_applicable(a, "time.model",
                          fmt::format("P2's fluid analysis needs the p2_linear time model "
                                      "(d0, d1); this config's is {}",
                                      to_string(cfg.time.kind)));
  if (!rates)
    return no_rates(a);
  a.applicable = true;
  const auto& t = cfg.time;
  const auto time_rates = per_time(*rates, t);
  rates = &time_rates;
  const auto capacity = static_cast<double>(kv_capacity_tokens(cfg.model.engine));
  const auto f = p2_fluid(rates->classes, t.d0, t.d1);
  a.inputs.push_back(fmt::format("time.d0 = {:g}, time.d1 = {:g}", t.d0, t.d1));
  a.inputs.push_back(fmt::format("C = engine.num_blocks x engine.block_size = {:g} tokens",
                                 capacity));
  a.inputs.push_back("rates per unit time: " + rates->source);
  a.inputs.push_back("l = prompt, l' = output - 1 (kvcheck's output counts the prefill's token)");
  add_p2_numbers(a, *rates, f, p2_rate_scale_limit(f, t.d0, t.d1, capacity), capacity);
  a.conditions.push_back(numeric_condition(
      "p2.drift", "P2 Prop 1 / Eq. 8", "d1 A < 1", ConditionRole::Necessary, f.d1a, "<", 1.0,
      f.drift_ok, f.drift_ok ? "" : "no fluid equilibrium: latency grows linearly (Prop 1)"));
  a.conditions.push_back(numeric_condition(
      "p2.region", "P2 fluid region (Eqs. 8, 10)", "M* <= C", ConditionRole::Necessary,
      f.m_star, "<=", capacity, p2_in_region(f, capacity),
      "the fluid requirement must fit; at M* = C the boundary is critical (Prop 5)"));
  if (cfg.model.policy.kind == PolicyKind::P2Wait)
    add_wait(a, *rates, t, capacity);
  else if (cfg.model.policy.kind == PolicyKind::P2NestedWait)
    add_nested_wait(a, *rates, cfg, capacity);
  else
    a.notes.push_back(fmt::format("no sufficient condition from P2 for policy {} (Eq. 11 is "
                                  "WAIT's, policy p2_wait; Eqs. 12-14 Nested WAIT's, "
                                  "p2_nested_wait)", to_string(cfg.model.policy.kind)));
  return a;
}

}  // namespace kvcheck::theory
