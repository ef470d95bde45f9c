// `kvcheck check`: bounded model checking with the Z3 backend (checkers/z3/bmc.h).
#include <fmt/format.h>

#include "checkers/z3/bmc.h"
#include "checkers/z3/k_induction.h"
#include "cli/command.h"
#include "cli/z3_support.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

std::string property_list(const BmcSpec& spec) {
  std::string s;
  for (auto id : spec.properties) s += (s.empty() ? "" : ", ") + std::string(info(id).name);
  return s;
}

class CheckCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    add_z3_flags(sub, flags_, true);
    sub.add_option("--depth", depth_, "Steps to unroll, 1..1000 (default: [bmc] depth)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
  }
  int run() override {
    const auto cfg = load_config(flags_.config);
    const auto spec = spec_with_flags(cfg, flags_);
    const auto depth = depth_ > 0 ? depth_ : spec.depth;
    fmt::print("kvcheck check {}: BMC to depth {}, {}\nproperties: {}\n", cfg.name, depth,
               describe_scope(spec), property_list(spec));
    auto cov = bmc_coverage(spec);
    cov.note += (cov.note.empty() ? "" : "; ") + fmt::format("the first {} steps", depth);
    fmt::print("{}", envelope_report_lines(spec.envelope, cov, "check"));
    const auto r = run_bmc(cfg.model, spec, depth, solver_options(spec, flags_, true));
    if (r.vacuous) throw config_error(cfg.path.string(), "bmc", r.verdict.reason);
    if (r.verdict.kind == VerdictKind::Violated)
      return report_violation(cfg, cfg.model, *r.cex, r.verdict, "bmc", cfg.name + ".bmc",
                              cfg.name, flags_);
    const bool closed = r.verdict.kind == VerdictKind::BoundedOk && !r.verdict.reason.empty();
    fmt::print("{}: {}{}\n", cfg.name, to_string(r.verdict),
               r.verdict.kind != VerdictKind::BoundedOk ? ": " + r.verdict.reason
               : closed ? " (" + r.verdict.reason + "; `kvcheck prove` states the unbounded claim)"
                        : std::string(" (nothing claimed beyond this depth)"));
    return to_int(to_exit_code(r.verdict));
  }

 private:
  Z3Flags flags_;
  std::int64_t depth_ = 0;
};

}  // namespace

std::unique_ptr<Command> make_check_command() { return std::make_unique<CheckCommand>(); }

}  // namespace kvcheck::cli
