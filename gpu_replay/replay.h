#pragma once
/// \file replay.h
/// Runs a recorded Trace, or a live run of the shared model, on the decode engine and compares
/// model and engine step by step: rejections, preemptions, the batch, the overflow step (the
/// model's StepState::overflow must be the engine's allocation failure), evictions, blocks in
/// use, completions, per-request blocks and progress, and recompute determinism.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "counterexamples/replay.h"
#include "counterexamples/trace.h"
#include "gpu_replay/backend.h"
#include "gpu_replay/model_config.h"
#include "models/choice_source.h"
#include "properties/exit_codes.h"

namespace kvcheck::engine {

struct ReplayOptions {
  ModelConfig model;                 ///< decoder shape (default: the "tiny" preset)
  std::filesystem::path checkpoint;  ///< llama2.c file to load instead of seeded weights
  std::uint64_t weight_seed = 1;
  DType dtype = DType::F32;
  bool poison_freed = true;
  std::int64_t max_steps = 100'000;  ///< live runs only
};

/// The first place where model and engine disagree.
struct Divergence {
  std::int64_t step = 0;
  std::int64_t index = 0;  ///< position of the step in the replayed sequence (Trace::states)
  std::string field;     ///< e.g. "overflow", "batch", "used_blocks", "blocks[3]"
  std::string expected;  ///< the model's value
  std::string actual;    ///< the engine's value
};

/// One line of the per-step log.
struct StepLog {
  std::int64_t step = 0;
  double seconds = 0.0;  ///< backend forward time
  std::int64_t tokens = 0, used_blocks = 0, demand_blocks = 0, model_used_blocks = 0;
  bool oom = false, model_overflow = false;
  std::string events;  ///< e.g. "oom evict:3 preempt:2 done:1"
};

struct ReplayReport {
  std::string backend;
  std::int64_t num_blocks = 0;
  std::vector<StepLog> log;
  std::optional<Divergence> divergence;
  std::optional<std::int64_t> predicted_overflow;  ///< first step the model overflows
  std::optional<std::int64_t> engine_oom;          ///< first step the engine's pool refused
  bool leak_free = true;  ///< every block free at the end (only checked when all finished)

  /// True when the engine reproduced the model (and its overflow, if one was predicted).
  bool reproduced() const {
    return !divergence && predicted_overflow == engine_oom;
  }
  ExitCode exit_code() const { return reproduced() ? ExitCode::Ok : ExitCode::ReplayDiverged; }
  /// One line: "reproduced ..." or "diverged at step S, field F: model X, engine Y".
  std::string summary() const;
};

/// Replays a recorded trace on the engine (workload, prompt lengths and output lengths from the
/// trace; the engine executes each recorded step).
ReplayReport replay_on_engine(const Trace& trace, BackendKind backend, const ReplayOptions& opts);

/// Runs the shared model live (ConcreteView + models/engine_step.h through the simulator) and
/// executes every step on the engine as it is decided.
ReplayReport run_live(const ModelParams& params, const TimeModel& time, const Workload& workload,
                      ChoiceSource& choices, BackendKind backend, const ReplayOptions& opts);

/// The same replay as `replay_on_engine`, as the `kvcheck replay --backend cpu|cuda` table
/// wants it (counterexamples/replay.h's ReplayResult; field paths point into the ITF file).
ReplayResult replay_result_on_engine(const Trace& trace, BackendKind backend);
/// The conversion `replay_result_on_engine` applies to an engine report.
ReplayResult to_replay_result(const ReplayReport& rep);

/// Writes the per-step log as CSV (step, seconds, tokens, blocks, events).
void write_step_log(const ReplayReport& r, const std::filesystem::path& csv);
/// The replay's SVG chart (sim/svg_chart.h: axes, ticks, legend outside the data): KV blocks
/// in use per step (engine and model), the pool, OOM and model-overflow steps, and the
/// iteration times on the right axis.
std::string replay_svg(const ReplayReport& r);
/// Writes replay_svg(r) to `svg`.
void write_svg(const ReplayReport& r, const std::filesystem::path& svg);

}  // namespace kvcheck::engine
