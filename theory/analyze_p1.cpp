// P1 (Dong & Cao): Proposition 3.2 for every policy, Theorem 3.3 for Algorithm 1.
#include <fmt/format.h>

#include "theory/analyze.h"
#include "theory/condition_builder.h"
#include "theory/p1_alg1.h"
#include "theory/p1_necessary.h"
#include "theory/p1_work.h"
#include "theory/rates.h"

namespace kvcheck::theory {
namespace {

void add_p1_numbers(PaperAnalysis& a, const ResolvedRates& rates, const P1Necessary& n,
                    std::int64_t lookahead) {
  for (std::size_t k = 0; k < rates.classes.size(); ++k) {
    const auto& c = rates.classes[k];
    a.numbers.push_back({"w[" + c.name + "]", static_cast<double>(p1_work(c.prompt, c.output)),
                         "KV entries x slots"});
    if (lookahead != 1)
      a.numbers.push_back({"w_engine[" + c.name + "]", static_cast<double>(n.work[k]),
                           "KV entries x slots"});
  }
  a.numbers.push_back({"sum_w", static_cast<double>(n.total_work), "KV entries x slots"});
  a.numbers.push_back({"load", n.load, "KV entries (mean occupancy)"});
  a.numbers.push_back({"M", n.capacity, "KV entries"});
  a.numbers.push_back({"lambda_star", n.lambda_star, "req/slot per class"});
  a.numbers.push_back({"rate_scale_limit", n.rate_scale_limit, "x current rates"});
}

void add_alg1(PaperAnalysis& a, const ResolvedRates& rates, std::int64_t capacity,
              std::int64_t lookahead, std::int64_t block_size) {
  const auto s = p1_alg1(rates.classes, capacity, lookahead);
  a.numbers.push_back({"memory_bound", static_cast<double>(s.memory_bound), "KV entries"});
  std::string note;
  if (!s.memory_strict && s.memory_weak)
    note = "holds as <= but not <: Algorithm 1 never overflows, yet Theorem 3.3 needs <";
  else if (s.memory_strict)
    note = "Algorithm 1's KV occupancy never exceeds sum_k b_k w_k <= M";
  if (block_size > 1)
    note += (note.empty() ? "" : "; ") + std::string("counted in tokens: the engine rounds "
            "each request up to whole blocks, so its peak may exceed the bound");
  a.conditions.push_back(numeric_condition(
      "p1.ineq2", "P1 Thm 3.3, ineq. (2)", "sum_k b_k w_k < M", ConditionRole::Sufficient,
      static_cast<double>(s.memory_bound), "<", static_cast<double>(capacity), s.memory_strict,
      note));
  for (std::size_t k = 0; k < rates.classes.size(); ++k) {
    const auto& c = rates.classes[k];
    a.conditions.push_back(numeric_condition(
        "p1.budget[" + c.name + "]", "P1 Thm 3.3", "lambda_k < b_k (class " + c.name + ")",
        ConditionRole::Sufficient, c.rate, "<", static_cast<double>(c.budget),
        s.budget_exceeds_rate[k]));
  }
}

/// P1's rates are per slot (one iteration of the unit time model): rates per second times
/// `time.unit` seconds per slot.
ResolvedRates per_slot(const ResolvedRates& r, const TimeModel& t) {
  if (r.unit == RateUnit::PerStep) return r;
  return rescaled(r, t.unit, RateUnit::PerStep,
                  fmt::format("per second x time.unit {:g} s = per slot", t.unit));
}

}  // namespace

PaperAnalysis analyze_p1(const Config& cfg, const ResolvedRates* rates) {
  PaperAnalysis a;
  a.id = "p1";
  a.title = "Dong & Cao: KV workload per slot (Prop 3.2, Thm 3.3)";
  if (cfg.time.kind != TimeModelKind::Unit)
    return not_applicable(a, "time.model",
                          fmt::format("P1 needs rates per slot (time model unit); the rates of "
                                      "a {} time model are per unit of time",
                                      to_string(cfg.time.kind)));
  if (!rates)
    return no_rates(a);
  a.applicable = true;
  const auto slot_rates = per_slot(*rates, cfg.time);
  rates = &slot_rates;
  const auto& e = cfg.model.engine;
  const auto capacity = kv_capacity_tokens(e);
  const auto n = p1_necessary(rates->classes, capacity, e.lookahead);
  a.inputs.push_back(fmt::format("M = engine.num_blocks {} x engine.block_size {} = {} tokens",
                                 e.num_blocks, e.block_size, capacity));
  a.inputs.push_back("rates per slot: " + rates->source);
  a.inputs.push_back(fmt::format("w_k from [[classes]] prompt l and output o; engine.lookahead "
                                 "= {}", e.lookahead));
  add_p1_numbers(a, *rates, n, e.lookahead);
  std::string note;
  if (e.lookahead != 1)
    note = fmt::format("engine.lookahead = {}: the engine holds l + g + {} entries, so the "
                       "condition uses w_engine = l*o + o(o-1)/2 + {}*o", e.lookahead,
                       e.lookahead, e.lookahead);
  a.conditions.push_back(numeric_condition("p1.prop3_2", "P1 Prop 3.2",
                                           "sum_k lambda_k w_k <= M", ConditionRole::Necessary,
                                           n.load, "<=", n.capacity, n.holds, note));
  if (cfg.model.policy.kind == PolicyKind::P1ClassBudgets)
    add_alg1(a, *rates, capacity, e.lookahead, e.block_size);
  else
    a.notes.push_back(fmt::format("Theorem 3.3 (sufficient) is for Algorithm 1 "
                                  "(p1_class_budgets); policy {} gets no sufficient condition "
                                  "from P1", to_string(cfg.model.policy.kind)));
  return a;
}

}  // namespace kvcheck::theory
