#pragma once
/// \file report.h
/// The result of `kvcheck analyze` as values: per paper, whether its analysis applies to the
/// config, the inputs it used, the numbers it computed and each condition with its side.
/// Printing lives in report_text.h / report_json.h.
#include <string>
#include <vector>

#include "properties/verdict.h"

namespace kvcheck::theory {

/// What a condition's failure means. A NECESSARY condition failing implies instability (the
/// theorem says so for every policy); a SUFFICIENT one failing only withdraws a guarantee.
enum class ConditionRole { Necessary, Sufficient };

/// One condition of a theorem, evaluated: `lhs relation rhs` (when numeric) and whether it holds.
struct Condition {
  std::string id;         ///< stable key, e.g. "p1.prop3_2"
  std::string source;     ///< where it is stated, e.g. "P1 Prop 3.2"
  std::string statement;  ///< the inequality in words, e.g. "sum_k lambda_k w_k <= M"
  ConditionRole role = ConditionRole::Necessary;
  bool numeric = true;    ///< false for conditions on the policy (no lhs/rhs)
  double lhs = 0.0, rhs = 0.0;
  std::string relation;   ///< "<=" or "<"
  bool holds = false;
  std::string note;       ///< e.g. "holds as <= but not <"
};

/// A named number the analysis computed (per-class ones carry the class in brackets: w[short]).
struct Number {
  std::string name;
  double value = 0.0;
  std::string unit;       ///< e.g. "tokens", "req/unit time"; may be empty
};

/// One paper's analysis of the config.
struct PaperAnalysis {
  std::string id;         ///< "p1", "p2", "p4"
  std::string title;
  bool applicable = false;
  std::string missing_field;   ///< when not applicable: the config field it lacks
  std::string missing_reason;  ///< ... and why
  std::vector<std::string> inputs;  ///< which config values were used, in words
  std::vector<Number> numbers;
  std::vector<Condition> conditions;
  std::vector<std::string> notes;
};

/// Everything `kvcheck analyze` found for one config.
struct AnalysisReport {
  std::string config;       ///< the config file
  std::string name;         ///< its [meta] name
  std::string rate_source;  ///< where the arrival rates came from (empty: none found)
  std::vector<std::string> notes;  ///< notes that concern every analysis
  std::vector<PaperAnalysis> analyses;
};

/// The combined verdict over every applicable condition: Violated (liveness, exit 13) when a
/// necessary condition fails; else Unknown (exit 5) when a condition on an inf or nan number
/// (undecided) or a sufficient one fails; else Proved (exit 0). The reason names the failing
/// conditions.
Verdict report_verdict(const AnalysisReport& r);

/// True when some applicable analysis evaluated a sufficient condition (without one, exit 0
/// means "no condition rules stability out", not "stability is guaranteed").
bool has_sufficient_condition(const AnalysisReport& r);

/// The analysis's word for a report verdict: "ok" (exit 0), "inconclusive" (5), "unstable" (13).
const char* outcome_word(const Verdict& v);

/// "necessary" / "sufficient".
const char* to_string(ConditionRole role);

}  // namespace kvcheck::theory
