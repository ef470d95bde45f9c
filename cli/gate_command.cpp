#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "gate/gate.h"
#include "io/config.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

/// Configs named on the command line, else every gated config (with [meta] expect) in `dir`.
std::vector<std::filesystem::path> gated_configs(const std::vector<std::string>& named,
                                                 const std::string& dir) {
  std::vector<std::filesystem::path> out(named.begin(), named.end());
  if (!out.empty()) return out;
  if (!std::filesystem::is_directory(dir)) throw config_error(dir, "--dir", "not a directory");
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".toml" && !load_config(entry.path()).expect.empty())
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

void write_file(const std::string& path, void (*writer)(const GateReport&, std::ostream&),
                const GateReport& r) {
  if (path.empty()) return;
  std::ofstream os(path);
  if (!os) throw config_error(path, "", "cannot write file");
  writer(r, os);
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
    auto checkers = all_checkers();
    for (const auto& name : only_)
      if (std::none_of(checkers.begin(), checkers.end(),
                       [&](const auto& c) { return c->name() == name; }))
        throw config_error("<command line>", "--checkers",
                           "unknown checker '" + name + "' (simulate, explore, fuzz, bmc, prove)");
    if (time_limit_s_ > 0)
      budget_.deadline = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(static_cast<std::int64_t>(time_limit_s_ * 1000));
    budget_.heartbeat = &std::cerr;
    const auto report =
        run_gate(gated_configs(configs_, dir_), checkers, only_, budget_, out_, &std::cerr);
    write_markdown(report, std::cout);
    if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) {
      std::ofstream os(summary, std::ios::app);
      write_markdown(report, os);
    }
    write_file(junit_, &write_junit, report);
    write_file(sarif_, &write_sarif, report);
    const auto code = report.exit_code();
    fmt::print("gate: {}\n", code == ExitCode::Ok ? "PASS" : "FAIL");
    return to_int(code);
  }

 private:
  std::vector<std::string> configs_, only_;
  std::string dir_ = "configs", out_, junit_, sarif_;
  CheckBudget budget_;
  double time_limit_s_ = 0.0;
};

}  // namespace

std::unique_ptr<Command> make_gate_command() { return std::make_unique<GateCommand>(); }

}  // namespace kvcheck::cli
