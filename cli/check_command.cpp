// `kvcheck check`: bounded model checking with the Z3 backend (checkers/z3/bmc.h).
#include <fmt/format.h>

#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/k_induction.h"
#include "checkers/z3/prefix_bmc.h"
#include "cli/command.h"
#include "cli/z3_support.h"
#include "counterexamples/itf.h"
#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck::cli {
namespace {

std::string property_list(const BmcSpec& spec) {
  std::string s;
  for (auto id : spec.properties) s += (s.empty() ? "" : ", ") + std::string(info(id).name);
  return s;
}

/// `f()`, with a file-less InputError (the checkers' layer knows no path) naming the config.
template <class F>
auto named(const Config& cfg, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const InputError& e) {
    if (!e.file().empty()) throw;
    throw InputError(e.code(), cfg.path.string(), e.field(), e.reason());
  }
}

class CheckCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    add_z3_flags(sub, flags_, true);
    sub.add_option("--depth", depth_, "Steps to unroll, 1..1000 (default: [bmc] depth)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000}));
    sub.add_option("--from-step", from_step_,
                   "BMC from the state the config's own workload reaches at step S in simulation "
                   "(S >= 0, or `auto`: the step where its pool is fullest): the prefix's "
                   "residents keep their concrete state, [bmc] slots symbolic requests arrive at "
                   "S + [bmc] arrival; a violation's trace starts from the empty engine; no "
                   "violation is UNKNOWN (exit 5): only runs through that state are covered");
  }
  int run() override {
    const auto cfg = load_config(flags_.config);
    const auto spec = spec_with_flags(cfg, flags_, true);
    const auto depth = depth_ > 0 ? depth_ : spec.depth;
    if (!from_step_.empty()) return run_from_prefix(cfg, spec, depth);
    if (!cfg.workload.in_flight.empty()) return run_from_in_flight(cfg, spec, depth);
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
  /// `--from-step`: BMC from a simulated prefix (checkers/z3/prefix_bmc.h).
  int run_from_prefix(const Config& cfg, const BmcSpec& spec, std::int64_t depth) {
    const auto w = build_workload(cfg);
    const auto step = from_step_ == "auto"
                          ? fullest_step(cfg.model, cfg.time, w, cfg.check.max_steps)
                          : parse_step(from_step_, cfg.path.string());
    fmt::print("kvcheck check {}: BMC to depth {} from the state its workload reaches at step {}"
               "{}, plus {} symbolic requests arriving at steps {}..{}\nproperties: {}\n",
               cfg.name, depth, step, from_step_ == "auto" ? " (auto: the fullest pool)" : "",
               spec.slots, step + spec.arrival_lo, step + spec.arrival_hi, property_list(spec));
    const auto r = named(cfg, [&] {
      return run_prefix_bmc(cfg.model, cfg.time, w, spec, step, depth,
                            solver_options(spec, flags_, true));
    });
    const auto& st = r.prefix.start;
    if (r.in_prefix)
      fmt::print("prefix: the workload's own run violates {} at step {}, before step {}\n",
                 r.verdict.reason, r.verdict.depth, step);
    else
      fmt::print("prefix: {} steps simulated, {} requests arrived, {} resident, {} of {} blocks "
                 "held\n",
                 st.step, r.prefix.workload.requests.size(), st.residents.size(), st.used,
                 cfg.model.engine.num_blocks);
    if (r.verdict.kind != VerdictKind::Violated) {
      fmt::print("{}: {}: {}\n", cfg.name, to_string(r.verdict), r.verdict.reason);
      return to_int(to_exit_code(r.verdict));
    }
    return report_prefix_violation(cfg, r);
  }

  /// In-flight requests (`[[workload.in_flight]]`): BMC from the config's own start, the state
  /// they are in at step 0 (a prefix of no steps), with the [bmc] slots arriving as in plain
  /// `check`. That start is every run's, so every depth unsat is BOUNDED_OK(depth) here.
  int run_from_in_flight(const Config& cfg, const BmcSpec& spec, std::int64_t depth) {
    fmt::print("kvcheck check {}: BMC to depth {} from the {} in-flight requests at step 0, "
               "plus {} symbolic requests arriving at steps {}..{}\nproperties: {}\n",
               cfg.name, depth, cfg.workload.in_flight.size(), spec.slots, spec.arrival_lo,
               spec.arrival_hi, property_list(spec));
    const auto r = named(cfg, [&] {
      return run_prefix_bmc(cfg.model, cfg.time, build_workload(cfg), spec, 0, depth,
                            solver_options(spec, flags_, true));
    });
    if (r.verdict.kind == VerdictKind::Violated) return report_prefix_violation(cfg, r);
    // As BMC from the empty engine: nothing scheduled in any run is a config error, not a pass.
    if (r.vacuous) throw config_error(cfg.path.string(), "bmc", r.verdict.reason);
    const auto v = r.clean ? Verdict::bounded_ok(depth) : r.verdict;
    fmt::print("{}: {}{}\n", cfg.name, to_string(v),
               r.clean ? fmt::format(": no violation within {} steps for every workload of <= "
                                     "{} requests arriving on top of the in-flight ones",
                                     depth, spec.slots)
                       : ": " + r.verdict.reason);
    return to_int(to_exit_code(v));
  }

  /// Confirms the whole run concretely (it must also replay the prefix's states), writes it.
  int report_prefix_violation(const Config& cfg, const PrefixBmcResult& r) const {
    TraceMeta meta;
    meta.source = "bmc";
    meta.config_name = cfg.name;
    meta.config_hash = cfg.hash;
    meta.note = fmt::format("BMC from the simulated prefix of {} steps", r.prefix.start.step);
    const auto c = confirm_counterexample(cfg.model, cfg.time, *r.cex, meta);
    if (!c.reproduced || !starts_with_prefix(c.trace.states, r.prefix)) {
      fmt::print(stderr, "kvcheck: internal error: unsound verdict, {}\n",
                 c.reproduced ? "the replay does not repeat the simulated prefix" : c.detail);
      return to_int(ExitCode::InternalError);
    }
    const auto path = std::filesystem::path(flags_.out) / (cfg.name + ".bmc.itf.json");
    write_itf(c.trace, path);
    fmt::print("{}: VIOLATED {} at step {} ({}; {} requests); replayed concretely from the empty "
               "engine; trace {}\n",
               cfg.name, r.verdict.reason, r.verdict.depth,
               r.in_prefix ? "in the simulated prefix itself"
                           : fmt::format("{} steps after the sampled prefix",
                                         r.verdict.depth - r.prefix.start.step),
               r.cex->workload.requests.size(), path.string());
    return to_int(to_exit_code(r.verdict));
  }

  static std::int64_t parse_step(const std::string& s, const std::string& file) {
    std::size_t used = 0;
    std::int64_t v = 0;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size())
      throw config_error(file, "--from-step", "'" + s + "' is not a step number or `auto`");
    return v;
  }

  Z3Flags flags_;
  std::int64_t depth_ = 0;
  std::string from_step_;
};

}  // namespace

std::unique_ptr<Command> make_check_command() { return std::make_unique<CheckCommand>(); }

}  // namespace kvcheck::cli
