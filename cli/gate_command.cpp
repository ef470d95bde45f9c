#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "gate/baseline.h"
#include "gate/gate.h"
#include "gate/junit.h"
#include "gate/report_json.h"
#include "gate/sarif.h"
#include "gate/shard.h"
#include "io/config.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

/// Whether the gate takes `path` from a --dir scan: it declares [meta] expect, or it cannot be
/// read at all (then the gate reports it as an ERROR row rather than skip it silently).
bool gated(const std::filesystem::path& path) {
  try {
    return !load_config(path).expect.empty();
  } catch (const InputError&) {
    return true;
  }
}

/// Configs named on the command line, else every gated config in `dir`; sorted.
std::vector<std::filesystem::path> gated_configs(const std::vector<std::string>& named,
                                                 const std::string& dir) {
  std::vector<std::filesystem::path> out(named.begin(), named.end());
  if (out.empty()) {
    if (!std::filesystem::is_directory(dir))
      throw config_error(dir, "--dir", "not a directory");
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".toml" && gated(entry.path()))
        out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Writes a report with `write`; a file that cannot be opened is an error naming it.
template <class Write>
void write_file(const std::string& path, const std::string& option, Write write) {
  if (path.empty()) return;
  std::ofstream os(path);
  if (!os) throw config_error(path, option, "cannot write file");
  write(os);
}

/// The SARIF source root: --source-root, else $GITHUB_WORKSPACE, else the working directory.
std::filesystem::path source_root(const std::string& option) {
  if (!option.empty()) return std::filesystem::absolute(option);
  if (const char* ws = std::getenv("GITHUB_WORKSPACE"); ws && *ws)
    return std::filesystem::absolute(ws);
  return std::filesystem::current_path();
}

class GateCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("configs", configs_, "Configs to gate (default: every config in --dir "
                                        "with [meta] expect)");
    sub.add_option("--dir", dir_, "Directory of configs")->capture_default_str();
    sub.add_option("--checkers", only_, "Only these checkers (comma-separated)")->delimiter(',');
    sub.add_option("--out", out_, "Directory for counterexample traces");
    sub.add_option("--junit", junit_, "Write JUnit XML here");
    sub.add_option("--sarif", sarif_, "Write SARIF 2.1.0 here");
    sub.add_option("--source-root", source_root_,
                   "Directory SARIF URIs are relative to (default: $GITHUB_WORKSPACE, else the "
                   "working directory)");
    sub.add_option("--json", json_, "Write the whole report as JSON here (input of --merge)");
    sub.add_option("--jobs,-j", jobs_, "Configs checked at once, each on its own thread")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    sub.add_option("--shard", shard_,
                   "Run only shard I of N (I/N, 0-based: configs I, I+N, ... of the sorted "
                   "list); default from KVCHECK_SHARD_INDEX / KVCHECK_TOTAL_SHARDS, "
                   "GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS, or JOB_COMPLETION_INDEX with "
                   "KVCHECK_TOTAL_SHARDS");
    sub.add_option("--baseline", baseline_,
                   "Compare with the old build's --json report (a file, or a directory with "
                   "report.json): flipped verdicts, new counterexamples, metric regressions (a "
                   "Markdown section)");
    sub.add_option("--tolerance", tolerance_,
                   "Relative change of a metric --baseline reports (0.05 = 5 %)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100.0));
    sub.add_flag("--fail-on-regression", fail_on_regression_,
                 "Exit 20 when --baseline finds a regression and the gate itself passed");
    sub.add_option("--merge", merge_,
                   "Run nothing: merge these --json reports (one per shard) and write the "
                   "reports of the whole gate")
        ->expected(1, -1);
    sub.add_option("--seed", budget_.seed, "Seed for random checkers");
    sub.add_option("--depth", budget_.depth, "Depth bound (0: each config's own)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000}));
    sub.add_option("--runs", budget_.runs, "Random cases (0: each config's own)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000000}));
    sub.add_option("--timeout-ms", budget_.timeout_ms, "Per solver query (0: each config's own); "
                   "a timeout is UNKNOWN and fails the gate")
        ->check(CLI::Range(std::int64_t{0}, (std::int64_t{1} << 31) - 1));
    sub.add_option("--time-limit", time_limit_s_,
                   "Outer wall-clock limit for the whole gate in seconds (0 = none); checks "
                   "cut by it are UNKNOWN and fail the gate")
        ->check(CLI::Range(0.0, 1e7));
  }
  int run() override {
    if (!merge_.empty() && !configs_.empty())
      throw config_error("<command line>", "--merge", "runs no config: name none beside it");
    if (fail_on_regression_ && baseline_.empty())
      throw config_error("<command line>", "--fail-on-regression", "needs --baseline FILE");
    // The baseline is read first: a bad one is an error before minutes of checking.
    const auto baseline =
        baseline_.empty() ? std::optional<GateReport>() : read_report_json(baseline_file());
    const auto report = merge_.empty() ? gate() : merge_reports({merge_.begin(), merge_.end()});
    const auto diff = baseline ? std::optional(compare_to_baseline(*baseline, report, tolerance_))
                               : std::nullopt;
    const auto markdown = [&](std::ostream& os) {
      write_markdown(report, os);
      if (diff) write_baseline_markdown(*diff, os);
    };
    markdown(std::cout);
    if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) {
      std::ofstream os(summary, std::ios::app);
      markdown(os);
    }
    write_file(junit_, "--junit", [&](std::ostream& os) { write_junit(report, os); });
    write_file(sarif_, "--sarif", [&](std::ostream& os) {
      write_sarif(report, {source_root(source_root_)}, os);
    });
    write_file(json_, "--json", [&](std::ostream& os) { write_report_json(report, os); });
    auto code = report.exit_code();
    if (code == ExitCode::Ok && diff && diff->regressed() && fail_on_regression_)
      code = ExitCode::ReplayDiverged;
    std::cout.flush();
    fmt::print("gate: {}{}\n", code == ExitCode::Ok ? "PASS" : "FAIL",
               code == ExitCode::ReplayDiverged ? " (regressed against the baseline)" : "");
    return to_int(code);
  }

 private:
  /// --baseline names a report, or a directory holding one as report.json (the old build's
  /// out/gate/ from ci/gate.sh).
  std::filesystem::path baseline_file() const {
    const std::filesystem::path p(baseline_);
    return std::filesystem::is_directory(p) ? p / "report.json" : p;
  }

  GateReport gate() {
    const auto known = all_checkers();
    for (const auto& name : only_)
      if (std::none_of(known.begin(), known.end(),
                       [&](const auto& c) { return c->name() == name; }))
        throw config_error("<command line>", "--checkers",
                           "unknown checker '" + name + "' (simulate, explore, fuzz, bmc, prove)");
    auto configs = gated_configs(configs_, dir_);
    if (!shard_.empty())
      configs = shard_slice(configs, parse_shard(shard_, "--shard"));
    else if (const auto s = shard_from_env())
      configs = shard_slice(configs, *s);
    GateOptions o;
    o.only = only_;
    o.budget = budget_;
    if (time_limit_s_ > 0)
      o.budget.deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<std::int64_t>(time_limit_s_ * 1000));
    // With one job the solver's heartbeat shows a long query is alive; parallel jobs would
    // interleave it, and their progress lines say as much.
    o.budget.heartbeat = jobs_ == 1 ? &std::cerr : nullptr;
    o.out_dir = out_;
    o.progress = &std::cerr;
    o.jobs = jobs_;
    return run_gate(configs, &all_checkers, o);
  }

  std::vector<std::string> configs_, only_, merge_;
  std::string dir_ = "configs", out_, junit_, sarif_, json_, shard_, source_root_, baseline_;
  double tolerance_ = 0.05;
  bool fail_on_regression_ = false;
  CheckBudget budget_;
  double time_limit_s_ = 0.0;
  int jobs_ = 1;
};

}  // namespace

std::unique_ptr<Command> make_gate_command() { return std::make_unique<GateCommand>(); }

}  // namespace kvcheck::cli
