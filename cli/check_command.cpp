// `kvcheck check`: bounded model checking with the Z3 backend (checkers/bmc.h).
#include <fmt/format.h>

#include <iostream>

#include "checkers/bmc.h"
#include "checkers/confirm.h"
#include "checkers/k_induction.h"
#include "cli/command.h"
#include "io/config.h"

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
    sub.add_option("config", config_, "Config file (TOML) with a [bmc] section")->required();
    sub.add_option("--depth", depth_, "Steps to unroll (default: [bmc] depth)");
    sub.add_option("--timeout-ms", timeout_ms_, "Per-query solver timeout; a timeout is UNKNOWN");
    sub.add_option("--dump-smt2", dump_, "Write every solver query as SMT-LIB2 into DIR");
    sub.add_option("--out", out_, "Directory for counterexample traces (default kvcheck-out)");
  }
  int run() override {
    const auto cfg = load_config(config_);
    auto spec = parse_bmc_spec(cfg);
    if (timeout_ms_ >= 0) spec.timeout_ms = timeout_ms_;
    const auto depth = depth_ > 0 ? depth_ : spec.depth;
    fmt::print("kvcheck check {}: BMC to depth {}, {}\nproperties: {}\n", cfg.name, depth,
               describe_scope(spec), property_list(spec));
    SolverOptions opts{spec.timeout_ms, dump_, &std::cout};
    const auto r = run_bmc(cfg.model, spec, depth, opts);
    if (r.verdict.kind != VerdictKind::Violated) {
      fmt::print("{}: {}{}\n", cfg.name, to_string(r.verdict),
                 r.verdict.kind == VerdictKind::BoundedOk ? " (nothing claimed beyond this depth)"
                                                          : ": " + r.verdict.reason);
      return to_int(to_exit_code(r.verdict));
    }
    TraceMeta meta;
    meta.source = "bmc";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    std::filesystem::path path;
    const auto c = confirm_and_write(cfg.model, cfg.time, *r.cex, meta, out_, cfg.name + ".bmc",
                                     path);
    if (!c.reproduced) {
      fmt::print(stderr, "kvcheck: internal error: unsound verdict, {}\n", c.detail);
      return to_int(ExitCode::InternalError);
    }
    fmt::print("{}: VIOLATED {} at step {} ({} requests); replayed concretely; trace {}\n",
               cfg.name, r.verdict.reason, r.verdict.depth, r.cex->workload.requests.size(),
               path.string());
    return to_int(to_exit_code(r.verdict));
  }

 private:
  std::string config_, dump_, out_ = "kvcheck-out";
  std::int64_t depth_ = 0, timeout_ms_ = -1;
};

}  // namespace

std::unique_ptr<Command> make_check_command() { return std::make_unique<CheckCommand>(); }

}  // namespace kvcheck::cli
