#pragma once
/// \file z3_support.h
/// What `kvcheck check`, `prove` and `buffer` share: the config / solver flags, loading the
/// [bmc] spec with the command-line overrides, and turning a symbolic counterexample into a
/// reported one (replayed concretely first; a trace that does not reproduce is an internal
/// error, exit 255, never a verdict).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "checkers/z3/bmc_spec.h"
#include "checkers/z3/bmc_session.h"
#include "io/config.h"
#include "properties/verdict.h"

namespace kvcheck::cli {

/// The largest per-query timeout accepted (Z3 takes an unsigned 32-bit millisecond count).
inline constexpr std::int64_t kMaxTimeoutMs = (std::int64_t{1} << 31) - 1;

struct Z3Flags {
  std::string config, dump, out = "kvcheck-out";
  std::int64_t timeout_ms = -1;
  /// simulated workloads tried before the solver; 0 = off (the library's default, which the
  /// gate uses too)
  std::int64_t seed_runs = SolverOptions{}.seed_runs;
  std::int64_t rlimit = -1;       ///< Z3 resource units per query (-1: [bmc] rlimit)
  double time_limit_s = 0.0;      ///< outer wall-clock guard for the whole run (0 = none)
};

/// Adds `config`, --timeout-ms, --rlimit, --time-limit, --seed-runs, --out and (when `dump`)
/// --dump-smt2.
void add_z3_flags(CLI::App& sub, Z3Flags& f, bool dump);

/// The [bmc] spec of `cfg` with --timeout-ms applied. Refuses (exit 151) what the Z3 backends
/// cannot run: V0's swap, and in-flight requests unless `in_flight_ok` (`check` starts BMC from
/// their state, checkers/z3/prefix_bmc.h).
BmcSpec spec_with_flags(const Config& cfg, const Z3Flags& f, bool in_flight_ok = false);

/// Solver options from the spec and flags; progress lines go to stdout when `progress`.
SolverOptions solver_options(const BmcSpec& spec, const Z3Flags& f, bool progress);

/// Confirms `cex` under `params`, writes the trace as `<out>/<stem>.itf.json`, prints
/// "<label>: VIOLATED <property> at step <d>; replayed concretely; trace <path>" and returns
/// the verdict's exit code (255 when the trace does not reproduce).
int report_violation(const Config& cfg, const ModelParams& params, const Counterexample& cex,
                     const Verdict& v, const char* source, const std::string& stem,
                     const std::string& label, const Z3Flags& f, const std::string& note = {});

}  // namespace kvcheck::cli
