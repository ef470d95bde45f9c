#include "io/bench_workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include "io/input_error.h"
#include "io/input_file.h"
#include "io/limits.h"
#include "io/workload.h"

namespace kvcheck {

LenBounds random_input_bounds(std::int64_t input_len, double range_ratio) {
  // Python's math.floor(real_input_len * (1 - range_ratio)): the same double operations.
  const auto l = static_cast<double>(input_len);
  return {static_cast<std::int64_t>(std::floor(l * (1.0 - range_ratio))),
          static_cast<std::int64_t>(std::ceil(l * (1.0 + range_ratio)))};
}

LenBounds random_output_bounds(std::int64_t output_len, double range_ratio) {
  auto b = random_input_bounds(output_len, range_ratio);
  b.lo = std::max<std::int64_t>(b.lo, 1);  // "at least 1 to prevent sampling 0 tokens"
  b.hi = std::max<std::int64_t>(b.hi, 1);
  return b;
}

namespace {

/// A uniform integer in [b.lo, b.hi] (numpy's rng.integers(lo, hi + 1)).
std::int64_t uniform_int(std::uint64_t& rng, LenBounds b) {
  const auto span = static_cast<double>(b.hi - b.lo + 1);
  const auto k = static_cast<std::int64_t>(uniform01(rng) * span);
  return b.lo + std::min(k, b.hi - b.lo);
}

/// A standard normal deviate (Marsaglia's polar method: only sqrt and log).
double normal_sample(std::uint64_t& rng) {
  for (;;) {
    const double x = 2.0 * uniform01(rng) - 1.0, y = 2.0 * uniform01(rng) - 1.0;
    const double s = x * x + y * y;
    if (s > 0.0 && s < 1.0) return x * std::sqrt(-2.0 * std::log(s) / s);
  }
}

}  // namespace

double gamma_sample(std::uint64_t& rng, double shape) {
  if (shape < 1.0) {
    const double g = gamma_sample(rng, shape + 1.0);
    return g * std::pow(1.0 - uniform01(rng), 1.0 / shape);  // 1 - u is in (0, 1]
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = normal_sample(rng);
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t, u = 1.0 - uniform01(rng);
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

std::vector<double> bench_send_times(std::uint64_t& rng, std::int64_t n, double rate,
                                     double burstiness) {
  std::vector<double> t(static_cast<std::size_t>(n), 0.0);
  if (n <= 0 || std::isinf(rate)) return t;
  const double theta = 1.0 / (rate * burstiness);
  double sum = 0.0;
  for (auto& x : t) x = sum += gamma_sample(rng, burstiness) * theta;
  if (sum > 0.0) {
    const double factor = (static_cast<double>(n) / rate) / sum;
    for (auto& x : t) x *= factor;
  }
  return t;
}

namespace {

Workload timed(const WorkloadSpec& w, std::vector<Request> rs, std::uint64_t& rng) {
  Workload out;
  out.clock = ArrivalClock::Timed;
  out.max_concurrency = w.max_concurrency;
  const auto times = bench_send_times(rng, static_cast<std::int64_t>(rs.size()), w.request_rate,
                                      w.burstiness);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    rs[i].arrival_step = 0;
    rs[i].arrival_time = times[i];
  }
  out.requests = std::move(rs);
  return out;
}

}  // namespace

Workload random_workload(const WorkloadSpec& w) {
  std::uint64_t rng = w.seed;
  const auto in = random_input_bounds(w.input_len, w.range_ratio);
  const auto out = random_output_bounds(w.output_len, w.range_ratio);
  // vLLM draws every input length, then every output length, then the send times.
  std::vector<Request> rs(static_cast<std::size_t>(w.num_prompts));
  for (auto& r : rs) r.prompt = w.prefix_len + uniform_int(rng, in);
  for (auto& r : rs) r.output = uniform_int(rng, out);
  return timed(w, std::move(rs), rng);
}

namespace {

bool parse_len(std::string s, std::int64_t& out) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  const auto* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), e, out);
  return ec == std::errc() && p == e && !s.empty();
}

/// One "prompt,output" row; false for a header-like first line.
bool parse_row(const std::string& line, std::int64_t& prompt, std::int64_t& output) {
  const auto comma = line.find(',');
  if (comma == std::string::npos) return false;
  return parse_len(line.substr(0, comma), prompt) && parse_len(line.substr(comma + 1), output);
}

}  // namespace

Workload dataset_workload(const WorkloadSpec& w) {
  const auto file = w.dataset.string();
  check_input_file(w.dataset, limits::kMaxTraceBytes, "256 MiB", ExitCode::TraceParseError);
  std::ifstream is(w.dataset);
  if (!is) throw trace_error(file, "", "cannot open dataset file");
  std::vector<Request> rs;
  std::string line;
  for (std::int64_t lineno = 1; std::getline(is, line); ++lineno) {
    if (line.empty() || line == "\r") continue;
    if (w.num_prompts > 0 && static_cast<std::int64_t>(rs.size()) >= w.num_prompts) break;
    if (static_cast<std::int64_t>(rs.size()) >= limits::kMaxRequests)
      throw trace_error(file, "line " + std::to_string(lineno), "more than 10000000 rows");
    Request r;
    if (!parse_row(line, r.prompt, r.output)) {
      if (lineno == 1) continue;  // the optional header
      throw trace_error(file, "line " + std::to_string(lineno),
                        "expected two integers \"prompt,output\"");
    }
    if (r.prompt < 1 || r.prompt > limits::kMaxTokens || r.output < 1 ||
        r.output > limits::kMaxTokens)
      throw trace_error(file, "line " + std::to_string(lineno),
                        "prompt and output must be in [1, 2^30]");
    rs.push_back(r);
  }
  if (rs.empty()) throw trace_error(file, "", "no (prompt, output) rows");
  std::uint64_t rng = w.seed;
  return timed(w, std::move(rs), rng);
}

}  // namespace kvcheck
