#pragma once
/// \file verdict.h
/// Verdicts are values. A lattice combines per-property results (CBMC's property_statust idea):
/// Error > Violated > Unknown > BoundedOk > Proved > NotChecked. Printing lives elsewhere.
#include <cstdint>
#include <string>

#include "properties/exit_codes.h"
#include "properties/property.h"

namespace kvcheck {

enum class VerdictKind { NotChecked, Proved, BoundedOk, Unknown, Violated, Error };

struct Verdict {
  VerdictKind kind = VerdictKind::NotChecked;
  std::int64_t depth = 0;               ///< k for BoundedOk, the violating step for Violated
  PropertyKind property_kind = PropertyKind::Safety;  ///< for Violated: which exit code
  std::string reason;                   ///< human-readable detail (why Unknown, what failed)

  static Verdict proved(std::string why = {}) { return {VerdictKind::Proved, 0, PropertyKind::Safety, std::move(why)}; }
  static Verdict bounded_ok(std::int64_t k) { return {VerdictKind::BoundedOk, k, PropertyKind::Safety, {}}; }
  static Verdict violated(std::int64_t step, PropertyKind kind, std::string what) {
    return {VerdictKind::Violated, step, kind, std::move(what)};
  }
  static Verdict unknown(std::string why) { return {VerdictKind::Unknown, 0, PropertyKind::Safety, std::move(why)}; }
  static Verdict error(std::string why) { return {VerdictKind::Error, 0, PropertyKind::Safety, std::move(why)}; }
};

/// Severity order used by `combine`.
constexpr int severity(VerdictKind k) {
  switch (k) {
    case VerdictKind::NotChecked: return 0;
    case VerdictKind::Proved: return 1;
    case VerdictKind::BoundedOk: return 2;
    case VerdictKind::Unknown: return 3;
    case VerdictKind::Violated: return 4;
    case VerdictKind::Error: return 5;
  }
  return 5;
}

/// The combined verdict of two properties: the more severe one; two BoundedOk keep the
/// smaller depth (nothing is claimed beyond it); two Violated keep the earlier step.
inline Verdict combine(const Verdict& a, const Verdict& b) {
  if (severity(a.kind) != severity(b.kind)) return severity(a.kind) > severity(b.kind) ? a : b;
  if (a.kind == VerdictKind::BoundedOk || a.kind == VerdictKind::Violated)
    return a.depth <= b.depth ? a : b;
  return a;
}

/// The exit code of the worse of two outcomes, in `severity` order: ok < inconclusive <
/// violated (a safety violation outranks a liveness one) < any error code. The gate folds its
/// rows with it.
inline ExitCode worse(ExitCode a, ExitCode b) {
  auto rank = [](ExitCode c) {
    switch (c) {
      case ExitCode::Ok: return 2 * severity(VerdictKind::Proved);
      case ExitCode::Inconclusive: return 2 * severity(VerdictKind::Unknown);
      case ExitCode::LivenessViolation: return 2 * severity(VerdictKind::Violated);
      case ExitCode::SafetyViolation: return 2 * severity(VerdictKind::Violated) + 1;
      default: return 2 * severity(VerdictKind::Error);
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

inline ExitCode to_exit_code(const Verdict& v) {
  switch (v.kind) {
    case VerdictKind::NotChecked:
    case VerdictKind::Proved:
    case VerdictKind::BoundedOk: return ExitCode::Ok;
    case VerdictKind::Unknown: return ExitCode::Inconclusive;
    case VerdictKind::Violated:
      return v.property_kind == PropertyKind::Liveness ? ExitCode::LivenessViolation
                                                        : ExitCode::SafetyViolation;
    case VerdictKind::Error: return ExitCode::InternalError;
  }
  return ExitCode::InternalError;
}

/// "PROVED", "BOUNDED_OK(12)", "VIOLATED", "UNKNOWN", "ERROR".
std::string to_string(const Verdict& v);

}  // namespace kvcheck
