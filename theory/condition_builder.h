#pragma once
/// \file condition_builder.h
/// Small constructors for report values, shared by the analyze_p*.cpp files.
#include <cstdint>
#include <string>
#include <utility>

#include "models/params.h"
#include "theory/report.h"

namespace kvcheck::theory {

/// A numeric condition `lhs relation rhs`; `holds` is decided by the caller (it knows the
/// tolerance rules and integer cases).
inline Condition numeric_condition(std::string id, std::string source, std::string statement,
                                   ConditionRole role, double lhs, std::string relation,
                                   double rhs, bool holds, std::string note = {}) {
  Condition c;
  c.id = std::move(id);
  c.source = std::move(source);
  c.statement = std::move(statement);
  c.role = role;
  c.lhs = lhs;
  c.relation = std::move(relation);
  c.rhs = rhs;
  c.holds = holds;
  c.note = std::move(note);
  return c;
}

/// A condition on the policy rather than on numbers.
inline Condition policy_condition(std::string id, std::string source, std::string statement,
                                  ConditionRole role, bool holds, std::string note) {
  Condition c;
  c.id = std::move(id);
  c.source = std::move(source);
  c.statement = std::move(statement);
  c.role = role;
  c.numeric = false;
  c.holds = holds;
  c.note = std::move(note);
  return c;
}

/// A PaperAnalysis marked not applicable.
inline PaperAnalysis not_applicable(PaperAnalysis a, std::string field, std::string reason) {
  a.applicable = false;
  a.missing_field = std::move(field);
  a.missing_reason = std::move(reason);
  return a;
}

/// Not applicable because the config gives no arrival rates (every paper needs them).
inline PaperAnalysis no_rates(PaperAnalysis a) {
  return not_applicable(std::move(a), "classes.rate",
                        "no arrival rates (give [[classes]] rate or a deterministic/poisson "
                        "workload)");
}

/// The KV capacity in tokens: engine.num_blocks * engine.block_size.
inline std::int64_t kv_capacity_tokens(const EngineParams& e) {
  return e.num_blocks * e.block_size;
}

}  // namespace kvcheck::theory
