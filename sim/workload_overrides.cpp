#include "sim/workload_overrides.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "io/input_error.h"
#include "io/limits.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

bool parse_kind(const std::string& s, WorkloadKind& out) {
  for (auto k : {WorkloadKind::Explicit, WorkloadKind::Deterministic, WorkloadKind::Poisson,
                 WorkloadKind::ClassMix, WorkloadKind::Trace, WorkloadKind::Random})
    if (to_string(k) == s) {
      out = k;
      return true;
    }
  return false;
}

/// A flag's value must lie in [lo, hi] (the config field's own limits, io/limits.h).
void check_range(const std::optional<double>& v, const char* flag, double lo, double hi) {
  if (v && !(std::isfinite(*v) && *v >= lo && *v <= hi))
    throw config_error("command line", flag,
                       fmt::format("must be a number in [{}, {}], got {}", lo, hi, *v));
}

/// The result must be a workload build_workload can make.
void check_complete(const Config& cfg) {
  check_has_workload(cfg);  // a [network] / [cluster] config: name the command that runs it
  const auto& w = cfg.workload;
  switch (w.kind) {
    case WorkloadKind::Explicit:
      if (w.requests.empty())
        throw config_error(cfg.path.string(), "--workload",
                           "explicit needs the config's [workload] requests list");
      return;
    case WorkloadKind::Trace:
      if (w.trace.empty())
        throw config_error(cfg.path.string(), "--trace", "a trace workload needs a CSV file");
      if (!std::filesystem::is_regular_file(w.trace))
        throw config_error(w.trace.string(), "--trace", "no such file");
      return;
    case WorkloadKind::ClassMix:
      if (cfg.model.classes.empty())
        throw config_error(cfg.path.string(), "--workload", "class_mix needs [[classes]]");
      [[fallthrough]];
    case WorkloadKind::Deterministic:
    case WorkloadKind::Poisson:
      if (w.count <= 0)
        throw config_error(cfg.path.string(), "--count",
                           "a generated workload needs --count N (N > 0)");
      return;
    case WorkloadKind::Random: return;  // every key has a default
    case WorkloadKind::Dataset:
      if (!std::filesystem::is_regular_file(w.dataset))
        throw config_error(cfg.path.string(), "--workload", "a dataset workload needs its CSV");
      return;
  }
}

}  // namespace

std::string to_string(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::Explicit: return "explicit";
    case WorkloadKind::Deterministic: return "deterministic";
    case WorkloadKind::Poisson: return "poisson";
    case WorkloadKind::ClassMix: return "class_mix";
    case WorkloadKind::Trace: return "trace";
    case WorkloadKind::Random: return "random";
    case WorkloadKind::Dataset: return "dataset";
  }
  return "unknown";
}

void apply_overrides(Config& cfg, const WorkloadOverrides& o) {
  auto& w = cfg.workload;
  if (o.kind && !parse_kind(*o.kind, w.kind))
    throw config_error("command line", "--workload",
                       "expected explicit, deterministic, poisson, class_mix, trace or random, "
                       "got \"" +
                           *o.kind + "\"");
  check_range(o.time_scale, "--time-scale", limits::kMinSeconds, limits::kMaxSeconds);
  check_range(o.rate, "--rate", limits::kMinRate, limits::kMaxRate);
  if (o.count && (*o.count <= 0 || *o.count > limits::kMaxRequests))
    throw config_error("command line", "--count",
                       fmt::format("must be in 1..{}, got {}", limits::kMaxRequests, *o.count));
  if (o.max_steps && *o.max_steps <= 0)
    throw config_error("command line", "--max-steps", fmt::format("must be > 0, got {}", *o.max_steps));
  if (o.trace) {
    if (o.kind && w.kind != WorkloadKind::Trace)
      throw config_error("command line", "--trace", "given with --workload " + *o.kind + " (needs trace)");
    w.kind = WorkloadKind::Trace;
    w.trace = *o.trace;
  }
  if (o.rate && w.kind != WorkloadKind::Poisson)
    throw config_error("command line", "--rate",
                       "applies to poisson workloads only (deterministic uses interval/burst, "
                       "class_mix the classes' rates)");
  if (o.kind && w.kind == WorkloadKind::Deterministic && w.clock == ArrivalClock::Timed &&
      !(w.period > 0.0))
    throw config_error("command line", "--workload",
                       "deterministic with the config's clock = \"seconds\" needs "
                       "workload.period in the config");
  if (o.time_scale && w.kind != WorkloadKind::Trace)
    throw config_error("command line", "--time-scale", "applies to trace workloads only");
  if (o.time_scale) w.time_scale = *o.time_scale;
  if (o.rate) w.rate = *o.rate;
  if (o.count)
    (w.kind == WorkloadKind::Trace                                  ? w.limit
     : w.kind == WorkloadKind::Random || w.kind == WorkloadKind::Dataset ? w.num_prompts
                                                                     : w.count) = *o.count;
  if (o.seed) w.seed = *o.seed;
  if (o.max_steps) {
    cfg.check.max_steps = *o.max_steps;
    cfg.check.max_steps_declared = true;
  }
  check_complete(cfg);
}

namespace {

std::string describe_kind(const WorkloadSpec& spec, const Workload& w) {
  const auto n = w.requests.size();
  const bool timed = spec.clock == ArrivalClock::Timed;
  switch (spec.kind) {
    case WorkloadKind::Trace:
      return fmt::format("trace {} ({} requests, time scale {:g})",
                         spec.trace.filename().string(), n, spec.time_scale);
    case WorkloadKind::Explicit: return fmt::format("explicit ({} requests)", n);
    case WorkloadKind::Poisson:
      return fmt::format("poisson ({} requests, rate {:g}/{}, seed {})", n, spec.rate,
                         timed ? "s" : "step", spec.seed);
    case WorkloadKind::Deterministic:
      if (timed)
        return fmt::format("deterministic ({} requests, {} every {:g} s)", n, spec.burst,
                           spec.period);
      return fmt::format("deterministic ({} requests, {} every {} steps)", n, spec.burst,
                         spec.interval);
    case WorkloadKind::ClassMix:
      return fmt::format("class_mix ({} requests, rates per {}, seed {})", n,
                         timed ? "second" : "step", spec.seed);
    case WorkloadKind::Random:
    case WorkloadKind::Dataset:
      return fmt::format("{} ({} requests, rate {:g}/s, burstiness {:g}, seed {})",
                         to_string(spec.kind), n, spec.request_rate, spec.burstiness, spec.seed);
  }
  return "unknown";
}

}  // namespace

std::string describe_workload(const WorkloadSpec& spec, const Workload& w) {
  const auto s = describe_kind(spec, w);
  if (w.max_concurrency <= 0) return s;
  return fmt::format("{}, closed loop: at most {} in flight", s, w.max_concurrency);
}

}  // namespace kvcheck
