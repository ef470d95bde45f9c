#include "io/workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "io/bench_workload.h"
#include "io/input_error.h"
#include "io/input_file.h"
#include "io/limits.h"

namespace kvcheck {

double uniform01(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

/// Arrivals in a step known to have one: Poisson(rate) conditioned on >= 1 (inverse CDF). The
/// sum of the terms can stop just below 1 in floating point (1 - 4.4e-16 at rate 0.0026), so a
/// draw above it would run to the cap: the walk ends where the next term no longer changes the
/// sum (u then lies in the tail beyond the sum's precision).
std::int64_t positive_poisson(std::uint64_t& rng, double rate) {
  const double u = uniform01(rng);
  double pk = std::exp(-rate) * rate / -std::expm1(-rate), cdf = pk;  // P(N = 1 | N >= 1)
  std::int64_t k = 1;
  while (cdf <= u && k < 1000) {
    ++k;
    pk *= rate / static_cast<double>(k);
    const double next = cdf + pk;
    if (next == cdf) break;
    cdf = next;
  }
  return k;
}

std::int64_t poisson_sample(std::uint64_t& state, double mean) {
  if (!(mean > 0.0)) return 0;  // also NaN
  if (mean > 30.0) {  // normal approximation keeps large means cheap and deterministic
    // Clamped to 2^62 before llround: past int64 llround is undefined (it gave 0 arrivals, so a
    // rate of 1e19 generated nothing, forever).
    constexpr double kMaxSample = 0x1p62;
    const double m = std::min(mean, kMaxSample);
    const double u1 = std::max(uniform01(state), 1e-300), u2 = uniform01(state);
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    return std::llround(std::clamp(m + std::sqrt(m) * z, 0.0, kMaxSample));
  }
  const double l = std::exp(-mean);
  std::int64_t k = 0;
  double p = 1.0;
  do {
    ++k;
    p *= uniform01(state);
  } while (p > l);
  return k - 1;
}

namespace {

/// `v` as printf's %g writes it (1e-300, not to_string's 0.000000).
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Request make(std::int64_t step, std::int64_t prompt, std::int64_t output, std::int64_t klass) {
  Request r;
  r.arrival_step = step;
  r.arrival_time = static_cast<double>(step);
  r.prompt = prompt;
  r.output = output;
  r.klass = klass;
  return r;
}

/// Below this total rate (arrivals per step) the generators skip empty steps in one draw instead
/// of drawing every step; at or above it they draw per step, as they always have (so the seeded
/// workloads of existing configs are unchanged), which costs at most count / 0.01 draws.
constexpr double kSkipBelow = 0.01;

/// Empty steps before the next step with an arrival, for Poisson(rate) arrivals per step:
/// P(gap >= g) = e^(-rate g), so gap = floor(E / rate) with E ~ Exp(1).
std::int64_t empty_steps(std::uint64_t& rng, double rate, std::int64_t step,
                         const std::string& file, const std::string& field) {
  const double gap = std::floor(-std::log(1.0 - uniform01(rng)) / rate);  // 1 - u is in (0, 1]
  if (!(gap < 0x1p62 - static_cast<double>(step)))
    throw config_error(file, field, "too small: arrivals would come after step 2^62");
  return static_cast<std::int64_t>(gap);
}


Workload deterministic(const WorkloadSpec& w) {
  Workload out;
  for (std::int64_t i = 0; i < w.backlog; ++i) out.requests.push_back(make(0, w.prompt, w.output, 0));
  for (std::int64_t i = 0; i < w.count; ++i)
    out.requests.push_back(make((i / w.burst) * w.interval, w.prompt, w.output, 0));
  return out;
}

Workload poisson(const WorkloadSpec& w, const std::string& file) {
  Workload out;
  for (std::int64_t i = 0; i < w.backlog; ++i) out.requests.push_back(make(0, w.prompt, w.output, 0));
  std::uint64_t rng = w.seed;
  const auto total = w.count;  // the backlog counts towards it, as in the per-step loop below
  if (w.rate < kSkipBelow) {
    for (std::int64_t step = 0; static_cast<std::int64_t>(out.requests.size()) < total; ++step) {
      step += empty_steps(rng, w.rate, step, file, "workload.rate");
      const auto n = positive_poisson(rng, w.rate);
      for (std::int64_t i = 0; i < n && static_cast<std::int64_t>(out.requests.size()) < total; ++i)
        out.requests.push_back(make(step, w.prompt, w.output, 0));
    }
    return out;
  }
  for (std::int64_t step = 0; static_cast<std::int64_t>(out.requests.size()) < w.count; ++step) {
    const auto n = poisson_sample(rng, w.rate);
    for (std::int64_t i = 0; i < n && static_cast<std::int64_t>(out.requests.size()) < w.count; ++i)
      out.requests.push_back(make(step, w.prompt, w.output, 0));
  }
  return out;
}

/// A request arriving at `time` seconds (ArrivalClock::Timed: the step is not used).
Request make_timed(double time, std::int64_t prompt, std::int64_t output, std::int64_t klass) {
  Request r = make(0, prompt, output, klass);
  r.arrival_time = time;
  return r;
}

/// The gap to the next arrival of a Poisson process of `rate` per second: Exp(rate).
double exponential_gap(std::uint64_t& rng, double rate) {
  return -std::log(1.0 - uniform01(rng)) / rate;  // 1 - u is in (0, 1]
}

/// `clock = "seconds"`: the backlog at time 0, then `burst` requests every `period` seconds
/// from time 0 (the steps form's instants with `period` for `interval`).
Workload deterministic_timed(const WorkloadSpec& w) {
  Workload out;
  out.clock = ArrivalClock::Timed;
  for (std::int64_t i = 0; i < w.backlog; ++i)
    out.requests.push_back(make_timed(0.0, w.prompt, w.output, 0));
  for (std::int64_t i = 0; i < w.count; ++i)
    out.requests.push_back(make_timed(static_cast<double>(i / w.burst) * w.period, w.prompt,
                                      w.output, 0));
  return out;
}

/// `clock = "seconds"`: the backlog at time 0, then a Poisson process of `rate` per second
/// (exponential gaps from time 0); as in the steps form the backlog counts towards `count`.
Workload poisson_timed(const WorkloadSpec& w) {
  Workload out;
  out.clock = ArrivalClock::Timed;
  for (std::int64_t i = 0; i < w.backlog; ++i)
    out.requests.push_back(make_timed(0.0, w.prompt, w.output, 0));
  std::uint64_t rng = w.seed;
  double t = 0.0;
  while (static_cast<std::int64_t>(out.requests.size()) < w.count) {
    t += exponential_gap(rng, w.rate);
    out.requests.push_back(make_timed(t, w.prompt, w.output, 0));
  }
  return out;
}

/// The class whose share of [0, total rate) holds `u`; a class of rate 0 is never picked.
std::size_t pick_class(const ModelParams& m, double u) {
  std::size_t pick = 0;
  for (std::size_t k = 0; k < m.classes.size(); ++k) {
    if (m.classes[k].rate <= 0.0) continue;
    pick = k;
    if (u < m.classes[k].rate) break;
    u -= m.classes[k].rate;
  }
  return pick;
}

/// class_mix at a small total rate R: skip to the next step with an arrival, draw how many
/// arrive (Poisson(R) given >= 1) and split them over the classes in proportion to their rates
/// (independent Poisson streams, conditioned on their sum). Within a step, arrivals are in class
/// order, as in the per-step loop.
Workload sparse_class_mix(const WorkloadSpec& w, const ModelParams& m, double total_rate,
                          const std::string& file) {
  Workload out;
  std::uint64_t rng = w.seed;
  std::vector<std::int64_t> per_class(m.classes.size());
  for (std::int64_t step = 0; static_cast<std::int64_t>(out.requests.size()) < w.count; ++step) {
    step += empty_steps(rng, total_rate, step, file, "classes.rate");
    std::fill(per_class.begin(), per_class.end(), 0);
    for (auto n = positive_poisson(rng, total_rate); n > 0; --n)
      ++per_class[pick_class(m, uniform01(rng) * total_rate)];
    for (std::size_t k = 0; k < m.classes.size(); ++k)
      for (std::int64_t i = 0;
           i < per_class[k] && static_cast<std::int64_t>(out.requests.size()) < w.count; ++i)
        out.requests.push_back(make(step, m.classes[k].prompt, m.classes[k].output,
                                    static_cast<std::int64_t>(k)));
  }
  return out;
}

/// `clock = "seconds"`: independent Poisson streams of the classes' rates per second, drawn as
/// their superposition (exponential gaps at the total rate R) with each arrival's class picked
/// in proportion to the rates.
Workload class_mix_timed(const WorkloadSpec& w, const ModelParams& m, double total_rate) {
  Workload out;
  out.clock = ArrivalClock::Timed;
  std::uint64_t rng = w.seed;
  double t = 0.0;
  while (static_cast<std::int64_t>(out.requests.size()) < w.count) {
    t += exponential_gap(rng, total_rate);
    const auto k = pick_class(m, uniform01(rng) * total_rate);
    out.requests.push_back(make_timed(t, m.classes[k].prompt, m.classes[k].output,
                                      static_cast<std::int64_t>(k)));
  }
  return out;
}

Workload class_mix(const WorkloadSpec& w, const ModelParams& m, const std::string& file) {
  Workload out;
  std::uint64_t rng = w.seed;
  double total_rate = 0.0;
  for (const auto& c : m.classes) total_rate += c.rate;
  if (total_rate <= 0.0) throw config_error(file, "classes.rate", "class_mix needs a positive rate");
  if (w.clock == ArrivalClock::Timed) return class_mix_timed(w, m, total_rate);
  if (total_rate < kSkipBelow) return sparse_class_mix(w, m, total_rate, file);
  for (std::int64_t step = 0; static_cast<std::int64_t>(out.requests.size()) < w.count; ++step)
    for (std::size_t k = 0; k < m.classes.size(); ++k) {
      const auto& c = m.classes[k];
      const auto n = poisson_sample(rng, c.rate);
      for (std::int64_t i = 0; i < n && static_cast<std::int64_t>(out.requests.size()) < w.count; ++i)
        out.requests.push_back(make(step, c.prompt, c.output, static_cast<std::int64_t>(k)));
    }
  return out;
}

/// A TIMESTAMP as whole seconds since 1970-01-01 (civil calendar) and nanoseconds: kept apart
/// so that differences are exact (seconds since 1970 as one double lose ~1e-7 s).
struct Timestamp {
  std::int64_t seconds = 0;
  std::int64_t nanos = 0;
  auto operator<=>(const Timestamp&) const = default;
  /// this - earlier, in seconds (exact to the nanosecond for spans below ~100 days).
  double since(const Timestamp& earlier) const {
    return static_cast<double>(seconds - earlier.seconds) +
           static_cast<double>(nanos - earlier.nanos) * 1e-9;
  }
};

/// Reads 1..max_digits decimal digits at `p`; false when there are none.
bool digits(std::string_view s, std::size_t& p, int max_digits, int& out) {
  out = 0;
  int n = 0;
  while (p < s.size() && n < max_digits && s[p] >= '0' && s[p] <= '9') {
    out = out * 10 + (s[p++] - '0');
    ++n;
  }
  return n > 0;
}

bool expect(std::string_view s, std::size_t& p, char c) { return p < s.size() && s[p++] == c; }

/// "2023-11-16 18:15:46.6805900": year 1..9999, month, day, hour, minute, seconds in [0, 61)
/// (a leap second is valid) with an optional fraction (digits beyond the 9th are dropped);
/// nothing else on the field.
bool parse_timestamp(std::string_view s, Timestamp& out) {
  std::size_t p = 0;
  int y, mo, d, h, mi, sec;
  if (!(digits(s, p, 4, y) && expect(s, p, '-') && digits(s, p, 2, mo) && expect(s, p, '-') &&
        digits(s, p, 2, d) && expect(s, p, ' ') && digits(s, p, 2, h) && expect(s, p, ':') &&
        digits(s, p, 2, mi) && expect(s, p, ':') && digits(s, p, 2, sec)))
    return false;
  std::int64_t nanos = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    int n = 0;
    for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++n)
      if (n < 9) nanos = nanos * 10 + (s[p] - '0');
    if (n == 0) return false;
    for (; n < 9; ++n) nanos *= 10;
  }
  if (p != s.size()) return false;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  // days since epoch (civil calendar); y >= 1, so the March-based year yy is >= 0 and the era
  // is a plain quotient (no negative-year rounding)
  const int yy = y - (mo <= 2);
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = std::int64_t{era} * 146097 + doe - 719468;
  out = {days * 86400 + h * 3600 + mi * 60 + sec, nanos};
  return true;
}

bool parse_int(std::string_view s, std::int64_t& out) {
  const auto* b = s.data();
  const auto* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;
}

/// The comma-separated fields of `line` (a trailing '\r' dropped), as views into it; at most
/// `n` + 1 are produced (so a row with too many columns is seen without splitting it all).
std::size_t split(std::string_view line, std::string_view* cols, std::size_t n) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t k = 0;
  while (k <= n) {
    const auto comma = line.find(',');
    cols[k++] = line.substr(0, comma);
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return k;
}

std::string read_whole(const std::filesystem::path& path, const std::string& file) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw trace_error(file, "", "cannot open trace file");
  std::string text;
  in.seekg(0, std::ios::end);
  text.resize(static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0)));
  in.seekg(0, std::ios::beg);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in) throw trace_error(file, "", "cannot read trace file");
  return text;
}

/// The next line of `text` from `pos` (without its '\n'); false at the end.
bool next_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  if (pos >= text.size()) return false;
  const auto nl = text.find('\n', pos);
  const auto end = nl == std::string_view::npos ? text.size() : nl;
  line = text.substr(pos, end - pos);
  pos = end + 1;
  return true;
}

}  // namespace

Workload load_azure_csv(const std::filesystem::path& path, double time_scale, std::int64_t limit) {
  const auto file = path.string();
  check_input_file(path, limits::kMaxTraceBytes, "256 MiB", ExitCode::TraceParseError);
  const auto whole = read_whole(path, file);
  const std::string_view text(whole);
  std::size_t pos = 0;
  std::string_view line, cols[4];
  if (!next_line(text, pos, line)) throw trace_error(file, "line 1", "empty file");
  if (split(line, cols, 3) != 3 || cols[0] != "TIMESTAMP" || cols[1] != "ContextTokens" ||
      cols[2] != "GeneratedTokens")
    throw trace_error(file, "line 1",
                      "expected header TIMESTAMP,ContextTokens,GeneratedTokens");
  Workload w;
  w.clock = ArrivalClock::Timed;
  w.requests.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
  Timestamp first, last;
  for (std::int64_t lineno = 2; next_line(text, pos, line); ++lineno) {
    if (line.empty() || line == "\r") continue;
    if (limit > 0 && static_cast<std::int64_t>(w.requests.size()) >= limit) break;
    const auto where = [lineno] { return "line " + std::to_string(lineno); };
    if (static_cast<std::int64_t>(w.requests.size()) >= limits::kMaxRequests)
      throw trace_error(file, where(),
                        "more than 10000000 requests (the most a workload may hold)");
    if (split(line, cols, 3) != 3) throw trace_error(file, where(), "expected 3 columns");
    Timestamp t;
    if (!parse_timestamp(cols[0], t))
      throw trace_error(file, where() + ": TIMESTAMP",
                        "not a timestamp: \"" + std::string(cols[0]) + "\"");
    Request r;
    if (!parse_int(cols[1], r.prompt) || r.prompt < 1 || r.prompt > limits::kMaxTokens)
      throw trace_error(file, where() + ": ContextTokens", "expected an integer in [1, 2^40]");
    if (!parse_int(cols[2], r.output) || r.output < 1 || r.output > limits::kMaxTokens)
      throw trace_error(file, where() + ": GeneratedTokens", "expected an integer in [1, 2^40]");
    if (w.requests.empty()) first = last = t;
    if (t < last) throw trace_error(file, where() + ": TIMESTAMP", "timestamps must not decrease");
    last = t;
    r.arrival_time = t.since(first) * time_scale;
    if (!std::isfinite(r.arrival_time))
      throw trace_error(file, where() + ": TIMESTAMP", "arrival time overflows with time_scale " +
                                                           num(time_scale));
    r.arrival_step = 0;
    w.requests.push_back(r);
  }
  if (w.requests.empty()) throw trace_error(file, "", "no requests in trace");
  return w;
}

namespace {

/// The limits load_config checks, again for specs changed after loading (command-line overrides,
/// the fuzzer's stability run): a generated workload must fit in memory and its rates must be
/// ones the generators can serve (docs/config.md).
void check_generated(const Config& c) {
  const auto& w = c.workload;
  const auto file = c.path.string();
  if (w.count + w.backlog > limits::kMaxRequests)
    throw config_error(file, "workload.count",
                       "count + backlog = " + std::to_string(w.count + w.backlog) +
                           " requests, more than the 10000000 a workload may hold");
  const auto rate_ok = [](double r) { return r >= limits::kMinRate && r <= limits::kMaxRate; };
  if (w.kind == WorkloadKind::Poisson && !rate_ok(w.rate))
    throw config_error(file, "workload.rate",
                       "must be in [1e-06, 1e+06], got " + num(w.rate));
  if (w.kind != WorkloadKind::ClassMix) return;
  for (std::size_t k = 0; k < c.model.classes.size(); ++k)
    if (const double r = c.model.classes[k].rate; r != 0.0 && !rate_ok(r))
      throw config_error(file, "classes[" + std::to_string(k) + "].rate",
                         "must be 0 or in [1e-06, 1e+06], got " + num(r));
}

}  // namespace

namespace {

Workload build_open_loop(const Config& c) {
  const auto& w = c.workload;
  switch (w.kind) {
    case WorkloadKind::Explicit: {
      Workload out;
      out.requests = w.requests;
      return out;
    }
    case WorkloadKind::Deterministic:
      return w.clock == ArrivalClock::Timed ? deterministic_timed(w) : deterministic(w);
    case WorkloadKind::Poisson:
      return w.clock == ArrivalClock::Timed ? poisson_timed(w) : poisson(w, c.path.string());
    case WorkloadKind::ClassMix: return class_mix(w, c.model, c.path.string());
    case WorkloadKind::Trace: return load_azure_csv(w.trace, w.time_scale, w.limit);
    case WorkloadKind::Random: return random_workload(w);
    case WorkloadKind::Dataset: return dataset_workload(w);
  }
  return {};
}

}  // namespace

/// A config of a [network] has no [workload] (sim/network.h): every other command refuses it.
void check_has_workload(const Config& c) {
  if (c.network_only)
    throw config_error(c.path.string(), "workload",
                       "missing section [workload] (this config describes a [network]: run "
                       "`kvcheck network`)");
  if (c.cluster.only)
    throw config_error(c.path.string(), "workload",
                       "missing section [workload] (this config describes a P3 [cluster]: run "
                       "`kvcheck cluster` or `kvcheck analyze --only p3`)");
}

void refuse_in_flight_for_z3(const Config& c) {
  if (!c.workload.in_flight.empty())
    throw config_error(c.path.string(), "workload.in_flight",
                       "in-flight requests: not supported by the Z3 backends yet; use "
                       "simulate/fuzz/explore");
}

Workload build_workload(const Config& c) {
  check_has_workload(c);
  const auto k = c.workload.kind;
  if (k == WorkloadKind::Deterministic || k == WorkloadKind::Poisson ||
      k == WorkloadKind::ClassMix)
    check_generated(c);
  Workload out = build_open_loop(c);
  // In-flight requests first: they hold the oldest admissions (models/request.h).
  out.requests.insert(out.requests.begin(), c.workload.in_flight.begin(), c.workload.in_flight.end());
  out.max_concurrency = c.workload.max_concurrency;  // every kind may be closed loop
  return out;
}

double arrivals_per_step(const Config& c) {
  const auto& w = c.workload;
  if (w.clock == ArrivalClock::Timed) return 0.0;  // clock = "seconds": per second, not per step
  switch (w.kind) {
    case WorkloadKind::Deterministic:
      return static_cast<double>(w.burst) / static_cast<double>(w.interval);
    case WorkloadKind::Poisson: return w.rate;
    case WorkloadKind::ClassMix: {
      double r = 0.0;
      for (const auto& k : c.model.classes) r += k.rate;
      return r;
    }
    case WorkloadKind::Explicit:
    case WorkloadKind::Trace:
    case WorkloadKind::Random:   // requests per second, not per step
    case WorkloadKind::Dataset: break;
  }
  return 0.0;
}

}  // namespace kvcheck
