#include "checkers/fuzz/fuzz_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck::fuzz {
namespace {

constexpr std::size_t kTable = 256;

/// Standard normal quantile by bisection on erfc (monotone, deterministic, table-time only).
double normal_quantile(double q) {
  double lo = -9.0, hi = 9.0;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::int64_t clamp_len(double x, std::int64_t cap) {
  if (!(x >= 1.0)) return 1;
  if (x >= static_cast<double>(cap)) return cap;
  return static_cast<std::int64_t>(std::llround(x));
}

/// Lognormal with median cap/8 and sigma 1, capped: index 0 is the shortest.
std::vector<std::int64_t> lognormal_table(std::int64_t cap) {
  std::vector<std::int64_t> t;
  const double median = std::max(1.0, static_cast<double>(cap) / 8.0);
  for (std::size_t i = 0; i < kTable; ++i) {
    const double q = (static_cast<double>(i) + 0.5) / kTable;
    t.push_back(clamp_len(median * std::exp(normal_quantile(q)), cap));
  }
  t.front() = 1;
  return t;
}

/// Pareto(x_m = 1, alpha = 1.2), capped.
std::vector<std::int64_t> pareto_table(std::int64_t cap) {
  std::vector<std::int64_t> t;
  for (std::size_t i = 0; i < kTable; ++i) {
    const double q = static_cast<double>(i) / kTable;
    t.push_back(clamp_len(std::pow(1.0 - q, -1.0 / 1.2), cap));
  }
  return t;
}

/// The config's own arrival rate per step, or 1 where it has none (explicit, trace, and the
/// bench kinds, whose rate is per second).
double config_rate(const Config& c) {
  const double r = arrivals_per_step(c);
  return r > 0.0 ? r : 1.0;
}

/// The [fuzz] bounds from the envelope: lengths inside its ranges (classless: at most the
/// pool-derived cap, a budget), requests at most its count.
void resolve_bounds(const Config& c, FuzzModel& m) {
  auto& s = m.spec;
  const auto& env = m.envelope;
  const std::string file = c.path.string();
  const auto pool = std::max<std::int64_t>(1, m.pool_tokens());
  const auto& e = c.model.engine;
  std::int64_t footprint = env.from_classes ? std::numeric_limits<std::int64_t>::max() : 2;
  if (env.from_classes)
    for (const auto& k : env.classes) footprint = std::min(footprint, k.prompt.lo + k.output.lo);
  const auto prompt = env.prompt_hull(), output = env.output_hull();
  auto prompt_cap = std::max<std::int64_t>(1, pool / 4);
  if (!e.chunked_prefill) prompt_cap = std::min(prompt_cap, e.max_batched_tokens);
  const auto output_cap = std::clamp<std::int64_t>(pool / 4, 2, 512);
  // classes: their own lengths; classless: the pool-derived caps, inside the envelope's ranges
  if (s.max_prompt == 0)
    s.max_prompt = env.from_classes ? prompt.hi : std::clamp(prompt_cap, prompt.lo, prompt.hi);
  if (s.max_output == 0)
    s.max_output = env.from_classes ? output.hi : std::clamp(output_cap, output.lo, output.hi);
  if (s.max_prompt > prompt.hi || s.max_prompt < prompt.lo)
    throw config_error(file, "fuzz.max_prompt", widens_range("prompt", {1, s.max_prompt}, prompt));
  if (s.max_output > output.hi || s.max_output < output.lo)
    throw config_error(file, "fuzz.max_output", widens_range("output", {1, s.max_output}, output));
  m.min_prompt = std::min(prompt.lo, s.max_prompt);
  m.min_output = std::min(output.lo, s.max_output);
  if (s.max_requests == 0) {
    s.max_requests = std::clamp<std::int64_t>(2 * pool / std::max<std::int64_t>(2, footprint), 16, 1000);
    if (env.max_requests > 0) s.max_requests = std::min(s.max_requests, env.max_requests);
  }
  if (env.max_requests > 0 && s.max_requests > env.max_requests)
    throw config_error(file, "fuzz.max_requests",
                       widens("requests", s.max_requests, env.max_requests));
  if (s.rate <= 0.0) s.rate = std::max(0.05, config_rate(c));
  m.max_group = std::max<std::int64_t>(1, s.max_requests / 2);
}

void load_azure(const Config& c, FuzzModel& m) {
  namespace fs = std::filesystem;
  fs::path p = m.spec.azure_trace;
  const auto dir = c.path.parent_path();
  if (p.empty()) p = dir / "../data/azure-llm-2023/AzureLLMInferenceTrace_conv.csv";
  else if (p.is_relative()) p = dir / p;
  if (m.spec.azure_trace.empty() && !fs::exists(p)) return;  // shape not applicable
  const auto w = load_azure_csv(p, 1.0, 0);
  std::vector<std::int64_t> ps, os;
  for (const auto& r : w.requests) ps.push_back(r.prompt), os.push_back(r.output);
  std::sort(ps.begin(), ps.end());
  std::sort(os.begin(), os.end());
  const auto p99 = [](const std::vector<std::int64_t>& v) {
    return static_cast<double>(v[v.size() * 99 / 100]);
  };
  const double sp = static_cast<double>(m.spec.max_prompt) / p99(ps);
  const double so = static_cast<double>(m.spec.max_output) / p99(os);
  for (const auto& r : w.requests)
    m.azure.emplace_back(clamp_len(static_cast<double>(r.prompt) * sp, m.spec.max_prompt),
                         clamp_len(static_cast<double>(r.output) * so, m.spec.max_output));
  std::sort(m.azure.begin(), m.azure.end(), [](const auto& a, const auto& b) {
    return a.first + a.second != b.first + b.second ? a.first + a.second < b.first + b.second
                                                    : a < b;
  });
  m.azure.erase(std::unique(m.azure.begin(), m.azure.end()), m.azure.end());
}

bool applicable(const FuzzModel& m, Shape s) {
  if (s == Shape::Azure) return !m.azure.empty() && m.params.classes.empty();
  if (s == Shape::ClassMix) return !m.params.classes.empty();
  return true;
}

}  // namespace

ArrivalTables arrival_tables(double rate, std::size_t n) {
  ArrivalTables t;
  const double p_empty = std::exp(-rate);
  for (std::size_t i = 0; i < n; ++i) {
    const double q = static_cast<double>(i) / static_cast<double>(n);
    // gap: P(gap >= k) = p_empty^k
    const double g = rate > 0.0 ? std::floor(std::log1p(-q) / std::log(p_empty)) : 0.0;
    t.gap.push_back(static_cast<std::int64_t>(std::min(g, 1e6)));
    // count: zero-truncated Poisson inverse CDF. The terms P(N = k) are built in log space:
    // exp(-rate) underflows to 0 from rate ~745 on, and the product then left every count at
    // the cap instead of near the rate.
    double log_pk = -rate, cdf = 0.0;
    std::int64_t k = 0;
    const double norm = -std::expm1(-rate);
    while (k < kMaxArrivalCount) {
      ++k;
      log_pk += std::log(rate / static_cast<double>(k));
      cdf += std::exp(log_pk) / norm;
      if (cdf >= q) break;  // the smallest k with F(k) >= q (1 at q = 0, however small F(1))
    }
    t.count.push_back(k);
    // per-step count: Poisson inverse CDF (zero included), the same way
    double log_pj = -rate, cj = p_empty;
    std::int64_t j = 0;
    while (cj < q && j < kMaxArrivalCount) {  // the smallest j with F(j) >= q
      ++j;
      log_pj += std::log(rate / static_cast<double>(j));
      cj += std::exp(log_pj);
    }
    t.per_step.push_back(j);
  }
  return t;
}

EnvelopeCoverage fuzz_coverage(const FuzzModel& m) {
  EnvelopeCoverage cov;
  cov.max_requests = m.spec.max_requests;
  cov.max_arrivals_per_step = m.envelope.max_arrivals_per_step;
  cov.last_arrival = m.envelope.last_arrival;
  if (!m.envelope.from_classes) {
    cov.prompt = {m.min_prompt, m.spec.max_prompt};
    cov.output = {m.min_output, m.spec.max_output};
  }
  cov.note = "random cases, not every workload";
  return cov;
}

ModelPtr make_fuzz_model(const Config& c) {
  auto m = std::make_shared<FuzzModel>();
  m->name = c.name;
  m->config_hash = c.hash;
  m->config_path = c.path;
  m->params = c.model;
  m->time = c.time;
  m->properties = c.check.properties;
  m->spec = parse_fuzz_spec(c);
  m->envelope = workload_envelope(c);
  m->in_flight = c.workload.in_flight;
  resolve_bounds(c, *m);
  m->base = arrival_tables(m->spec.rate, kTable);
  m->low = arrival_tables(m->spec.rate / 4.0, kTable);
  m->high = arrival_tables(m->spec.rate * 2.0, kTable);
  m->lognormal_prompt = lognormal_table(m->spec.max_prompt);
  m->lognormal_output = lognormal_table(m->spec.max_output);
  m->pareto_prompt = pareto_table(m->spec.max_prompt);
  m->pareto_output = pareto_table(m->spec.max_output);
  double class_rate = 0.0;
  for (const auto& k : m->params.classes) {
    m->class_base.push_back(arrival_tables(k.rate, kTable));
    m->class_busy.push_back(arrival_tables(2.0 * k.rate, kTable));
    class_rate += k.rate;
  }
  m->class_mix_span = std::max<std::int64_t>(
      1, std::min<std::int64_t>(1000, static_cast<std::int64_t>(static_cast<double>(m->spec.max_requests) /
                                                               std::max(class_rate, 1e-3))));
  const bool want_azure = m->spec.shapes.empty() ||
                          std::count(m->spec.shapes.begin(), m->spec.shapes.end(), Shape::Azure);
  if (want_azure) load_azure(c, *m);
  m->shapes = m->spec.shapes;
  for (const auto s : m->shapes)
    if (!applicable(*m, s))
      throw config_error(c.path.string(), "fuzz.shapes",
                         "shape \"" + to_string(s) + "\" does not apply to this model (class_mix "
                         "needs [[classes]]; azure needs the trace and no [[classes]])");
  if (m->shapes.empty())
    for (auto s : {Shape::Poisson, Shape::OnOff, Shape::Markov, Shape::QuietBurst,
                   Shape::SyncFinish, Shape::Azure, Shape::ClassMix})
      if (applicable(*m, s)) m->shapes.push_back(s);
  return m;
}

}  // namespace kvcheck::fuzz
