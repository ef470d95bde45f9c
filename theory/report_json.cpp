#include "theory/report_json.h"

#include <nlohmann/json.hpp>

namespace kvcheck::theory {
namespace {

nlohmann::json condition_json(const Condition& c) {
  nlohmann::json j = {{"id", c.id},     {"source", c.source}, {"statement", c.statement},
                      {"role", to_string(c.role)}, {"holds", c.holds}, {"note", c.note}};
  if (c.numeric) {
    j["lhs"] = c.lhs;
    j["relation"] = c.relation;
    j["rhs"] = c.rhs;
  }
  return j;
}

nlohmann::json analysis_json(const PaperAnalysis& a) {
  nlohmann::json j = {{"id", a.id}, {"title", a.title}, {"applicable", a.applicable}};
  if (!a.applicable) {
    j["missing_field"] = a.missing_field;
    j["missing_reason"] = a.missing_reason;
    return j;
  }
  j["inputs"] = a.inputs;
  nlohmann::json numbers = nlohmann::json::object(), units = nlohmann::json::object();
  for (const auto& n : a.numbers) {
    numbers[n.name] = n.value;
    units[n.name] = n.unit;
  }
  j["numbers"] = numbers;
  j["units"] = units;
  j["conditions"] = nlohmann::json::array();
  for (const auto& c : a.conditions) j["conditions"].push_back(condition_json(c));
  j["notes"] = a.notes;
  return j;
}

}  // namespace

std::string report_json(const AnalysisReport& r) {
  const auto v = report_verdict(r);
  nlohmann::json j = {{"config", r.config},
                      {"name", r.name},
                      {"rate_source", r.rate_source},
                      {"notes", r.notes},
                      {"verdict", outcome_word(v)},
                      {"sufficient_condition_evaluated", has_sufficient_condition(r)},
                      {"verdict_reason", v.reason},
                      {"exit_code", to_int(to_exit_code(v))}};
  j["analyses"] = nlohmann::json::array();
  for (const auto& a : r.analyses) j["analyses"].push_back(analysis_json(a));
  return j.dump(2) + "\n";
}

}  // namespace kvcheck::theory
