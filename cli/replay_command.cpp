// `kvcheck replay TRACE [--backend sim|cpu|cuda] [--out DIR]`: re-executes an ITF trace and
// checks every recorded state. Exit 0 when it reproduces, 20 when it diverges (the first
// differing field is printed), 150 when the trace does not parse. On the decode engine, --out
// writes the per-step log (CSV) and a plot of blocks in use (SVG).
#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "counterexamples/itf.h"
#include "counterexamples/replay.h"
#include "gpu_replay/replay.h"
#include "properties/exit_codes.h"

namespace kvcheck::cli {
namespace {

/// A replay backend: where the trace is re-executed. `sim` is the concrete simulator; the decode
/// engine adds its own entries here (e.g. `cpu`, `cuda`).
struct ReplayBackend {
  std::string name;
  std::string description;
  std::function<ReplayResult(const Trace&, const std::filesystem::path&)> run;
};

/// Replays on the decode engine; with an output directory, writes its step log and plot.
ReplayResult on_engine(const Trace& t, engine::BackendKind kind, const std::filesystem::path& out) {
  const auto rep = engine::replay_on_engine(t, kind, engine::ReplayOptions{});
  if (!out.empty()) {
    std::filesystem::create_directories(out);
    engine::write_step_log(rep, out / "replay_steps.csv");
    engine::write_svg(rep, out / "replay_blocks.svg");
    fmt::print("{}: step log {}, plot {}; overflow predicted at {}, engine pool exhausted at {}\n",
               rep.backend, (out / "replay_steps.csv").string(), (out / "replay_blocks.svg").string(),
               rep.predicted_overflow ? std::to_string(*rep.predicted_overflow) : "none",
               rep.engine_oom ? std::to_string(*rep.engine_oom) : "none");
  }
  auto r = engine::to_replay_result(rep);
  check_recorded_status(t, r);
  return r;
}

const std::vector<ReplayBackend>& replay_backends() {
  static const std::vector<ReplayBackend> kBackends{
      {"sim", "the concrete simulator (models/ + sim/)",
       [](const Trace& t, const std::filesystem::path&) { return replay(t); }},
      {"cpu", "the decode engine, CPU backend (gpu_replay/)",
       [](const Trace& t, const std::filesystem::path& out) {
         return on_engine(t, engine::BackendKind::Cpu, out);
       }},
      {"cuda", "the decode engine, CUDA backend (gpu_replay/)",
       [](const Trace& t, const std::filesystem::path& out) {
         return on_engine(t, engine::BackendKind::Cuda, out);
       }},
  };
  return kBackends;
}

class ReplayCommand final : public Command {
 public:
  void configure(CLI::App& sub) override {
    sub.add_option("trace", trace_, "ITF trace (*.itf.json)")->required();
    std::vector<std::string> names;
    for (const auto& b : replay_backends()) names.push_back(b.name);
    sub.add_option("--backend", backend_, "Where to re-execute the trace")
        ->check(CLI::IsMember(names))
        ->capture_default_str();
    sub.add_option("--out", out_, "Engine backends: write replay_steps.csv and replay_blocks.svg here");
  }
  int run() override {
    const auto trace = read_itf(trace_);
    for (const auto& b : replay_backends()) {
      if (b.name != backend_) continue;
      const auto r = b.run(trace, out_);
      fmt::print("{}: {} [{}]: {}\n", trace_, r.reproduced ? "REPRODUCED" : "REPLAY_DIVERGED",
                 b.name, r.message());
      if (r.reproduced && !r.unchecked.empty())
        fmt::print("{}: note: {}\n", trace_, r.unchecked);
      else if (r.reproduced && trace.meta.status == "violated")
        fmt::print("{}: {} violated at step {}, as recorded\n", trace_,
                   trace.meta.violated_property, trace.meta.violation_step);
      return to_int(r.reproduced ? ExitCode::Ok : ExitCode::ReplayDiverged);
    }
    return to_int(ExitCode::InternalError);  // unreachable: CLI11 checked the name
  }

 private:
  std::string trace_, backend_ = "sim", out_;
};

}  // namespace

std::unique_ptr<Command> make_replay_command() { return std::make_unique<ReplayCommand>(); }

}  // namespace kvcheck::cli
