#include "checkers/z3/seed_search.h"

#include <algorithm>
#include <cstdint>

#include "models/choice_source.h"
#include "models/domain.h"
#include "models/engine_rules.h"
#include "models/time_model.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

/// Uniform draws from the same splitmix64 generator as the policies' seeded choices.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : gen_(seed) {}
  std::int64_t in(std::int64_t lo, std::int64_t hi) { return gen_.pick(0, 0, lo, hi); }
  bool coin() { return in(0, 1) == 1; }
  std::uint64_t seed() { return static_cast<std::uint64_t>(in(0, INT64_MAX - 1)); }
  /// Half of the time one of the range ends, else uniform.
  std::int64_t edgy(std::int64_t lo, std::int64_t hi) {
    switch (in(0, 3)) {
      case 0: return lo;
      case 1: return hi;
      default: return in(lo, hi);
    }
  }

 private:
  SeededChoices gen_;
};

std::vector<std::int64_t> arrivals(Draw& d, const BmcSpec& spec, std::int64_t n) {
  std::vector<std::int64_t> a(static_cast<std::size_t>(n));
  const auto shape = d.in(0, 2);
  if (shape == 0) {  // one burst
    std::fill(a.begin(), a.end(), d.in(spec.arrival_lo, spec.arrival_hi));
  } else if (shape == 1) {  // a few groups
    const auto g1 = d.in(spec.arrival_lo, spec.arrival_hi);
    const auto g2 = d.in(spec.arrival_lo, spec.arrival_hi);
    for (auto& x : a) x = d.coin() ? g1 : g2;
  } else {
    for (auto& x : a) x = d.in(spec.arrival_lo, spec.arrival_hi);
  }
  std::sort(a.begin(), a.end());
  return a;
}

Workload draw_workload(Draw& d, const ModelParams& params, const BmcSpec& spec) {
  const auto n = spec.allow_absent && d.coin() ? d.in(1, spec.slots) : spec.slots;
  const auto nclasses = static_cast<std::int64_t>(params.classes.size());
  Workload w;
  w.clock = ArrivalClock::Steps;
  w.max_concurrency = spec.max_concurrency;
  for (const auto a : arrivals(d, spec, n)) {
    Request r;
    r.arrival_step = a;
    r.arrival_time = static_cast<double>(a);
    r.klass = nclasses > 0 ? d.in(0, nclasses - 1) : 0;
    if (spec.per_class && nclasses > 0) {
      const auto& c = params.classes[static_cast<std::size_t>(r.klass)];
      r.prompt = c.prompt;
      r.output = c.output;
    } else {
      r.prompt = d.edgy(spec.prompt_lo, spec.prompt_hi);
      r.output = d.edgy(spec.output_lo, spec.output_hi);
    }
    w.requests.push_back(r);
  }
  return w;
}

/// Records the largest plan demand of any iteration at a step < depth.
class PeakObserver final : public StepObserver {
 public:
  explicit PeakObserver(std::int64_t depth) : depth_(depth) {}
  void on_step(const ConcreteView& v) override {
    if (v.last_step().step < depth_) peak = std::max(peak, v.last_step().demand_blocks);
  }
  std::int64_t peak = 0;

 private:
  std::int64_t depth_;
};

/// Records whether any iteration at a step < depth processed a token.
class ActivityObserver final : public StepObserver {
 public:
  explicit ActivityObserver(std::int64_t depth) : depth_(depth) {}
  void on_step(const ConcreteView& v) override {
    if (v.last_step().step < depth_ && !v.last_step().batch.empty()) busy = true;
  }
  bool busy = false;

 private:
  std::int64_t depth_;
};

/// Simulates `runs` random workloads inside the bounds (the seed search's draws) for `depth`
/// steps each, with a fresh `Obs(depth)` observer; stops early when `done(observer)` is true and
/// returns that run's number (1-based), else 0. SimOptions::max_steps counts iterations, and the
/// simulator skips idle steps up to the next arrival, so a run can go past step index `depth`:
/// observers and callers ignore every step >= depth (BMC's depth is a step index).
template <class Obs, class Done>
std::int64_t simulate_draws(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                            std::int64_t runs, std::uint64_t seed, Done done) {
  Draw d(seed);
  SimOptions opts;
  opts.max_steps = depth;
  for (std::int64_t run = 1; run <= runs; ++run) {
    const auto w = draw_workload(d, params, spec);
    if (!within_spec(params, spec, w)) continue;
    RecordedChoices choices(d.seed());
    Obs seen(depth);
    StepObserver* obs[] = {&seen};
    (void)simulate(params, TimeModel{}, w, choices, opts, obs);
    if (done(seen)) return run;
  }
  return 0;
}

}  // namespace

std::optional<std::int64_t> activity_witness(const ModelParams& params, const BmcSpec& spec,
                                             std::int64_t depth, std::int64_t runs,
                                             std::uint64_t seed) {
  const auto run = simulate_draws<ActivityObserver>(
      params, spec, depth, runs, seed, [](const ActivityObserver& o) { return o.busy; });
  if (run == 0) return std::nullopt;
  return run;
}

std::int64_t peak_demand(const ModelParams& params, const BmcSpec& spec, std::int64_t depth,
                         std::int64_t runs, std::uint64_t seed) {
  std::int64_t peak = 0;
  (void)simulate_draws<PeakObserver>(params, spec, depth, runs, seed, [&](const PeakObserver& o) {
    peak = std::max(peak, o.peak);
    return false;
  });
  return peak;
}

bool within_spec(const ModelParams& params, const BmcSpec& spec, const Workload& w) {
  if (w.requests.empty() || static_cast<std::int64_t>(w.requests.size()) > spec.slots) return false;
  if (!spec.allow_absent && static_cast<std::int64_t>(w.requests.size()) != spec.slots) return false;
  if (w.max_concurrency != spec.max_concurrency) return false;  // another arrival rule
  const auto nclasses = static_cast<std::int64_t>(params.classes.size());
  std::int64_t same = 0;
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    const auto& r = w.requests[i];
    if (r.arrival_step < spec.arrival_lo || r.arrival_step > spec.arrival_hi) return false;
    if (r.klass < 0 || r.klass > std::max<std::int64_t>(nclasses - 1, 0)) return false;
    if (spec.per_class && nclasses > 0) {
      const auto& c = params.classes[static_cast<std::size_t>(r.klass)];
      if (r.prompt != c.prompt || r.output != c.output) return false;
    } else if (r.prompt < spec.prompt_lo || r.prompt > spec.prompt_hi ||
               r.output < spec.output_lo || r.output > spec.output_hi) {
      return false;
    }
    if (i > 0 && r.arrival_step < w.requests[i - 1].arrival_step) return false;
    same = i > 0 && r.arrival_step == w.requests[i - 1].arrival_step ? same + 1 : 1;
    if (spec.max_arrivals_per_step > 0 && same > spec.max_arrivals_per_step) return false;
  }
  return true;
}

std::optional<SeedHint> seed_search(const ModelParams& params, const BmcSpec& spec,
                                    std::int64_t depth, std::int64_t runs, std::uint64_t seed) {
  if (depth <= 0 || spec.properties.empty()) return std::nullopt;
  Draw d(seed);
  SimOptions opts;
  opts.properties = spec.properties;
  opts.stop_at_violation = true;
  opts.max_steps = depth;
  std::optional<SeedHint> best;
  for (std::int64_t run = 1; run <= runs; ++run) {
    const auto w = draw_workload(d, params, spec);
    if (!within_spec(params, spec, w)) continue;  // e.g. too many arrivals in one step
    RecordedChoices choices(d.seed());
    const auto out = simulate(params, TimeModel{}, w, choices, opts);
    for (const auto& v : out.violations) {
      if (v.step >= depth) continue;  // past the depth (idle steps were skipped): no witness
      if (best && v.step >= best->step) continue;
      auto picks = choices.picks;
      picks.resize(static_cast<std::size_t>(v.step) + 1);
      best = SeedHint{w, std::move(picks), v.id, v.step, run};
    }
    if (best && best->step == 0) break;  // nothing shorter exists
  }
  return best;
}

std::optional<SeedHint> workload_witness(const ModelParams& params, const TimeModel& time,
                                         const Workload& w,
                                         const std::vector<PropertyId>& properties,
                                         std::int64_t max_steps) {
  if (properties.empty() || max_steps <= 0) return std::nullopt;
  SimOptions opts;
  opts.properties = properties;
  opts.stop_at_violation = true;
  opts.max_steps = max_steps;
  RecordedChoices choices(1);
  const auto out = simulate(params, time, w, choices, opts);
  if (out.violations.empty()) return std::nullopt;
  const auto& v = out.violations.front();
  auto picks = choices.picks;
  picks.resize(static_cast<std::size_t>(v.step) + 1);
  // Requests that arrive after the violating step never act before it: the witness keeps the
  // others (a 6,000-request workload overflowing at step 65 keeps ~1,000).
  auto kept = w;
  if (w.clock == ArrivalClock::Steps && w.max_concurrency == 0)
    std::erase_if(kept.requests, [&](const Request& r) { return r.arrival_step > v.step; });
  return SeedHint{std::move(kept), std::move(picks), v.id, v.step, 1};
}

namespace {

/// One candidate of burst_shape: `prompt` of class `klass`, with the class's largest output.
BurstShape shape_of(const ModelParams& params, std::int64_t prompt, std::int64_t output,
                    std::int64_t klass) {
  using C = Concrete;
  const auto& e = params.engine;
  BurstShape s;
  s.prompt = prompt;
  s.output = output;
  s.klass = klass;
  // Admitted with its whole prompt as its first chunk (what a busy engine's token budget leaves
  // it in the burst: threshold() below checks that the burst's prompts fit one budget).
  s.admit_blocks = admission_blocks<C>(params, prompt, 0, prompt);
  s.final_blocks = blocks_for<C>(e, prompt + output - 1 + e.lookahead);
  return s;
}

/// `s.needed` and `s.threshold` (BurstShape).
void threshold(const ModelParams& params, const BmcSpec& spec, BurstShape& s) {
  const auto& e = params.engine;
  const auto pool = e.num_blocks;
  if (s.final_blocks > pool || s.admit_blocks < 1) return;
  s.needed = pool / s.final_blocks + 1;
  const auto m = s.needed;
  const auto& env = spec.envelope;
  const auto within = [m](std::int64_t bound) { return bound <= 0 || m <= bound; };
  const bool together = m <= e.max_num_seqs && (e.max_batched_tokens >= kUnlimited ||
                                                m * s.prompt <= e.max_batched_tokens);
  const bool whole = cap_chunk<Concrete>(e, s.prompt) == s.prompt;
  if (!together || !whole || !within(env.max_requests) || !within(env.max_arrivals_per_step) ||
      !within(env.max_concurrency) || !within(spec.max_concurrency))
    return;
  const auto left = pool - m * s.admit_blocks;  // free after the m-th admission
  if (left >= 0) s.threshold = left;
}

/// Whether `a` is the better burst request: more final blocks per admission block, then more
/// final blocks.
bool better(const BurstShape& a, const BurstShape& b) {
  const auto lhs = a.final_blocks * b.admit_blocks, rhs = b.final_blocks * a.admit_blocks;
  return lhs != rhs ? lhs > rhs : a.final_blocks > b.final_blocks;
}

}  // namespace

BurstShape burst_shape(const ModelParams& params, const BmcSpec& spec) {
  std::vector<std::pair<LengthRange, LengthRange>> classes;
  for (const auto& c : spec.envelope.classes) classes.emplace_back(c.prompt, c.output);
  if (classes.empty())
    classes.emplace_back(LengthRange{spec.prompt_lo, spec.prompt_hi},
                         LengthRange{spec.output_lo, spec.output_hi});
  std::optional<BurstShape> best;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    const auto& [prompt, output] = classes[k];
    for (auto p = prompt.lo; p <= prompt.hi; ++p) {
      if (unservable<Concrete>(params.engine, p, output.hi)) continue;
      auto s = shape_of(params, p, output.hi, static_cast<std::int64_t>(k));
      if (s.final_blocks > params.engine.num_blocks) continue;
      if (!best || better(s, *best)) best = s;
    }
  }
  if (!best) return {};
  threshold(params, spec, *best);
  return *best;
}

std::optional<SeedHint> envelope_burst_witness(const ModelParams& params, const BmcSpec& spec,
                                               const std::vector<PropertyId>& properties) {
  const auto s = burst_shape(params, spec);
  if (s.needed < 1) return std::nullopt;
  const auto n = std::max<std::int64_t>(s.needed, 2);
  const auto per_step = spec.envelope.max_arrivals_per_step;
  Workload w;
  w.clock = ArrivalClock::Steps;
  w.max_concurrency = spec.max_concurrency;
  for (std::int64_t i = 0; i < n; ++i) {
    Request r;
    r.arrival_step = per_step > 0 ? i / per_step : 0;
    r.arrival_time = static_cast<double>(r.arrival_step);
    r.prompt = s.prompt;
    r.output = s.output;
    r.klass = s.klass;
    w.requests.push_back(r);
  }
  // Every request done by then unless something goes wrong: each prefills, decodes its output
  // and waits at most for the others' whole runs (n x (prompt + output) steps).
  const auto steps = n * (s.prompt + s.output + 2) + 16;
  return workload_witness(params, TimeModel{}, w, properties, steps);
}

}  // namespace kvcheck
