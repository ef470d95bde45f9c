#pragma once
/// \file exit_codes.h
/// kvcheck's process exit codes: the one table (docs/exit-codes.md mirrors it; tests check each).
/// Values follow TLC/Apalache/CBMC where they overlap (verification.md B.3).

namespace kvcheck {

enum class ExitCode : int {
  Ok = 0,                  ///< no violation: PROVED, BOUNDED_OK(k), a clean run, a reproduced replay
  Inconclusive = 5,        ///< UNKNOWN: solver unknown/timeout, or only a sufficient condition fails
  SafetyViolation = 12,    ///< a safety property is violated (KV overflow, invariant)
  LivenessViolation = 13,  ///< a stability or liveness property is violated
  ReplayDiverged = 20,     ///< a replay did not reproduce the recorded trace
  TraceParseError = 150,   ///< a trace, workload or model file could not be read
  ConfigError = 151,       ///< a configuration file or command-line value is invalid
  InternalError = 255,     ///< a bug in kvcheck (e.g. an unsound verdict caught by replay)
};

constexpr int to_int(ExitCode c) { return static_cast<int>(c); }

}  // namespace kvcheck
