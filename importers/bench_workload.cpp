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

constexpr std::array<ArgSpec, 27> kBenchArgs{{
    {"dataset-name", ArgKind::Value, false, "only `random`"},
    {"num-prompts", ArgKind::Value, false, "request count"},
    {"random-input-len", ArgKind::Value, false, "prompt length"},
    {"random-output-len", ArgKind::Value, false, "output length"},
    {"random-range-ratio", ArgKind::Value, false, "uniform length range"},
    {"random-prefix-len", ArgKind::Value, false, "added to every prompt"},
    {"request-rate", ArgKind::Value, false, "workload.request_rate (per second)"},
    {"burstiness", ArgKind::Value, false, "workload.burstiness (gamma shape)"},
    {"max-concurrency", ArgKind::Value, false, "closed loop: workload.max_concurrency"},
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

void refuse_unmapped(const ParsedArgs& a) {
  if (a.text("dataset-name", "random") != "random")
    throw config_error(kWhere, "--dataset-name",
                       "only `random` has lengths the importer knows without the data set");
}

/// The benchmark as kvcheck's `random` workload (io/bench_workload.h): vLLM's RandomDataset
/// lengths, its arrivals (gamma gaps of shape --burstiness, mean 1 / --request-rate seconds;
/// inf: all at once) and its closed loop (--max-concurrency), each key one flag.
Section random_workload(const ParsedArgs& a, std::int64_t n, std::int64_t in, std::int64_t out,
                        double r, std::int64_t prefix, std::int64_t seed,
                        const BenchOptions& opt, std::vector<std::string>& why) {
  Section w{"[workload]", {}, {{"kind = \"random\"", "vllm bench serve --dataset-name random"}}};
  w.lines.push_back({fmt::format("input_len = {}", in), "--random-input-len"});
  w.lines.push_back({fmt::format("output_len = {}", out), "--random-output-len"});
  if (r > 0) w.lines.push_back({fmt::format("range_ratio = {}", r), "--random-range-ratio"});
  if (prefix > 0) w.lines.push_back({fmt::format("prefix_len = {}", prefix), "--random-prefix-len"});
  w.lines.push_back({fmt::format("num_prompts = {}", n), "--num-prompts"});
  const auto rate_text = a.text("request-rate", "inf");
  if (rate_text == "inf") {
    why.push_back("--request-rate inf (default): every request is due at time 0");
  } else {
    const double rate = a.number("request-rate", 0, limits::kMinRate, limits::kMaxRate);
    if (!opt.step_seconds)
      throw config_error(kWhere, "--request-rate",
                         "a per-second rate needs an iteration time: give --step-seconds S (the "
                         "[time] model the import writes) or add a calibrated [time] section");
    w.lines.push_back({fmt::format("request_rate = {}", rate), "--request-rate, per second"});
    const double k = a.number("burstiness", 1.0, limits::kMinRate, limits::kMaxRate);
    w.lines.push_back({fmt::format("burstiness = {}", k),
                       "--burstiness: gamma gaps of shape k (1 = Poisson)"});
  }
  if (a.has("max-concurrency"))
    w.lines.push_back({fmt::format("max_concurrency = {}",
                                   a.integer("max-concurrency", 0, 1, limits::kMaxRequests)),
                       "--max-concurrency: closed loop, a request's clock starts when it enters"});
  w.lines.push_back({fmt::format("seed = {}", seed), "--seed (kvcheck's draw, not vLLM's sample)"});
  return w;
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
  out.workload = random_workload(a, out.count, in, o, r, prefix, seed, opt, why);
  if (opt.step_seconds)
    out.time = Section{"[time]",
                       {"an iteration time assumed with --step-seconds (replace it with a "
                        "calibrated model: kvcheck calibrate)"},
                       {{"model = \"unit\"", ""},
                        {fmt::format("unit = {}", *opt.step_seconds), "--step-seconds"}}};
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
      "default lengths (1024 prompt, 128 output) due at time 0; replace it with your "
      "traffic (docs/config.md [workload]) or pass --bench \"vllm bench serve args\""};
  return out;
}

}  // namespace kvcheck::importers
