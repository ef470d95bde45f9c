#include "importers/bench_workload.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>

#include "importers/arg_list.h"
#include "io/input_error.h"
#include "io/limits.h"

namespace kvcheck::importers {
namespace {

const std::string kWhere = "command line: --bench";
constexpr std::int64_t kMaxListed = 100'000;  // explicit requests written out, at most

constexpr std::array<ArgSpec, 27> kBenchArgs{{
    {"dataset-name", ArgKind::Value, false, "only `random`"},
    {"num-prompts", ArgKind::Value, false, "request count"},
    {"random-input-len", ArgKind::Value, false, "prompt length"},
    {"random-output-len", ArgKind::Value, false, "output length"},
    {"random-range-ratio", ArgKind::Value, false, "uniform length range"},
    {"random-prefix-len", ArgKind::Value, false, "added to every prompt"},
    {"request-rate", ArgKind::Value, false, "arrivals per second"},
    {"burstiness", ArgKind::Value, false, "gamma shape of inter-arrival times"},
    {"max-concurrency", ArgKind::Value, false, "closed loop: an error"},
    {"ignore-eos", ArgKind::Switch, false, "outputs run to their length"},
    {"seed", ArgKind::Value, false, "kvcheck's draw seed"},
    {"model", ArgKind::Value, true, "names the served model"},
    {"backend", ArgKind::Value, true, "HTTP client"},
    {"host", ArgKind::Value, true, "network"},
    {"port", ArgKind::Value, true, "network"},
    {"base-url", ArgKind::Value, true, "network"},
    {"endpoint", ArgKind::Value, true, "network"},
    {"tokenizer", ArgKind::Value, true, "token ids, not lengths"},
    {"served-model-name", ArgKind::Value, true, "naming"},
    {"trust-remote-code", ArgKind::Switch, true, "loading"},
    {"save-result", ArgKind::Switch, true, "reporting"},
    {"result-dir", ArgKind::Value, true, "reporting"},
    {"result-filename", ArgKind::Value, true, "reporting"},
    {"percentile-metrics", ArgKind::Value, true, "reporting"},
    {"metric-percentiles", ArgKind::Value, true, "reporting"},
    {"disable-tqdm", ArgKind::Switch, true, "reporting"},
    {"label", ArgKind::Value, true, "reporting"},
}};

struct Lengths {
  std::int64_t prompt_lo, prompt_hi, output_lo, output_hi;
};

/// vLLM's sampling ranges: [floor(L(1-r)), ceil(L(1+r))], outputs at least 1, plus the prefix.
Lengths ranges(std::int64_t in, std::int64_t out, double r, std::int64_t prefix) {
  const auto lo = [r](std::int64_t l) {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(l) * (1.0 - r)));
  };
  const auto hi = [r](std::int64_t l) {
    return static_cast<std::int64_t>(std::ceil(static_cast<double>(l) * (1.0 + r)));
  };
  return {prefix + std::max<std::int64_t>(lo(in), 1), prefix + hi(in),
          std::max<std::int64_t>(lo(out), 1), std::max<std::int64_t>(hi(out), 1)};
}

std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double uniform01(std::uint64_t& s) { return static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53; }

std::int64_t uniform_int(std::uint64_t& s, std::int64_t lo, std::int64_t hi) {
  const auto span = static_cast<std::uint64_t>(hi - lo + 1);
  return lo + static_cast<std::int64_t>(splitmix64(s) % span);
}

/// Arrival steps, per-step rate `rate` (0: all at step 0): a Poisson process in step time.
std::vector<std::int64_t> arrivals(std::int64_t n, double rate, std::uint64_t& s) {
  std::vector<std::int64_t> out;
  double t = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    if (rate > 0 && k > 0) t += -std::log(1.0 - uniform01(s)) / rate;
    out.push_back(static_cast<std::int64_t>(std::floor(t)));
  }
  return out;
}

/// Per-step arrival rate from --request-rate (0 = inf: all at step 0).
double step_rate(const ParsedArgs& a, const BenchOptions& opt, std::vector<std::string>& why) {
  const auto rate_text = a.text("request-rate", "inf");
  if (rate_text == "inf") {
    why.push_back("--request-rate inf (default): every request arrives at step 0");
    return 0;
  }
  const double rate = a.number("request-rate", 0, 1e-9, 1e9);
  if (!opt.step_seconds)
    throw config_error(kWhere, "--request-rate",
                       "a per-second rate needs --step-seconds S (kvcheck's arrivals are per "
                       "engine iteration): give the mean iteration time you assume");
  if (a.number("burstiness", 1.0, 1e-9, 1e9) != 1.0)
    throw config_error(kWhere, "--burstiness",
                       "gamma inter-arrival times of shape != 1 have no kvcheck workload form "
                       "(poisson is shape 1)");
  const double per_step = rate * *opt.step_seconds;
  if (per_step < limits::kMinRate || per_step > limits::kMaxRate)
    throw config_error(
        kWhere, "--request-rate",
        fmt::format("{} per s x --step-seconds {} = {} per step, outside [1e-6, 1e6]", rate,
                    *opt.step_seconds, per_step));
  why.push_back(
      fmt::format("--request-rate {} /s x --step-seconds {} (assumed iteration time) "
                  "= {} arrivals per step, Poisson (--burstiness 1)",
                  rate, *opt.step_seconds, per_step));
  return per_step;
}

void refuse_unmapped(const ParsedArgs& a) {
  if (a.text("dataset-name", "random") != "random")
    throw config_error(kWhere, "--dataset-name",
                       "only `random` has lengths the importer knows without the data set");
  if (a.has("max-concurrency"))
    throw config_error(kWhere, "--max-concurrency",
                       "a closed-loop concurrency cap has no kvcheck form (arrivals are open "
                       "loop, per step); drop it, or cap concurrency with vLLM's --max-num-seqs");
}

/// r = 0: one shape; a generator.
Section generated(std::int64_t n, const Lengths& l, double rate, std::int64_t seed) {
  Section w{"[workload]", {}, {}};
  if (rate == 0) {
    w.lines = {{"kind = \"deterministic\"", "all at step 0 (--request-rate inf)"},
               {fmt::format("count = {}", n), "--num-prompts"},
               {fmt::format("burst = {}", n), "the whole count in one arrival instant"}};
  } else {
    w.lines = {{"kind = \"poisson\"", "--request-rate R with --burstiness 1"},
               {fmt::format("count = {}", n), "--num-prompts"},
               {fmt::format("rate = {}", rate), "R x --step-seconds, arrivals per step"},
               {fmt::format("seed = {}", seed), "--seed (kvcheck's draw, not vLLM's)"}};
  }
  w.lines.push_back({fmt::format("prompt = {}", l.prompt_lo),
                     "--random-prefix-len + --random-input-len (range ratio 0)"});
  w.lines.push_back({fmt::format("output = {}", l.output_lo), "--random-output-len"});
  return w;
}

/// r > 0: lengths drawn uniformly from vLLM's ranges, listed.
Section listed(std::int64_t n, const Lengths& l, double rate, std::int64_t seed) {
  if (n > kMaxListed)
    throw config_error(
        kWhere, "--num-prompts",
        fmt::format("{} requests with a length range would be listed one by one; at most {}", n,
                    kMaxListed));
  auto s = static_cast<std::uint64_t>(seed);
  const auto at = arrivals(n, rate, s);
  Section w{"[workload]", {}, {{"kind = \"explicit\"", ""}}};
  std::string list = "requests = [\n";
  for (std::int64_t k = 0; k < n; ++k) {
    const auto p = uniform_int(s, l.prompt_lo, l.prompt_hi);
    const auto o = uniform_int(s, l.output_lo, l.output_hi);
    list += fmt::format("  {{ arrival = {}, prompt = {}, output = {} }},\n",
                        at[static_cast<std::size_t>(k)], p, o);
  }
  w.lines.push_back({list + "]", ""});
  return w;
}

Section envelope_of(const Lengths& l) {
  return Section{"[envelope]",
                 {"vLLM's length ranges, so that check / prove / buffer cover every length "
                  "the benchmark can draw, not only the listed sample"},
                 {{fmt::format("prompt = [{}, {}]", l.prompt_lo, l.prompt_hi),
                   "floor(I(1-r)) .. ceil(I(1+r)), plus the prefix"},
                  {fmt::format("output = [{}, {}]", l.output_lo, l.output_hi),
                   "floor(O(1-r)) .. ceil(O(1+r)), at least 1"}}};
}

}  // namespace

BenchImport import_bench(const std::vector<std::string>& words, const BenchOptions& opt) {
  const auto a =
      parse_args(words, kBenchArgs, kWhere, "not a `vllm bench serve` argument the importer maps");
  refuse_unmapped(a);
  BenchImport out;
  out.count = a.integer("num-prompts", 1000, 1, limits::kMaxRequests);
  const auto in = a.integer("random-input-len", 1024, 1, limits::kMaxTokens);
  const auto o = a.integer("random-output-len", 128, 1, limits::kMaxTokens);
  const double r = a.number("random-range-ratio", 0.0, 0.0, 0.999999);
  const auto prefix = a.integer("random-prefix-len", 0, 0, limits::kMaxTokens);
  const auto seed = a.integer("seed", 0, 0, std::int64_t{1} << 62);
  const auto l = ranges(in, o, r, prefix);
  std::vector<std::string> why;
  const double rate = step_rate(a, opt, why);
  out.workload = r == 0 ? generated(out.count, l, rate, seed) : listed(out.count, l, rate, seed);
  if (r > 0) out.envelope = envelope_of(l);
  out.workload.notes = why;
  out.workload.notes.insert(
      out.workload.notes.begin(),
      fmt::format("from --bench: random dataset, prompts {}..{} tokens, outputs {}..{} tokens{}",
                  l.prompt_lo, l.prompt_hi, l.output_lo, l.output_hi,
                  r > 0 ? " (uniform; kvcheck's own draw from vLLM's ranges)" : ""));
  out.workload.notes.push_back(
      "vLLM subtracts the tokenizer's special tokens from --random-input-len; kvcheck keeps the "
      "length as given (longer by those few tokens)");
  if (!a.flag("ignore-eos", false))
    out.workload.notes.push_back(
        "no --ignore-eos: a real output may stop early at EOS, so the "
        "output lengths here are upper bounds");
  for (const auto& name : a.order)
    if (find_spec(kBenchArgs, name)->ignored) out.ignored.push_back("--" + name);
  out.max_prompt = l.prompt_hi;
  out.max_output = l.output_hi;
  return out;
}

BenchImport default_bench() {
  BenchImport out = import_bench({"--num-prompts", "100"}, {});
  out.workload.notes = {
      "no --bench given: a small default workload, 100 requests of the random dataset's "
      "default lengths (1024 prompt, 128 output) arriving at step 0; replace it with your "
      "traffic (docs/config.md [workload]) or pass --bench \"vllm bench serve args\""};
  return out;
}

}  // namespace kvcheck::importers
