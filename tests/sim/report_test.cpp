// Metrics summaries, bounded series, report writers and the simulate command's workload
// overrides (flag > config; bad values -> InputError with exit 151 naming the flag).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/metrics.h"
#include "sim/report.h"
#include "sim/series.h"
#include "sim/simulator.h"
#include "sim/steady_run.h"
#include "sim/svg_plot.h"
#include "sim/workload_overrides.h"

namespace kvcheck {
namespace {

TEST(Summarize, NearestRankPercentiles) {
  std::vector<double> v(100);
  std::iota(v.rbegin(), v.rend(), 1.0);  // 100 .. 1, unsorted on purpose
  const auto s = summarize(v);
  EXPECT_EQ(s.count, 100);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_DOUBLE_EQ(s.p50, 50.0);
  EXPECT_DOUBLE_EQ(s.p95, 95.0);
  EXPECT_DOUBLE_EQ(s.p99, 99.0);
  EXPECT_DOUBLE_EQ(s.max, 100.0);
  std::vector<double> none;
  EXPECT_EQ(summarize(none), Summary{});
}

TEST(Downsampler, ConstantRunsEqualPerIterationAdds) {
  for (std::size_t points : {2U, 6U, 64U}) {
    Downsampler one(points), bulk(points);
    std::vector<SteadyStep> run;
    std::int64_t step = 0;
    for (std::int64_t r = 0; r < 60; ++r) {  // runs of 0..12 iterations, varying constants
      run.clear();
      const std::int64_t waiting = r % 5, running = 1 + r % 7;
      for (std::int64_t j = 0; j < (r * 7) % 13; ++j, ++step) {
        const SteadyStep s{step, 0.5 * static_cast<double>(step), 0.5, (step * 37) % 101, 0, 0};
        run.push_back(s);
        one.add(s.step, s.start_time, s.used_blocks, waiting, running);
      }
      bulk.add_constant(run.begin(), run.end(), waiting, running);
      if (r % 3 == 0) {  // interleave single iterations
        one.add(step, 0.5 * static_cast<double>(step), 3, 9, 1);
        bulk.add(step, 0.5 * static_cast<double>(step), 3, 9, 1);
        ++step;
      }
    }
    EXPECT_EQ(one.points(), bulk.points());
    EXPECT_EQ(one.width(), bulk.width());
  }
}

TEST(Downsampler, BoundedAndConservesSums) {
  Downsampler d(10);
  std::int64_t kv = 0;
  for (std::int64_t i = 0; i < 1000; ++i) {
    d.add(i, 0.5 * static_cast<double>(i), i % 7, i % 3, 1);
    kv += i % 7;
  }
  const auto pts = d.points();
  EXPECT_LE(pts.size(), 11U);
  std::int64_t n = 0, kv_sum = 0;
  for (const auto& p : pts) {
    n += p.iterations;
    kv_sum += p.kv_sum;
    EXPECT_LE(p.kv_max, 6);
  }
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(kv_sum, kv);
  EXPECT_EQ(pts.front().step, 0);
  EXPECT_EQ(pts[1].step, d.width());
  EXPECT_DOUBLE_EQ(pts[1].time, 0.5 * static_cast<double>(d.width()));
}

const char* kToml = R"(
[meta]
name = "tiny"
[engine]
block_size = 1
num_blocks = 12
[policy]
name = "p2_fcfs"
[workload]
kind = "deterministic"
count = 60
backlog = 12
burst = 4
prompt = 1
output = 2
[check]
properties = ["no_preemption", "conservation"]
)";

Config tiny() { return parse_config(kToml, "tiny.toml"); }

RunReport run_tiny(const Config& cfg) {
  RunReport r;
  const auto w = build_workload(cfg);
  MetricsCollector m(cfg.model);
  StepObserver* obs[] = {&m};
  SeededChoices ch(1);
  SimOptions o;
  o.properties = cfg.check.properties;
  o.skip_steady = true;
  r.outcome = simulate(cfg.model, cfg.time, w, ch, o, obs);
  r.verdict = r.outcome.verdict();
  r.metrics = m.metrics();
  r.info.config_name = "tiny <&>";
  r.info.policy = "p2_fcfs";
  return r;
}

// P2's Example 2 trap: FCFS preempts, so the run is a safety violation (exit 12) and the
// reports say so; the metrics count the preemptions and the restarted requests.
TEST(Reports, JsonTextAndSvgOfAViolatingRun) {
  const auto r = run_tiny(tiny());
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::SafetyViolation);
  EXPECT_GT(r.metrics.preemptions, 0);
  EXPECT_GT(r.metrics.restarts, 0);
  EXPECT_GT(r.metrics.wasted_tokens, 0);
  EXPECT_EQ(r.metrics.completed, 72);
  const auto j = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(j["result"]["exit_code"], 12);
  EXPECT_EQ(j["result"]["violations"][0]["property"], "no_preemption");
  EXPECT_EQ(j["metrics"]["disruption"]["preemptions"], r.metrics.preemptions);
  EXPECT_EQ(j["metrics"]["requests"]["completed"], 72);
  EXPECT_FALSE(j["metrics"]["series"]["points"].empty());
  const auto text = report_text(r);
  EXPECT_NE(text.find("VIOLATED"), std::string::npos);
  EXPECT_NE(text.find("no_preemption"), std::string::npos);
  const auto svg = kv_queue_svg(r.metrics, r.info.config_name);
  EXPECT_EQ(svg.rfind("<svg", 0), 0U);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("tiny &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(svg.find("waiting requests (queue)"), std::string::npos);
}

TEST(Reports, WriteReportsCreatesTheThreeFiles) {
  const auto dir = std::filesystem::temp_directory_path() / "kvcheck_sim_report_test";
  std::filesystem::remove_all(dir);
  write_reports(run_tiny(tiny()), dir / "nested");
  for (const char* f : {"report.json", "report.txt", "kv_queue.svg"})
    EXPECT_GT(std::filesystem::file_size(dir / "nested" / f), 100U) << f;
  std::filesystem::remove_all(dir);
}

// report.txt's KV line shows the utilisation as a percentage of the pool: 3 of 10 blocks on
// average = 30.0 %, at most 5 of 10 = 50.0 % (the numbers of tests/sim/metrics_hand_test.cpp's
// hand run).
TEST(Reports, TextShowsKvUtilisationInPercent) {
  RunReport r;
  r.verdict = Verdict::bounded_ok(4);
  r.metrics.kv_util_mean = 0.3;
  r.metrics.kv_util_max = 0.5;
  r.metrics.kv_blocks_max = 5;
  r.metrics.num_blocks = 10;
  const auto text = report_text(r);
  EXPECT_NE(text.find("mean 30.0%, max 50.0% (5 of 10 blocks)"), std::string::npos) << text;
}

// The latency rows carry the metrics' numbers, each in its column (mean, p50, p95, p99, max),
// seconds to 4 decimals, iterations to 1, and report.json carries the same values. The values
// are set by hand (the hand run of tests/sim/metrics_hand_test.cpp: TTFT 0.5 s for both
// requests, end-to-end 1.5 s and 1.0 s).
TEST(Reports, LatencyRowsAndJsonCarryEveryStatistic) {
  RunReport r;
  r.verdict = Verdict::bounded_ok(4);
  r.metrics.ttft_seconds = {2, 0.5, 0.5, 0.5, 0.5, 0.5};
  r.metrics.ttft_iterations = {2, 1.0, 1.0, 1.0, 1.0, 1.0};
  r.metrics.e2e_seconds = {2, 1.25, 1.0, 1.5, 1.5, 1.5};
  r.metrics.e2e_iterations = {2, 2.5, 2.0, 3.0, 3.0, 3.0};
  const auto text = report_text(r);
  EXPECT_NE(text.find("  TTFT             0.5000     0.5000     0.5000     0.5000     0.5000  s\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("  end-to-end       1.2500     1.0000     1.5000     1.5000     1.5000  s\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("  end-to-end          2.5        2.0        3.0        3.0        3.0  it\n"),
            std::string::npos) << text;
  const auto j = nlohmann::json::parse(report_json(r));
  const auto& m = j.contains("metrics") ? j["metrics"] : j;
  EXPECT_DOUBLE_EQ(m["e2e_seconds"]["mean"].get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(m["e2e_seconds"]["p50"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(m["e2e_seconds"]["max"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(m["ttft_seconds"]["p99"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(m["e2e_iterations"]["mean"].get<double>(), 2.5);
}

TEST(NiceStep, OneTwoFive) {
  EXPECT_DOUBLE_EQ(nice_step(3500, 8), 500);
  EXPECT_DOUBLE_EQ(nice_step(100, 5), 20);
  EXPECT_DOUBLE_EQ(nice_step(7, 5), 2);
}

ExitCode code_of(const WorkloadOverrides& o, std::string& message) {
  auto cfg = tiny();
  try {
    apply_overrides(cfg, o);
  } catch (const InputError& e) {
    message = e.what();
    return e.code();
  }
  return ExitCode::Ok;
}

// The edges of --max-steps and --count (documented: "must be > 0", "1..10^7"): 1 is the
// smallest accepted value, 0 the largest rejected one.
TEST(Overrides, MaxStepsAndCountAcceptOneRejectZero) {
  std::string msg;
  WorkloadOverrides o;
  o.max_steps = 1;
  EXPECT_EQ(code_of(o, msg), ExitCode::Ok) << msg;
  o.max_steps = 0;
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_NE(msg.find("--max-steps"), std::string::npos) << msg;
  o = {};
  o.count = 1;
  EXPECT_EQ(code_of(o, msg), ExitCode::Ok) << msg;
  o.count = 0;
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_NE(msg.find("--count"), std::string::npos) << msg;
}

// `--workload poisson` on a config whose [workload] is explicit: the generated requests take
// [workload]'s documented defaults (docs/config.md: prompt 1, output 1), since the config gives
// no shape for a generator.
TEST(Overrides, GeneratorOverAnExplicitConfigUsesTheDocumentedShape) {
  auto cfg = parse_config("[engine]\nnum_blocks = 8\n[policy]\nname = \"vllm_fcfs\"\n"
                          "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, "
                          "prompt = 3, output = 4 }]\n",
                          "explicit.toml");
  WorkloadOverrides o;
  o.kind = "poisson";
  o.count = 20;
  o.rate = 0.5;
  apply_overrides(cfg, o);
  const auto w = build_workload(cfg);
  ASSERT_EQ(w.requests.size(), 20u);
  for (const auto& r : w.requests) {
    EXPECT_EQ(r.prompt, 1);
    EXPECT_EQ(r.output, 1);
  }
}

TEST(Overrides, BadFlagValuesAreConfigErrorsNamingTheFlag) {
  std::string msg;
  WorkloadOverrides o;
  o.kind = "bursty";
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_NE(msg.find("--workload"), std::string::npos);
  o = {};
  o.kind = "poisson";
  o.rate = -1.0;
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_NE(msg.find("--rate"), std::string::npos);
  o = {};
  o.count = 0;
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_NE(msg.find("--count"), std::string::npos);
  o = {};
  o.trace = "/nonexistent/trace.csv";
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_NE(msg.find("--trace"), std::string::npos);
  o = {};
  o.rate = 2.0;  // the config's workload is deterministic: --rate does not apply
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  o = {};
  o.max_steps = 0;
  EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError);
  EXPECT_EQ(msg.find('\n'), std::string::npos);  // one line
}

// --rate's limits are closed: [1e-6, 1e6] per step (io/limits.h: kMinRate, kMaxRate); just
// outside either end is a config error naming the flag.
TEST(Overrides, RateAtEitherLimitIsAcceptedAndJustOutsideIsNot) {
  std::string msg;
  for (const double ok : {1e-6, 1e6}) {
    WorkloadOverrides o;
    o.kind = "poisson";
    o.rate = ok;
    o.count = 5;
    EXPECT_EQ(code_of(o, msg), ExitCode::Ok) << ok << ": " << msg;
  }
  for (const double bad : {0.99e-6, 1.01e6}) {
    WorkloadOverrides o;
    o.kind = "poisson";
    o.rate = bad;
    o.count = 5;
    EXPECT_EQ(code_of(o, msg), ExitCode::ConfigError) << bad;
    EXPECT_NE(msg.find("--rate"), std::string::npos) << msg;
  }
}

// A run that stopped at the declared max_steps with requests left says what it covers; one
// that stopped there with nothing left claims no bound (there is nothing beyond it).
TEST(Reports, TextNamesAStopAtMaxStepsOnlyWithRequestsLeft) {
  RunReport r;
  r.verdict = Verdict::bounded_ok(40);
  r.outcome.steps = 40;
  r.outcome.hit_max_steps = true;
  r.outcome.unfinished = 3;
  r.outcome.not_arrived = 1;
  EXPECT_NE(report_text(r).find("stopped at the declared max_steps = 40 with 3 requests "
                                "unfinished (1 never arrived)"),
            std::string::npos)
      << report_text(r);
  r.outcome.unfinished = 0;
  r.outcome.not_arrived = 0;
  EXPECT_EQ(report_text(r).find("stopped at the declared max_steps"), std::string::npos);
}

TEST(Overrides, FlagsWinOverTheConfig) {
  auto cfg = tiny();
  WorkloadOverrides o;
  o.kind = "poisson";
  o.rate = 0.5;
  o.count = 25;
  o.seed = 9;
  o.max_steps = 77;
  apply_overrides(cfg, o);
  EXPECT_EQ(cfg.workload.kind, WorkloadKind::Poisson);
  EXPECT_EQ(cfg.workload.count, 25);
  EXPECT_DOUBLE_EQ(cfg.workload.rate, 0.5);
  EXPECT_EQ(cfg.workload.seed, 9U);
  EXPECT_EQ(cfg.check.max_steps, 77);
  EXPECT_EQ(build_workload(cfg).requests.size(), 25U);  // poisson: count includes the backlog
  auto t = tiny();
  WorkloadOverrides tr;
  tr.trace = std::string(KVCHECK_SOURCE_DIR) +
             "/data/azure-llm-2023/AzureLLMInferenceTrace_conv.csv";
  tr.count = 30;
  tr.time_scale = 0.5;
  apply_overrides(t, tr);
  const auto w = build_workload(t);
  EXPECT_EQ(w.requests.size(), 30U);
  EXPECT_EQ(w.clock, ArrivalClock::Timed);
  EXPECT_EQ(t.workload.time_scale, 0.5);
}

}  // namespace
}  // namespace kvcheck
