#include <fmt/format.h>

#include <filesystem>

#include "checkers/explicit/explorer.h"
#include "cli/command.h"
#include "counterexamples/itf.h"
#include "io/config.h"
#include "io/input_error.h"
#include "properties/verdict.h"

namespace kvcheck::cli {
namespace {

using explicit_state::ExploreReport;
using explicit_state::Finding;

void print_report(const Config& cfg, const explicit_state::ExploreOptions& o,
                  const ExploreReport& r) {
  fmt::print("{}", envelope_report_lines(o.envelope, explicit_state::explore_coverage(o), "explore"));
  const double rate = r.seconds > 0.0 ? static_cast<double>(r.states) / r.seconds : 0.0;
  std::string how;
  if (r.graph)
    how = fmt::format(", {} SCCs ({} non-trivial)", r.sccs, r.nontrivial_sccs);
  else
    how = fmt::format(", {:.1f} MiB stored ({:.0f} bytes/state{})",
                      static_cast<double>(r.memory_bytes) / (1 << 20),
                      r.states > 0 ? static_cast<double>(r.memory_bytes) / static_cast<double>(r.states) : 0.0,
                      r.hash_compaction ? ", hash compaction" : "");
  const char* end = r.complete ? ""
                    : r.safety ? ", stopped at the first layer with a violation"
                               : ", state limit reached";
  fmt::print("{}: {} states, {} transitions in {:.3f} s ({:.0f} states/s){}{}\n", cfg.name,
             r.states, r.transitions, r.seconds, rate, how, end);
  if (r.max_cycle_ratio)
    fmt::print("  max cycle ratio (arrivals - completions per iteration): {:+.4f}\n",
               *r.max_cycle_ratio);
  for (const auto* f : {&r.safety, &r.starvation, &r.instability})
    if (*f)
      fmt::print("  {}: {} ({} steps{})\n", (*f)->witness.property, (*f)->witness.detail,
                 (*f)->witness.edges.size(),
                 (*f)->witness.loop ? fmt::format(", loop from state {}", *(*f)->witness.loop)
                                    : std::string());
  fmt::print("{}: {}{}\n", cfg.name, to_string(r.verdict),
             r.verdict.reason.empty() ? "" : " - " + r.verdict.reason);
}

class ExploreCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("config", config_, "Config file (TOML) with an optional [explore] section")
        ->required();
    sub.add_option("--max-states", max_states_, "State limit (overrides explore.max_states)");
    sub.add_option("--out", out_, "Directory for the counterexample ITF traces");
    sub.add_option("--storage", storage_,
                   "exact | hash_compaction (overrides explore.storage; hash compaction is "
                   "incomplete: no PROVED)");
  }
  int run() override {
    const auto cfg = load_config(config_);
    auto opts = explicit_state::read_explore_options(cfg);
    if (max_states_ < 0)
      throw config_error("<command line>", "--max-states", "must be positive");
    if (max_states_ > 0) opts.max_states = max_states_;
    if (storage_ == "hash_compaction") opts.storage = explicit_state::StateStorage::HashCompaction;
    else if (storage_ == "exact") opts.storage = explicit_state::StateStorage::Exact;
    else if (!storage_.empty())
      throw config_error("<command line>", "--storage",
                         "expected \"exact\" or \"hash_compaction\", got \"" + storage_ + "\"");
    const auto report = explicit_state::explore(cfg, opts);
    print_report(cfg, opts, report);
    if (!out_.empty()) write_traces(cfg, report);
    return to_int(to_exit_code(report.verdict));
  }

 private:
  void write_traces(const Config& cfg, const ExploreReport& r) const {
    std::filesystem::create_directories(out_);
    for (const auto* f : {&r.safety, &r.starvation, &r.instability}) {
      if (!*f) continue;
      Trace t = (*f)->trace;
      t.meta.kvcheck_version = KVCHECK_VERSION;
      const auto path = std::filesystem::path(out_) /
                        (cfg.name + "." + (*f)->witness.property + ".explore.itf.json");
      write_itf(t, path);
      fmt::print("  wrote {}\n", path.string());
    }
  }

  std::string config_, out_, storage_;
  std::int64_t max_states_ = 0;
};

}  // namespace

std::unique_ptr<Command> make_explore_command() { return std::make_unique<ExploreCommand>(); }

}  // namespace kvcheck::cli
