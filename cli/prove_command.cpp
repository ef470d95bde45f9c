// `kvcheck prove`: unbounded safety. First the every-N allocation proof (checkers/z3/
// generic_proof.h: every number of requests, every workload, the [prove] ranges) for the
// properties it implies; the rest by k-induction over the [bmc] slots (checkers/z3/
// k_induction.h).
#include <fmt/format.h>

#include <algorithm>

#include "checkers/z3/generic_proof.h"
#include "checkers/z3/k_induction.h"
#include "checkers/z3/prove_ranges.h"
#include "cli/command.h"
#include "cli/z3_support.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

/// The requested properties the every-N proof implies, and the others.
struct Split {
  std::vector<PropertyId> every_n, rest;
};

Split split_properties(const std::vector<PropertyId>& requested) {
  Split s;
  const auto& implied = every_n_properties();
  for (const auto id : requested)
    (std::find(implied.begin(), implied.end(), id) != implied.end() ? s.every_n : s.rest)
        .push_back(id);
  return s;
}

std::string names(const std::vector<PropertyId>& ids) {
  std::string out;
  for (const auto id : ids) out += (out.empty() ? "" : ", ") + std::string(info(id).name);
  return out;
}

class ProveCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    add_z3_flags(sub, flags_, true);
    sub.add_option("--max-k", max_k_, "Largest induction depth, 1..1000 (default: [bmc] max_k)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  }
  int run() override {
    const auto cfg = load_config(flags_.config);
    auto spec = spec_with_flags(cfg, flags_);
    if (max_k_ > 0) spec.max_k = max_k_;
    const auto ranges = parse_prove_ranges(cfg);
    const auto opts = solver_options(spec, flags_, true);
    const auto split = split_properties(spec.properties);
    std::string every_n_claim;
    if (!split.every_n.empty()) {
      fmt::print("kvcheck prove {}: every-N allocation proof for {}\n", cfg.name,
                 names(split.every_n));
      const auto g = prove_every_n(cfg.model, ranges, opts);
      if (g.holds) {
        every_n_claim = names(split.every_n) + ": " + g.claim;
        fmt::print("every N: holds for {}\n", every_n_claim);
        if (split.rest.empty()) {
          fmt::print("{}: PROVED {}\n", cfg.name, every_n_claim);
          return to_int(ExitCode::Ok);
        }
        spec.properties = split.rest;
      } else {
        fmt::print("every N: not shown ({}); the [bmc] slots' proof follows\n", g.reason);
      }
    }
    const auto r = run_k_induction(cfg, spec, opts);
    if (r.verdict.kind == VerdictKind::Violated)
      return report_violation(cfg, cfg.model, *r.cex, r.verdict, "prove", cfg.name + ".prove",
                              cfg.name, flags_);
    if (r.verdict.kind != VerdictKind::Proved) {
      fmt::print("{}: {}: {}\n", cfg.name, to_string(r.verdict), r.verdict.reason);
      if (!every_n_claim.empty())
        fmt::print("{}: (the every-N part holds: {})\n", cfg.name, every_n_claim);
      return to_int(to_exit_code(r.verdict));
    }
    if (!ranges.empty() && every_n_claim.empty()) {
      // The k-induction covers the configured values only: the declared ranges are not proved.
      fmt::print("{}: PROVED for the configured values {}\n", cfg.name, r.claim);
      const auto v = Verdict::unknown("the [prove] ranges (" + describe_knobs(cfg.model, ranges) +
                                      ") are not proved: the every-N argument was not shown");
      fmt::print("{}: {}: {}\n", cfg.name, to_string(v), v.reason);
      return to_int(to_exit_code(v));
    }
    if (!every_n_claim.empty())
      fmt::print("{}: PROVED {}; {}: {}\n", cfg.name, every_n_claim, names(spec.properties),
                 r.claim);
    else
      fmt::print("{}: PROVED {}\n", cfg.name, r.claim);
    return to_int(ExitCode::Ok);
  }

 private:
  ProveResult run_k_induction(const Config& cfg, const BmcSpec& spec, const SolverOptions& opts) {
    fmt::print("kvcheck prove {}: allocation invariant, then k-induction up to k = {}, {}\n",
               cfg.name, spec.max_k, describe_scope(spec));
    fmt::print("{}", envelope_report_lines(spec.envelope, bmc_coverage(spec), "prove"));
    auto r = prove_k_induction(cfg.model, spec, opts);
    if (r.vacuous) throw config_error(cfg.path.string(), "bmc", r.verdict.reason);
    return r;
  }

  Z3Flags flags_;
  std::int64_t max_k_ = 0;
};

}  // namespace

std::unique_ptr<Command> make_prove_command() { return std::make_unique<ProveCommand>(); }

}  // namespace kvcheck::cli
