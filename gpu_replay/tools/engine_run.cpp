// kvcheck_engine_run: runs the decode engine against the shared model, either live from config
// files (the ConcreteView + engine step decide, the engine executes) or from recorded ITF
// traces, and writes a per-step CSV log and an SVG plot per input. ci/gpu_check.sh calls it on
// GPU machines. Exit 0 when every input reproduces, 20 otherwise (properties/exit_codes.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "counterexamples/itf.h"
#include "gpu_replay/replay.h"
#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "models/choice_source.h"

namespace {

using namespace kvcheck;

struct RunArgs {
  std::vector<std::string> configs, traces;
  std::string backend = "cpu", preset = "tiny", dtype = "f32", checkpoint, out;
  std::uint64_t seed = 1;
};

engine::ReplayReport run_one(const std::string& in, bool is_trace, engine::BackendKind kind,
                             const engine::ReplayOptions& opts, std::uint64_t seed) {
  if (is_trace) return engine::replay_on_engine(read_itf(in), kind, opts);
  const auto cfg = load_config(in);
  const auto workload = build_workload(cfg);
  SeededChoices choices(seed);
  auto o = opts;
  o.max_steps = cfg.check.max_steps;
  return engine::run_live(cfg.model, cfg.time, workload, choices, kind, o);
}

int run(const RunArgs& a) {
  engine::BackendKind kind{};
  if (!engine::parse_backend_kind(a.backend, kind))
    throw config_error("command line", "--backend", "expected cpu or cuda");
  engine::ReplayOptions opts;
  if (!engine::model_preset(a.preset, opts.model))
    throw config_error("command line", "--model", "unknown preset " + a.preset);
  opts.dtype = a.dtype == "bf16" ? engine::DType::BF16 : engine::DType::F32;
  opts.checkpoint = a.checkpoint;
  if (!a.out.empty()) std::filesystem::create_directories(a.out);
  int rc = 0;
  auto one = [&](const std::string& path, bool is_trace) {
    const auto rep = run_one(path, is_trace, kind, opts, a.seed);
    fmt::print("{}: {}\n", path, rep.summary());
    if (!a.out.empty()) {
      const auto stem = (std::filesystem::path(a.out) / std::filesystem::path(path).filename()).string();
      engine::write_step_log(rep, stem + "." + a.backend + ".csv");
      engine::write_svg(rep, stem + "." + a.backend + ".svg");
    }
    if (rep.exit_code() != ExitCode::Ok) rc = to_int(rep.exit_code());
  };
  for (const auto& c : a.configs) one(c, false);
  for (const auto& t : a.traces) one(t, true);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run the decode engine against the shared scheduling model"};
  RunArgs a;
  app.add_option("--config", a.configs, "Config files to run live");
  app.add_option("--trace", a.traces, "ITF traces to replay");
  app.add_option("--backend", a.backend, "cpu or cuda")->capture_default_str();
  app.add_option("--model", a.preset, "Decoder preset: tiny, stories15m, stories110m, llama1b")
      ->capture_default_str();
  app.add_option("--dtype", a.dtype, "f32 or bf16 (CUDA)")
      ->check(CLI::IsMember({"f32", "bf16"}))->capture_default_str();
  app.add_option("--checkpoint", a.checkpoint, "llama2.c .bin file instead of seeded weights");
  app.add_option("--out", a.out, "Directory for the per-step CSV logs and SVG plots");
  app.add_option("--seed", a.seed, "Seed for the policies' nondeterministic inputs (live runs)");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(a);
  } catch (const InputError& e) {
    fmt::print(stderr, "kvcheck_engine_run: error: {}\n", e.what());
    return to_int(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "kvcheck_engine_run: internal error: {}\n", e.what());
    return to_int(ExitCode::InternalError);
  }
}
