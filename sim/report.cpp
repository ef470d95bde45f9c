#include "sim/report.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "io/input_error.h"
#include "sim/svg_plot.h"

namespace kvcheck {
namespace {

using nlohmann::ordered_json;

ordered_json summary_json(const Summary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"p50", s.p50},
          {"p95", s.p95},     {"p99", s.p99},   {"max", s.max}};
}

ordered_json series_json(const Metrics& m) {
  ordered_json pts = ordered_json::array();
  for (const auto& p : m.series) {
    const double n = static_cast<double>(p.iterations);
    pts.push_back({{"step", p.step}, {"time", p.time}, {"iterations", p.iterations},
                   {"kv_blocks_mean", static_cast<double>(p.kv_sum) / n},
                   {"kv_blocks_max", p.kv_max},
                   {"waiting_mean", static_cast<double>(p.waiting_sum) / n},
                   {"waiting_max", p.waiting_max},
                   {"running_mean", static_cast<double>(p.running_sum) / n},
                   {"running_max", p.running_max}});
  }
  return {{"iterations_per_point", m.series_width}, {"points", pts}};
}

ordered_json verdict_json(const RunReport& r) {
  ordered_json v{{"verdict", to_string(r.verdict)},
                 {"exit_code", to_int(to_exit_code(r.verdict))},
                 {"reason", r.verdict.reason}};
  ordered_json viol = ordered_json::array();
  for (const auto& x : r.outcome.violations)
    viol.push_back({{"property", std::string(info(x.id).name)},
                    {"kind", info(x.id).kind == PropertyKind::Safety ? "safety" : "liveness"},
                    {"step", x.step},
                    {"detail", x.detail}});
  v["violations"] = viol;
  v["finished"] = r.outcome.finished;
  v["stalled"] = r.outcome.stalled;
  if (const auto& l = r.outcome.livelock)
    v["livelock"] = {{"from_step", l->from},
                     {"period", l->period},
                     {"preempted", l->preempted},
                     {"tokens_per_turn", l->batch_tokens},
                     {"description", l->describe()}};
  v["hit_max_steps"] = r.outcome.hit_max_steps;
  v["unfinished"] = r.outcome.unfinished;
  v["not_arrived"] = r.outcome.not_arrived;
  return v;
}

ordered_json metrics_json_common(const Metrics& m);

/// The metrics under the labels `vllm bench serve` prints (vllm/benchmarks/serve.py), so a
/// simulated run and a benchmark run can be set side by side; milliseconds as vLLM prints them.
ordered_json vllm_bench_json(const Metrics& m) {
  const auto ms = [](double s) { return 1000.0 * s; };
  return {{"Successful requests", m.completed},
          {"Benchmark duration (s)", m.sim_seconds},
          {"Request throughput (req/s)", m.requests_per_second},
          {"Output token throughput (tok/s)", m.output_tokens_per_second},
          {"Mean TTFT (ms)", ms(m.ttft_seconds.mean)},
          {"Median TTFT (ms)", ms(m.ttft_seconds.p50)},
          {"P99 TTFT (ms)", ms(m.ttft_seconds.p99)},
          {"Mean TPOT (ms)", ms(m.tpot_seconds.mean)},
          {"Median TPOT (ms)", ms(m.tpot_seconds.p50)},
          {"P99 TPOT (ms)", ms(m.tpot_seconds.p99)},
          {"Mean ITL (ms)", ms(m.itl_mean_seconds)},
          {"Mean E2EL (ms)", ms(m.e2e_seconds.mean)},
          {"Median E2EL (ms)", ms(m.e2e_seconds.p50)},
          {"P99 E2EL (ms)", ms(m.e2e_seconds.p99)},
          {"Preemptions", m.preemptions},
          {"Recomputed tokens", m.wasted_tokens}};
}

ordered_json metrics_json(const Metrics& m) {
  auto out = metrics_json_common(m);
  // vLLM V0's swap mode only, so every other report keeps its bytes.
  if (m.swap)
    out["swap"] = {{"swap_outs", m.swap_outs}, {"swap_ins", m.swap_ins},
                   {"cpu_blocks", m.cpu_blocks}, {"cpu_blocks_max", m.cpu_blocks_max}};
  return out;
}

ordered_json metrics_json_common(const Metrics& m) {
  return {
      {"iterations", m.iterations}, {"busy_iterations", m.busy_iterations},
      {"sim_seconds", m.sim_seconds},
      {"requests", {{"total", m.requests}, {"arrived", m.arrived}, {"completed", m.completed},
                    {"rejected", m.rejected}, {"unfinished", m.unfinished}}},
      {"throughput", {{"tokens_per_second", m.tokens_per_second},
                      {"tokens_per_iteration", m.tokens_per_iteration},
                      {"output_tokens_per_second", m.output_tokens_per_second},
                      {"requests_per_second", m.requests_per_second},
                      {"requests_per_iteration", m.requests_per_iteration},
                      {"prefill_tokens", m.prefill_tokens}, {"decode_tokens", m.decode_tokens},
                      {"output_tokens", m.output_tokens}}},
      {"ttft_seconds", summary_json(m.ttft_seconds)},
      {"ttft_iterations", summary_json(m.ttft_iterations)},
      {"e2e_seconds", summary_json(m.e2e_seconds)},
      {"e2e_iterations", summary_json(m.e2e_iterations)},
      {"kv", {{"num_blocks", m.num_blocks}, {"util_mean", m.kv_util_mean},
              {"util_max", m.kv_util_max}, {"blocks_max", m.kv_blocks_max}}},
      {"queue", {{"waiting_mean", m.waiting_mean}, {"waiting_max", m.waiting_max},
                 {"running_mean", m.running_mean}, {"running_max", m.running_max}}},
      {"disruption", {{"preemptions", m.preemptions}, {"evictions", m.evictions},
                      {"restarts", m.restarts}, {"wasted_tokens", m.wasted_tokens},
                      {"rejected", m.rejected}, {"overflow_events", m.overflow_events}}},
      {"vllm_bench", vllm_bench_json(m)},
      {"series", series_json(m)}};
}

std::string row(const char* name, const std::string& value) {
  return fmt::format("  {:<28} {}\n", name, value);
}

std::string latency_row(const char* name, const Summary& s, const char* unit, int digits) {
  return fmt::format("  {:<12} {:>10.{}f} {:>10.{}f} {:>10.{}f} {:>10.{}f} {:>10.{}f}  {}\n", name,
                     s.mean, digits, s.p50, digits, s.p95, digits, s.p99, digits, s.max, digits,
                     unit);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw config_error(path.string(), "--out", "cannot write the file");
}

}  // namespace

std::string report_json(const RunReport& r) {
  ordered_json j{{"kvcheck_version", r.info.kvcheck_version},
                 {"config", {{"name", r.info.config_name}, {"path", r.info.config_path},
                             {"hash", r.info.config_hash}}},
                 {"policy", r.info.policy},
                 {"workload", r.info.workload},
                 {"seed", r.info.seed},
                 {"skip_steady", r.info.skip_steady},
                 {"wall_seconds", r.info.wall_seconds}};
  j["result"] = verdict_json(r);
  j["metrics"] = metrics_json(r.metrics);
  return j.dump(2) + "\n";
}

std::string report_text(const RunReport& r) {
  const auto& m = r.metrics;
  std::string out = fmt::format("kvcheck {} simulate: {} ({})\n", r.info.kvcheck_version,
                                r.info.config_name, r.info.config_hash);
  out += row("policy", r.info.policy) + row("workload", r.info.workload);
  out += row("verdict", fmt::format("{} (exit {})", to_string(r.verdict),
                                    to_int(to_exit_code(r.verdict))));
  for (const auto& x : r.outcome.violations)
    out += row("  violated", fmt::format("{} at iteration {}{}", info(x.id).name, x.step,
                                         x.detail.empty() ? "" : ": " + x.detail));
  if (r.outcome.stalled)
    out += row("  violated", "stalled: no request progressed for max_idle_steps iterations "
                             "(liveness)");
  if (const auto& l = r.outcome.livelock) out += row("  violated", l->describe() + " (liveness)");
  if (!r.verdict.reason.empty() && r.verdict.kind == VerdictKind::Unknown)
    out += row("  reason", r.verdict.reason);
  else if (r.outcome.hit_max_steps && r.outcome.unfinished > 0)
    out += row("  bounded", fmt::format("stopped at the declared max_steps = {} with {} requests "
                                        "unfinished ({} never arrived): nothing is claimed beyond",
                                        r.outcome.steps, r.outcome.unfinished,
                                        r.outcome.not_arrived));
  out += row("iterations", fmt::format("{} ({} busy)", m.iterations, m.busy_iterations));
  out += row("simulated time", fmt::format("{:.2f} s", m.sim_seconds));
  out += row("requests", fmt::format("{} total, {} completed, {} rejected, {} unfinished",
                                     m.requests, m.completed, m.rejected, m.unfinished));
  out += row("request throughput", fmt::format("{:.3f} req/s, {:.4f} req/iteration",
                                               m.requests_per_second, m.requests_per_iteration));
  out += row("token throughput", fmt::format("{:.1f} tok/s, {:.2f} tok/iteration (prefill + decode)",
                                             m.tokens_per_second, m.tokens_per_iteration));
  out += row("output tokens", fmt::format("{} ({:.1f} tok/s)", m.output_tokens,
                                          m.output_tokens_per_second));
  out += fmt::format("\n  {:<12} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "latency", "mean", "p50",
                     "p95", "p99", "max");
  out += latency_row("TTFT", m.ttft_seconds, "s", 4) + latency_row("TTFT", m.ttft_iterations, "it", 1);
  out += latency_row("end-to-end", m.e2e_seconds, "s", 4) +
         latency_row("end-to-end", m.e2e_iterations, "it", 1);
  out += latency_row("TPOT", m.tpot_seconds, "s", 4) + "\n";
  out += row("vllm bench (ms)",
             fmt::format("Mean/Median/P99 TTFT {:.2f} / {:.2f} / {:.2f}, TPOT {:.2f} / {:.2f} / "
                         "{:.2f}, Mean ITL {:.2f}, E2EL {:.2f} / {:.2f} / {:.2f}",
                         1e3 * m.ttft_seconds.mean, 1e3 * m.ttft_seconds.p50,
                         1e3 * m.ttft_seconds.p99, 1e3 * m.tpot_seconds.mean,
                         1e3 * m.tpot_seconds.p50, 1e3 * m.tpot_seconds.p99,
                         1e3 * m.itl_mean_seconds, 1e3 * m.e2e_seconds.mean,
                         1e3 * m.e2e_seconds.p50, 1e3 * m.e2e_seconds.p99));
  out += row("KV utilization", fmt::format("mean {:.1f}%, max {:.1f}% ({} of {} blocks)",
                                           100 * m.kv_util_mean, 100 * m.kv_util_max,
                                           m.kv_blocks_max, m.num_blocks));
  out += row("queue (waiting)", fmt::format("mean {:.2f}, max {}", m.waiting_mean, m.waiting_max));
  out += row("running", fmt::format("mean {:.2f}, max {}", m.running_mean, m.running_max));
  out += row("preemptions / evictions", fmt::format("{} / {}", m.preemptions, m.evictions));
  out += row("restarted requests", fmt::format("{} (recomputed {} tokens)", m.restarts,
                                               m.wasted_tokens));
  out += row("overflow events", std::to_string(m.overflow_events));
  if (m.swap)
    out += row("swap outs / ins", fmt::format("{} / {} (CPU pool: max {} of {} blocks)",
                                              m.swap_outs, m.swap_ins, m.cpu_blocks_max,
                                              m.cpu_blocks));
  out += row("host time", fmt::format("{:.3f} s ({})", r.info.wall_seconds,
                                      r.info.skip_steady ? "event-skipping loop" : "plain stepper"));
  return out;
}

void write_reports(const RunReport& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw config_error(dir.string(), "--out", "cannot create the output directory");
  write_file(dir / "report.json", report_json(r));
  write_file(dir / "report.txt", report_text(r));
  write_file(dir / "kv_queue.svg",
             kv_queue_svg(r.metrics, r.info.config_name + " (" + r.info.policy + ")"));
}

}  // namespace kvcheck
