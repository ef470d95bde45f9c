#include "theory/report.h"

namespace kvcheck::theory {

const char* to_string(ConditionRole role) {
  return role == ConditionRole::Necessary ? "necessary" : "sufficient";
}

Verdict report_verdict(const AnalysisReport& r) {
  std::string necessary, sufficient;
  for (const auto& a : r.analyses) {
    if (!a.applicable) continue;
    for (const auto& c : a.conditions) {
      if (c.holds) continue;
      auto& list = c.role == ConditionRole::Necessary ? necessary : sufficient;
      list += (list.empty() ? "" : "; ") + c.source + ": " + c.statement;
    }
  }
  if (!necessary.empty())
    return Verdict::violated(0, PropertyKind::Liveness, "necessary condition fails: " + necessary);
  if (!sufficient.empty())
    return Verdict::unknown("only sufficient conditions fail: " + sufficient);
  return Verdict::proved("every applicable condition holds");
}

const char* outcome_word(const Verdict& v) {
  switch (to_exit_code(v)) {
    case ExitCode::Ok: return "ok";
    case ExitCode::Inconclusive: return "inconclusive";
    default: return "unstable";
  }
}

bool has_sufficient_condition(const AnalysisReport& r) {
  for (const auto& a : r.analyses)
    if (a.applicable)
      for (const auto& c : a.conditions)
        if (c.role == ConditionRole::Sufficient) return true;
  return false;
}

}  // namespace kvcheck::theory
