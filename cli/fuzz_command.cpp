// `kvcheck fuzz CONFIG --runs N --seed S [--max-size M] [--out DIR]`: RapidCheck workloads
// (checkers/fuzz). Exit codes and their precedence: checkers/fuzz/fuzzer.h, docs/fuzz.md.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

#include "checkers/fuzz/fuzzer.h"
#include "checkers/fuzz/report.h"
#include "cli/command.h"
#include "io/config.h"
#include "io/input_error.h"

namespace kvcheck::cli {
namespace {

class FuzzCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML); its [fuzz] section bounds the workloads")
        ->required();
    sub.add_option("--runs", runs_, "Cases to generate (RapidCheck max_success; default: [fuzz] runs, else 100)")
        ->check(CLI::Range(1, 100'000'000));
    sub.add_option("--seed", seed_, "RapidCheck seed: the same seed gives the same cases and report");
    sub.add_option("--max-size", max_size_, "RapidCheck max_size (scales the number of groups)")
        ->check(CLI::Range(1, 100'000));
    sub.add_option("--out", out_, "Directory for counterexample.itf.json and summary.json");
    sub.add_option("--corpus", corpus_,
                   "Regression corpus replayed first (default: counterexamples/corpus next to "
                   "the config's folder, if present)");
    sub.add_flag("--save-corpus", save_, "Keep a new shrunk failure in the corpus");
    sub.add_flag("--no-shrink", no_shrink_, "Report the first failing case unshrunk");
    sub.add_flag("--no-stability", no_stability_, "Skip the long-horizon stability experiment");
    sub.add_option("--reproduce", reproduce_,
                   "A RC_PARAMS string with reproduce=... (also read from $RC_PARAMS)");
  }

  int run() override {
    const auto cfg = load_config(config_);
    fuzz::FuzzOptions o;
    o.search.seed = seed_;
    o.search.runs = runs_;
    o.search.max_size = max_size_;
    o.search.shrink = !no_shrink_;
    o.search.reproduce = reproduce_;
    if (o.search.reproduce.empty())
      if (const char* env = std::getenv("RC_PARAMS"); env && std::string(env).find("reproduce=") != std::string::npos)
        o.search.reproduce = env;
    o.corpus_dir = corpus_.empty() ? default_corpus(cfg.path) : std::filesystem::path(corpus_);
    o.out_dir = out_;
    o.save_to_corpus = save_;
    o.stability = !no_stability_;
    const auto report = fuzz::run_fuzz(cfg, o);
    fmt::print("{}", fuzz::format_report(report));
    if (!out_.empty()) write_summary(report);
    return to_int(report.exit);
  }

 private:
  static std::filesystem::path default_corpus(const std::filesystem::path& config) {
    const auto dir = config.parent_path() / ".." / "counterexamples" / "corpus";
    return std::filesystem::is_directory(dir) ? dir : std::filesystem::path();
  }
  void write_summary(const fuzz::FuzzReport& r) const {
    std::filesystem::create_directories(out_);
    const auto path = std::filesystem::path(out_) / "summary.json";
    std::ofstream f(path);
    if (!f) throw config_error(path.string(), "--out", "cannot write summary.json");
    f << fuzz::summary_json(r) << '\n';
  }

  std::string config_, out_, corpus_, reproduce_;
  std::uint64_t seed_ = 0;
  int runs_ = 0, max_size_ = 100;
  bool save_ = false, no_shrink_ = false, no_stability_ = false;
};

}  // namespace

std::unique_ptr<Command> make_fuzz_command() { return std::make_unique<FuzzCommand>(); }

}  // namespace kvcheck::cli
