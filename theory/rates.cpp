#include "theory/rates.h"

#include <fmt/format.h>

#include <cmath>

namespace kvcheck::theory {
namespace {

/// The rate of a single-type generator in its own unit, or a negative value when there is none.
double workload_rate(const WorkloadSpec& w) {
  const bool timed = w.clock == ArrivalClock::Timed;
  if (w.kind == WorkloadKind::Deterministic)
    return static_cast<double>(w.burst) /
           (timed ? w.period : static_cast<double>(w.interval));
  if (w.kind == WorkloadKind::Poisson) return w.rate;
  return -1.0;
}

std::string workload_rate_source(const WorkloadSpec& w) {
  const bool timed = w.clock == ArrivalClock::Timed;
  if (w.kind == WorkloadKind::Deterministic)
    return timed ? fmt::format("workload (deterministic: burst {} / period {:g} s = {:g} per "
                               "second)", w.burst, w.period, workload_rate(w))
                 : fmt::format("workload (deterministic: burst {} / interval {} = {:g} per "
                               "step)", w.burst, w.interval, workload_rate(w));
  return fmt::format("workload (poisson: rate {:g} per {})", w.rate, timed ? "second" : "step");
}

}  // namespace

const char* unit_text(RateUnit u) { return u == RateUnit::PerStep ? "per step" : "per second"; }

bool timed_arrivals(const WorkloadSpec& w) {
  switch (w.kind) {
    case WorkloadKind::Trace:
    case WorkloadKind::Random:
    case WorkloadKind::Dataset: return true;
    default: return w.clock == ArrivalClock::Timed;
  }
}

std::optional<ResolvedRates> resolve_rates(const Config& cfg) {
  const auto& classes = cfg.model.classes;
  double class_total = 0.0;
  for (const auto& c : classes) class_total += c.rate;
  const double wrate = workload_rate(cfg.workload);
  ResolvedRates r;
  r.unit = timed_arrivals(cfg.workload) ? RateUnit::PerSecond : RateUnit::PerStep;
  if (class_total > 0.0) {
    r.classes = classes;
    r.source = fmt::format("[[classes]] rate ({})", unit_text(r.unit));
    if (wrate >= 0.0 && std::abs(wrate - class_total) > 1e-9 * class_total)
      r.notes.push_back(fmt::format("the workload generates {:g} arrivals {}, the classes' "
                                    "rates sum to {:g}; the analysis uses the class rates",
                                    wrate, unit_text(r.unit), class_total));
    return r;
  }
  if (wrate <= 0.0) return std::nullopt;
  ClassSpec c = classes.size() == 1 ? classes.front() : ClassSpec{};
  if (c.name.empty()) c.name = "workload";
  c.prompt = cfg.workload.prompt;
  c.output = cfg.workload.output;
  c.rate = wrate;
  r.classes.push_back(c);
  r.source = workload_rate_source(cfg.workload);
  if (cfg.workload.backlog > 0)
    r.notes.push_back(fmt::format("workload.backlog = {} is a transient; it does not enter the "
                                  "rates", cfg.workload.backlog));
  return r;
}

ResolvedRates rescaled(const ResolvedRates& r, double factor, RateUnit unit,
                       const std::string& how) {
  ResolvedRates out = r;
  for (auto& c : out.classes) c.rate *= factor;
  out.unit = unit;
  out.source += "; " + how;
  return out;
}

}  // namespace kvcheck::theory
