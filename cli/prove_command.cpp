// `kvcheck prove`: unbounded safety by k-induction with the Z3 backend (checkers/k_induction.h).
#include <fmt/format.h>

#include <iostream>

#include "checkers/confirm.h"
#include "checkers/k_induction.h"
#include "cli/command.h"
#include "io/config.h"

namespace kvcheck::cli {
namespace {

class ProveCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML) with a [bmc] section")->required();
    sub.add_option("--max-k", max_k_, "Largest induction depth (default: [bmc] max_k)");
    sub.add_option("--timeout-ms", timeout_ms_, "Per-query solver timeout; a timeout is UNKNOWN");
    sub.add_option("--dump-smt2", dump_, "Write every solver query as SMT-LIB2 into DIR");
    sub.add_option("--out", out_, "Directory for counterexample traces (default kvcheck-out)");
  }
  int run() override {
    const auto cfg = load_config(config_);
    auto spec = parse_bmc_spec(cfg);
    if (timeout_ms_ >= 0) spec.timeout_ms = timeout_ms_;
    if (max_k_ > 0) spec.max_k = max_k_;
    fmt::print("kvcheck prove {}: k-induction up to k = {}, {}\n", cfg.name, spec.max_k,
               describe_scope(spec));
    SolverOptions opts{spec.timeout_ms, dump_, &std::cout};
    const auto r = prove_k_induction(cfg.model, spec, opts);
    if (r.verdict.kind == VerdictKind::Proved) {
      fmt::print("{}: PROVED {}\n", cfg.name, r.claim);
      return to_int(ExitCode::Ok);
    }
    if (r.verdict.kind != VerdictKind::Violated) {
      fmt::print("{}: {}: {}\n", cfg.name, to_string(r.verdict), r.verdict.reason);
      return to_int(to_exit_code(r.verdict));
    }
    TraceMeta meta;
    meta.source = "prove";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    std::filesystem::path path;
    const auto c = confirm_and_write(cfg.model, cfg.time, *r.cex, meta, out_,
                                     cfg.name + ".prove", path);
    if (!c.reproduced) {
      fmt::print(stderr, "kvcheck: internal error: unsound verdict, {}\n", c.detail);
      return to_int(ExitCode::InternalError);
    }
    fmt::print("{}: VIOLATED {} at step {}; replayed concretely; trace {}\n", cfg.name,
               r.verdict.reason, r.verdict.depth, path.string());
    return to_int(to_exit_code(r.verdict));
  }

 private:
  std::string config_, dump_, out_ = "kvcheck-out";
  std::int64_t max_k_ = 0, timeout_ms_ = -1;
};

}  // namespace

std::unique_ptr<Command> make_prove_command() { return std::make_unique<ProveCommand>(); }

}  // namespace kvcheck::cli
