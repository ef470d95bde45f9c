#include "io/workload.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string>

#include "io/input_error.h"

namespace kvcheck {

double uniform01(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

std::int64_t poisson_sample(std::uint64_t& state, double mean) {
  if (mean <= 0.0) return 0;
  if (mean > 30.0) {  // normal approximation keeps large means cheap and deterministic
    const double u1 = std::max(uniform01(state), 1e-300), u2 = uniform01(state);
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    return std::max<std::int64_t>(0, std::llround(mean + std::sqrt(mean) * z));
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

Request make(std::int64_t step, std::int64_t prompt, std::int64_t output, std::int64_t klass) {
  Request r;
  r.arrival_step = step;
  r.arrival_time = static_cast<double>(step);
  r.prompt = prompt;
  r.output = output;
  r.klass = klass;
  return r;
}

Workload deterministic(const WorkloadSpec& w) {
  Workload out;
  for (std::int64_t i = 0; i < w.backlog; ++i) out.requests.push_back(make(0, w.prompt, w.output, 0));
  for (std::int64_t i = 0; i < w.count; ++i)
    out.requests.push_back(make((i / w.burst) * w.interval, w.prompt, w.output, 0));
  return out;
}

Workload poisson(const WorkloadSpec& w) {
  Workload out;
  for (std::int64_t i = 0; i < w.backlog; ++i) out.requests.push_back(make(0, w.prompt, w.output, 0));
  std::uint64_t rng = w.seed;
  for (std::int64_t step = 0; static_cast<std::int64_t>(out.requests.size()) < w.count; ++step) {
    const auto n = poisson_sample(rng, w.rate);
    for (std::int64_t i = 0; i < n && static_cast<std::int64_t>(out.requests.size()) < w.count; ++i)
      out.requests.push_back(make(step, w.prompt, w.output, 0));
  }
  return out;
}

Workload class_mix(const WorkloadSpec& w, const ModelParams& m, const std::string& file) {
  Workload out;
  std::uint64_t rng = w.seed;
  double total_rate = 0.0;
  for (const auto& c : m.classes) total_rate += c.rate;
  if (total_rate <= 0.0) throw config_error(file, "classes.rate", "class_mix needs a positive rate");
  for (std::int64_t step = 0; static_cast<std::int64_t>(out.requests.size()) < w.count; ++step)
    for (std::size_t k = 0; k < m.classes.size(); ++k) {
      const auto& c = m.classes[k];
      const auto n = poisson_sample(rng, c.rate);
      for (std::int64_t i = 0; i < n && static_cast<std::int64_t>(out.requests.size()) < w.count; ++i)
        out.requests.push_back(make(step, c.prompt, c.output, static_cast<std::int64_t>(k)));
    }
  return out;
}

/// "2023-11-16 18:15:46.6805900" -> seconds since midnight of that day plus days*86400.
bool parse_timestamp(const std::string& s, double& out) {
  int y, mo, d, h, mi;
  double sec;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
      sec >= 61)
    return false;
  // days since epoch (civil calendar), enough for ordering and differences
  const int yy = y - (mo <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const double days = era * 146097.0 + doe - 719468.0;
  out = days * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
  return true;
}

bool parse_int(const std::string& s, std::int64_t& out) {
  const auto* b = s.data();
  const auto* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cols;
  std::string cur;
  for (char ch : line) {
    if (ch == ',') {
      cols.push_back(cur);
      cur.clear();
    } else if (ch != '\r') {
      cur += ch;
    }
  }
  cols.push_back(cur);
  return cols;
}

}  // namespace

Workload load_azure_csv(const std::filesystem::path& path, double time_scale, std::int64_t limit) {
  const auto file = path.string();
  std::ifstream in(path);
  if (!in) throw trace_error(file, "", "cannot open trace file");
  std::string line;
  if (!std::getline(in, line)) throw trace_error(file, "line 1", "empty file");
  const auto header = split(line);
  if (header.size() != 3 || header[0] != "TIMESTAMP" || header[1] != "ContextTokens" ||
      header[2] != "GeneratedTokens")
    throw trace_error(file, "line 1",
                      "expected header TIMESTAMP,ContextTokens,GeneratedTokens");
  Workload w;
  w.clock = ArrivalClock::Timed;
  double first = 0.0, last = 0.0;
  for (std::int64_t lineno = 2; std::getline(in, line); ++lineno) {
    if (line.empty() || line == "\r") continue;
    if (limit > 0 && static_cast<std::int64_t>(w.requests.size()) >= limit) break;
    const auto where = "line " + std::to_string(lineno);
    const auto cols = split(line);
    if (cols.size() != 3) throw trace_error(file, where, "expected 3 columns");
    double t = 0.0;
    if (!parse_timestamp(cols[0], t))
      throw trace_error(file, where + ": TIMESTAMP", "not a timestamp: \"" + cols[0] + "\"");
    Request r;
    if (!parse_int(cols[1], r.prompt) || r.prompt < 1)
      throw trace_error(file, where + ": ContextTokens", "expected a positive integer");
    if (!parse_int(cols[2], r.output) || r.output < 1)
      throw trace_error(file, where + ": GeneratedTokens", "expected a positive integer");
    if (w.requests.empty()) first = t;
    if (t < last) throw trace_error(file, where + ": TIMESTAMP", "timestamps must not decrease");
    last = t;
    r.arrival_time = (t - first) * time_scale;
    r.arrival_step = 0;
    w.requests.push_back(r);
  }
  if (w.requests.empty()) throw trace_error(file, "", "no requests in trace");
  return w;
}

Workload build_workload(const Config& c) {
  const auto& w = c.workload;
  switch (w.kind) {
    case WorkloadKind::Explicit: {
      Workload out;
      out.requests = w.requests;
      return out;
    }
    case WorkloadKind::Deterministic: return deterministic(w);
    case WorkloadKind::Poisson: return poisson(w);
    case WorkloadKind::ClassMix: return class_mix(w, c.model, c.path.string());
    case WorkloadKind::Trace: return load_azure_csv(w.trace, w.time_scale, w.limit);
  }
  return {};
}

}  // namespace kvcheck
