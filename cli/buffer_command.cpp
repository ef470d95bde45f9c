// `kvcheck buffer`: the smallest parameter value that `prove` accepts (checkers/buffer_search.h).
#include <fmt/format.h>

#include "checkers/buffer_search.h"
#include "checkers/confirm.h"
#include "cli/command.h"
#include "io/config.h"

namespace kvcheck::cli {
namespace {

class BufferCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML) with a [bmc] section")->required();
    sub.add_option("--param", param_, "Parameter, e.g. policy.watermark_blocks")->required();
    sub.add_option("--lo", lo_, "Smallest value tried (default 0)");
    sub.add_option("--hi", hi_, "Largest value tried (default: 4 x the configured value)");
    sub.add_option("--timeout-ms", timeout_ms_, "Per-query solver timeout; a timeout is UNKNOWN");
    sub.add_option("--out", out_, "Directory for the counterexample trace (default kvcheck-out)");
  }
  int run() override {
    const auto cfg = load_config(config_);
    auto spec = parse_bmc_spec(cfg);
    if (timeout_ms_ >= 0) spec.timeout_ms = timeout_ms_;
    ModelParams probe = cfg.model;
    const auto current = param_ref(probe, param_);
    const auto hi = hi_ >= 0 ? hi_ : std::max<std::int64_t>(current, 1) * 4;
    SolverOptions opts;
    opts.timeout_ms = spec.timeout_ms;
    const auto r = search_buffer(cfg.model, spec, param_, lo_, hi, opts);
    for (const auto& [v, verdict] : r.tried)
      fmt::print("{} = {}: {}{}\n", param_, v, to_string(verdict),
                 verdict.reason.empty() ? "" : " (" + verdict.reason + ")");
    if (!r.value) {
      fmt::print("{}: no value of {} in [{}, {}] is proved safe\n", cfg.name, param_, lo_, hi);
      return to_int(ExitCode::Inconclusive);
    }
    fmt::print("{}: smallest {} = {}: PROVED {}\n", cfg.name, param_, *r.value, r.proof.claim);
    if (!r.below) return to_int(ExitCode::Ok);
    const auto& b = *r.below;
    if (b.verdict.kind != VerdictKind::Violated) {
      fmt::print("{} = {}: {} (no counterexample within depth {})\n", param_, *r.value - 1,
                 to_string(b.verdict), spec.depth);
      return to_int(ExitCode::Ok);
    }
    ModelParams below = cfg.model;
    param_ref(below, param_) = *r.value - 1;
    TraceMeta meta;
    meta.source = "bmc";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    meta.note = param_ + " = " + std::to_string(*r.value - 1);
    std::filesystem::path path;
    const auto c = confirm_and_write(below, cfg.time, *b.cex, meta, out_,
                                     cfg.name + ".buffer_below", path);
    if (!c.reproduced) {
      fmt::print(stderr, "kvcheck: internal error: unsound verdict, {}\n", c.detail);
      return to_int(ExitCode::InternalError);
    }
    fmt::print("{} = {}: VIOLATED {} at step {}; trace {}\n", param_, *r.value - 1,
               b.verdict.reason, b.verdict.depth, path.string());
    return to_int(ExitCode::Ok);
  }

 private:
  std::string config_, param_, out_ = "kvcheck-out";
  std::int64_t lo_ = 0, hi_ = -1, timeout_ms_ = -1;
};

}  // namespace

std::unique_ptr<Command> make_buffer_command() { return std::make_unique<BufferCommand>(); }

}  // namespace kvcheck::cli
