// `kvcheck prove`: unbounded safety (checkers/z3/prove_pipeline.h): the pool properties for
// every number of requests and the [prove] ranges, the rest by k-induction over the [bmc] slots.
#include <fmt/format.h>

#include <cstdio>

#include "checkers/z3/prove_pipeline.h"
#include "checkers/z3/prove_ranges.h"
#include "cli/command.h"
#include "cli/z3_support.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

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
    fmt::print(
        "kvcheck prove {}: the pool properties for every N ({}), then the allocation "
        "invariant and k-induction up to k = {}, {}\n",
        cfg.name, describe_ranges(cfg.model, ranges), spec.max_k, describe_scope(spec));
    fmt::print("{}", envelope_report_lines(spec.envelope, bmc_coverage(spec), "prove"));
    std::fflush(stdout);
    const auto p = prove_pipeline(cfg.model, spec, ranges, solver_options(spec, flags_, true));
    const auto& r = p.result;
    if (r.vacuous) throw config_error(cfg.path.string(), "bmc", r.verdict.reason);
    if (r.verdict.kind == VerdictKind::Violated)
      return report_violation(cfg, cfg.model, *r.cex, r.verdict, "prove", cfg.name + ".prove",
                              cfg.name, flags_);
    if (r.verdict.kind == VerdictKind::Proved) {
      fmt::print("{}: PROVED {}\n", cfg.name, r.claim);
      return to_int(ExitCode::Ok);
    }
    fmt::print("{}: {}: {}\n", cfg.name, to_string(r.verdict), r.verdict.reason);
    if (!p.every_n_claim.empty())
      fmt::print("{}: (the every-N part holds: {})\n", cfg.name, p.every_n_claim);
    return to_int(to_exit_code(r.verdict));
  }

 private:
  Z3Flags flags_;
  std::int64_t max_k_ = 0;
};

}  // namespace

std::unique_ptr<Command> make_prove_command() { return std::make_unique<ProveCommand>(); }

}  // namespace kvcheck::cli
