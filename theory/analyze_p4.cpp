// P4 (Li, Dai, Peng): Theorem 2(a) for every policy, 2(b) for the four stylized policies.
#include <fmt/format.h>

#include <optional>

#include "theory/analyze.h"
#include "theory/condition_builder.h"
#include "theory/p4_capacity.h"
#include "theory/rates.h"

namespace kvcheck::theory {
namespace {

/// P4 section 4's classification; nullopt for policies outside P4's four.
std::optional<bool> work_conserving(PolicyKind k) {
  switch (k) {
    case PolicyKind::Sarathi:
    case PolicyKind::SarathiPriority:  // class levels share one full budget: work-conserving
    case PolicyKind::Orca: return true;
    case PolicyKind::FasterTransformer:
    case PolicyKind::VanillaVllm: return false;
    default: return std::nullopt;
  }
}

void add_thm2b(PaperAnalysis& a, const Config& cfg, const P4Load& load, double capacity) {
  const auto kind = cfg.model.policy.kind;
  const auto wc = work_conserving(kind);
  if (!wc) {
    a.notes.push_back(fmt::format("Theorem 2(b) covers P4's four stylized policies; policy {} "
                                  "gets no sufficient condition from P4", to_string(kind)));
    return;
  }
  a.conditions.push_back(numeric_condition(
      "p4.thm2b_load", "P4 Thm 2(b)", "lambda (m_p + m_d) < b_max / t(b_max)",
      ConditionRole::Sufficient, load.tokens, "<", capacity, p4_below_capacity(load, capacity)));
  a.conditions.push_back(policy_condition(
      "p4.work_conserving", "P4 Thm 2(b), section 4",
      fmt::format("policy {} is work-conserving", to_string(kind)), ConditionRole::Sufficient,
      *wc, *wc ? "throughput-optimal: stable below capacity"
               : "not work-conserving: may diverge below capacity (P4 section 4)"));
  a.notes.push_back(fmt::format("Theorem 2(b) is for P4's model without a KV limit; the pool "
                                "of {} tokens is not part of it", kv_capacity_tokens(cfg.model.engine)));
  if (cfg.model.policy.max_batch_seqs != kUnlimited)
    a.notes.push_back("policy.max_batch_seqs (k_max) is set: P4 section 6's two-dimensional "
                      "region is not analysed");
}

void add_p4_numbers(PaperAnalysis& a, const P4Load& load, double capacity, RateUnit unit) {
  const std::string per = unit == RateUnit::PerStep ? "per step" : "per unit time";
  a.numbers.push_back({"capacity", capacity, "tokens " + per});
  a.numbers.push_back({"lambda", load.lambda, "req " + per});
  a.numbers.push_back({"m_p", load.m_p, "tokens"});
  a.numbers.push_back({"m_d", load.m_d, "tokens"});
  a.numbers.push_back({"load", load.tokens, "tokens " + per});
  a.numbers.push_back({"utilization", load.tokens / capacity, ""});
  a.numbers.push_back({"max_rate", p4_max_rate(load.m_p + load.m_d, capacity),
                       "req " + per + " (this mix at capacity)"});
}

/// The batch time law in the rates' unit of time: p4_step as given, or `unit` as the constant
/// t_b = unit (a = 0); rates per step count time in steps, one batch each (t_b = 1).
void batch_law(const TimeModel& t, RateUnit rates, double& c, double& a, std::int64_t& b0) {
  const bool per_step = rates == RateUnit::PerStep;
  const bool unit = t.kind == TimeModelKind::Unit || per_step;
  c = per_step ? 1.0 : unit ? t.unit : t.c;
  a = unit ? 0.0 : t.a;
  b0 = unit ? 1 : t.b0;
}

std::string law_text(const TimeModel& t, RateUnit rates) {
  if (rates == RateUnit::PerStep)
    return fmt::format("one step per batch (rates per step; the {} time model does not enter)",
                       to_string(t.kind));
  return std::string(to_string(t.kind));
}

}  // namespace

PaperAnalysis analyze_p4(const Config& cfg, const ResolvedRates* rates) {
  PaperAnalysis a;
  a.id = "p4";
  a.title = "Li, Dai, Peng: token capacity b_max / t(b_max) (Theorem 2)";
  const auto& t = cfg.time;
  const auto b_max = cfg.model.engine.max_batched_tokens;
  if (b_max == kUnlimited)
    return not_applicable(a, "engine.max_batched_tokens", "P4's capacity needs a token budget "
                                                           "b_max per batch");
  if (t.kind != TimeModelKind::P4Step && t.kind != TimeModelKind::Unit)
    return not_applicable(a, "time.model",
                          fmt::format("P4's capacity needs the p4_step (or unit) time model; "
                                      "this config's is {}", to_string(t.kind)));
  if (!rates)
    return no_rates(a);
  a.applicable = true;
  double c = 0, slope = 0;
  std::int64_t b0 = 1;
  batch_law(t, rates->unit, c, slope, b0);
  const auto capacity = p4_capacity(c, slope, b0, b_max);
  const auto load = p4_load(rates->classes);
  a.inputs.push_back(fmt::format("b_max = engine.max_batched_tokens = {}", b_max));
  a.inputs.push_back(fmt::format("t_b = c + a ceil(b / b0): c = {:g}, a = {:g}, b0 = {} ({})",
                                 c, slope, b0, law_text(t, rates->unit)));
  a.inputs.push_back(fmt::format("rates {}: {}", unit_text(rates->unit), rates->source));
  a.inputs.push_back("m_p = mean prompt, m_d = mean output - 1 (the prefill samples a token)");
  a.numbers.push_back({"t_b_max", p4_batch_time(c, slope, b0, b_max),
                       rates->unit == RateUnit::PerStep ? "steps per batch" : "time per batch"});
  add_p4_numbers(a, load, capacity, rates->unit);
  if (b_max % b0 != 0)
    a.notes.push_back(fmt::format("b0 = {} does not divide b_max = {}: the capacity is the best "
                                  "b / t_b over b <= b_max", b0, b_max));
  a.conditions.push_back(numeric_condition(
      "p4.thm2a", "P4 Thm 2(a)", "lambda (m_p + m_d) <= b_max / t(b_max)",
      ConditionRole::Necessary, load.tokens, "<=", capacity, p4_necessary(load, capacity)));
  add_thm2b(a, cfg, load, capacity);
  return a;
}

}  // namespace kvcheck::theory
