#include "cli/z3_support.h"

#include <fmt/format.h>

#include <iostream>

#include "checkers/z3/confirm.h"
#include "io/workload.h"

namespace kvcheck::cli {

void add_z3_flags(CLI::App& sub, Z3Flags& f, bool dump) {
  sub.add_option("config", f.config, "Config file (TOML) with a [bmc] section")->required();
  sub.add_option("--timeout-ms", f.timeout_ms,
                 "Per-query solver timeout in ms (0 = none); a timeout is UNKNOWN")
      ->check(CLI::Range(std::int64_t{0}, kMaxTimeoutMs));
  sub.add_option("--rlimit", f.rlimit,
                 "Z3 resource units per query (0 = none; default [bmc] rlimit): a deterministic "
                 "budget, the same path on any machine; exhausted is UNKNOWN")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{4294967295}));
  sub.add_option("--time-limit", f.time_limit_s,
                 "Outer wall-clock limit for the whole run in seconds (0 = none); reached is UNKNOWN")
      ->check(CLI::Range(0.0, 1e7));
  sub.add_option("--seed-runs", f.seed_runs,
                 fmt::format("Random workloads inside the [bmc] bounds simulated before the "
                             "solver; a violation found is reported once every shallower depth "
                             "is unsat (0 = off; default {})",
                             SolverOptions{}.seed_runs))
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000000}));
  if (dump) sub.add_option("--dump-smt2", f.dump, "Write every solver query as SMT-LIB2 into DIR");
  sub.add_option("--out", f.out, "Directory for counterexample traces (default kvcheck-out)");
}

BmcSpec spec_with_flags(const Config& cfg, const Z3Flags& f, bool in_flight_ok) {
  if (!in_flight_ok) refuse_in_flight_for_z3(cfg);
  auto spec = parse_bmc_spec(cfg);
  if (f.timeout_ms >= 0) spec.timeout_ms = f.timeout_ms;
  if (f.rlimit >= 0) spec.rlimit = f.rlimit;
  return spec;
}

SolverOptions solver_options(const BmcSpec& spec, const Z3Flags& f, bool progress) {
  SolverOptions o;
  o.timeout_ms = spec.timeout_ms;
  o.dump_dir = f.dump;
  o.progress = progress ? &std::cout : nullptr;
  o.heartbeat = &std::cerr;
  o.seed_runs = f.seed_runs;
  o.rlimit = static_cast<std::uint64_t>(spec.rlimit);
  if (f.time_limit_s > 0)
    o.deadline = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(static_cast<std::int64_t>(f.time_limit_s * 1000.0));
  return o;
}

int report_violation(const Config& cfg, const ModelParams& params, const Counterexample& cex,
                     const Verdict& v, const char* source, const std::string& stem,
                     const std::string& label, const Z3Flags& f, const std::string& note) {
  TraceMeta meta;
  meta.source = source;
  meta.config_name = cfg.name;
  meta.config_hash = cfg.hash;
  meta.note = note;
  std::filesystem::path path;
  const auto c = confirm_and_write(params, cfg.time, cex, meta, f.out, stem, path);
  if (!c.reproduced) {
    fmt::print(stderr, "kvcheck: internal error: unsound verdict, {}\n", c.detail);
    return to_int(ExitCode::InternalError);
  }
  fmt::print("{}: VIOLATED {} at step {} ({} requests); replayed concretely; trace {}\n", label,
             v.reason, v.depth, cex.workload.requests.size(), path.string());
  return to_int(to_exit_code(v));
}

}  // namespace kvcheck::cli
