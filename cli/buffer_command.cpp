// `kvcheck buffer`: the smallest parameter value that `prove` accepts (checkers/z3/buffer_search.h).
#include <fmt/format.h>

#include "checkers/z3/buffer_search.h"
#include "cli/command.h"
#include "cli/z3_support.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

class BufferCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    add_z3_flags(sub, flags_, false);
    sub.add_option("--param", param_, "Parameter: " + buffer_param_names())->required();
    sub.add_option("--lo", lo_, "Smallest value tried (default: the smallest valid one >= 0)")
        ->each([this](const std::string&) { lo_set_ = true; });
    sub.add_option("--hi", hi_, "Largest value tried (default: 4 x the configured value)")
        ->each([this](const std::string&) { hi_set_ = true; });
    sub.add_flag("--every-n", every_n_,
                 "Accept a value only when every property is proved for every number of "
                 "requests (every-N proof or population encoding), not just for the [bmc] slots");
  }
  int run() override {
    const auto cfg = load_config(flags_.config);
    const auto spec = spec_with_flags(cfg, flags_);
    ModelParams probe = cfg.model;
    const auto current = param_ref(probe, param_);
    const auto hi = hi_set_ ? hi_ : std::max<std::int64_t>(current, 1) * 4;
    if (!lo_set_) lo_ = first_valid(cfg, hi);
    const auto r = search_buffer(cfg, spec, param_, lo_, hi, solver_options(spec, flags_, false),
                                 every_n_);
    for (const auto& [v, verdict] : r.tried)
      fmt::print("{} = {}: {}{}\n", param_, v, to_string(verdict),
                 verdict.reason.empty() ? "" : " (" + verdict.reason + ")");
    if (!r.value) {
      fmt::print("{}: no value of {} in [{}, {}] is proved safe{}\n", cfg.name, param_, lo_, hi,
                 r.no_argument.empty()
                     ? std::string()
                     : fmt::format(" for every N (values after {} not tried: no every-N "
                                   "argument covers {} for this policy at any value; "
                                   "docs/z3-backend.md \"Every N for no_preemption\")",
                                   r.tried.back().first, property_names(r.no_argument)));
      if (!r.burst_value || !r.below) return to_int(ExitCode::Inconclusive);
      const auto label = param_ + " = " + std::to_string(*r.burst_value);
      fmt::print("{}: the envelope's burst violates ({} requests of prompt {}, output {}); no "
                 "smaller value was tried:\n",
                 label, r.below->cex->workload.requests.size(),
                 r.below->cex->workload.requests.front().prompt,
                 r.below->cex->workload.requests.front().output);
      const auto at = with_param(cfg, param_, *r.burst_value, "--param");
      const auto rc = report_violation(cfg, at, *r.below->cex, r.below->verdict, "simulate",
                                       cfg.name + ".buffer_burst", label, flags_, label);
      return rc == to_int(ExitCode::InternalError) ? rc : to_int(ExitCode::Inconclusive);
    }
    fmt::print("{}: smallest {} = {}: PROVED {}\n", cfg.name, param_, *r.value, r.proof.claim);
    if (!r.below) return to_int(ExitCode::Ok);
    const auto& b = *r.below;
    const auto below_label = param_ + " = " + std::to_string(*r.value - 1);
    if (b.verdict.kind != VerdictKind::Violated) {
      fmt::print("{}: {} (no counterexample within depth {}, and none in the config's own "
                 "workload)\n",
                 below_label, to_string(b.verdict), spec.depth);
      return to_int(ExitCode::Ok);
    }
    if (r.below_burst)
      fmt::print("{}: neither BMC over the [bmc] slots (depth {}) nor the config's own workload "
                 "violates; the envelope's burst ({} requests of prompt {}, output {}) does:\n",
                 below_label, spec.depth, b.cex->workload.requests.size(),
                 b.cex->workload.requests.front().prompt, b.cex->workload.requests.front().output);
    else if (r.below_simulated)
      fmt::print("{}: BMC over the [bmc] slots finds no counterexample within depth {}; the "
                 "config's own workload, simulated, does:\n",
                 below_label, spec.depth);
    const auto below = with_param(cfg, param_, *r.value - 1, "--param");
    // The answer is the proof; the trace one below documents it, so success is exit 0.
    const auto rc = report_violation(cfg, below, *b.cex, b.verdict,
                                     r.below_simulated ? "simulate" : "bmc",
                                     cfg.name + ".buffer_below",
                                     below_label, flags_, below_label);
    return rc == to_int(ExitCode::InternalError) ? rc : to_int(ExitCode::Ok);
  }

 private:
  Z3Flags flags_;
  std::string param_;
  std::int64_t lo_ = 0, hi_ = 0;
  bool hi_set_ = false, lo_set_ = false;
  bool every_n_ = false;
  /// The smallest value in [0, hi] the config reader accepts for the parameter (hi if none).
  std::int64_t first_valid(const Config& cfg, std::int64_t hi) const {
    for (std::int64_t v = 0; v < hi; ++v) {
      try {
        (void)with_param(cfg, param_, v, "--lo");
        return v;
      } catch (const InputError&) {  // below the reader's minimum: try the next value
      }
    }
    return hi;
  }
};

}  // namespace

std::unique_ptr<Command> make_buffer_command() { return std::make_unique<BufferCommand>(); }

}  // namespace kvcheck::cli
