#include "gpu_replay/replay.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "counterexamples/recorder.h"
#include "gpu_replay/checkpoint.h"
#include "gpu_replay/engine.h"
#include "io/input_error.h"
#include "sim/simulator.h"

namespace kvcheck::engine {
namespace {

template <class T>
std::string show(std::vector<T> v, bool sort = true) {
  if (sort) std::sort(v.begin(), v.end());
  return fmt::format("[{}]", fmt::join(v, ","));
}

std::string show_batch(const std::vector<std::pair<std::int32_t, std::int64_t>>& b) {
  std::string out = "[";
  for (const auto& [id, n] : b) out += fmt::format("{}{}:{}", out.size() > 1 ? "," : "", id, n);
  return out + "]";
}

/// The first field where the engine's iteration differs from the model's.
std::optional<Divergence> compare(const StepState& m, const EngineStepResult& e, const Engine& eng,
                                  std::int64_t index) {
  auto diff = [&](std::string f, std::string a, std::string b) -> std::optional<Divergence> {
    if (a == b) return std::nullopt;
    return Divergence{m.step, index, std::move(f), std::move(a), std::move(b)};
  };
  std::optional<Divergence> d;
  if ((d = diff("rejected", show(m.rejected), show(e.rejected)))) return d;
  if ((d = diff("preempted", show(m.preempted), show(e.preempted)))) return d;
  if ((d = diff("swapped_out", show(m.swapped_out, false), show(e.swapped_out, false)))) return d;
  if ((d = diff("swapped_in", show(m.swapped_in, false), show(e.swapped_in, false)))) return d;
  if ((d = diff("swap_abort", m.swap_abort ? "true" : "false", e.swap_abort ? "true" : "false"))) return d;
  if ((d = diff("cpu_used_blocks", std::to_string(m.cpu_used_blocks), std::to_string(e.cpu_used_blocks)))) return d;
  if ((d = diff("overflow", m.overflow ? "true" : "false", e.oom ? "true" : "false"))) return d;
  if ((d = diff("evicted", show(m.evicted), show(e.evicted)))) return d;
  if (m.evicted.empty() && (d = diff("demand_blocks", std::to_string(m.demand_blocks), std::to_string(e.demand_blocks)))) return d;
  if ((d = diff("batch", show_batch(m.batch), show_batch(e.batch)))) return d;
  if ((d = diff("used_blocks", std::to_string(m.used_blocks), std::to_string(e.used_blocks)))) return d;
  if ((d = diff("completed", show(m.completed), show(e.completed)))) return d;
  if ((d = diff("recompute_tokens", "[]", show(e.recompute_mismatch)))) return d;
  for (const auto& r : m.requests) {
    const auto& s = eng.sequence(r.id);
    const auto blocks = s.status == SeqStatus::Done      ? 0
                        : s.status == SeqStatus::Swapped ? s.host_blocks
                                                         : static_cast<std::int64_t>(s.blocks.size());
    if ((d = diff(fmt::format("blocks[{}]", r.id), std::to_string(r.blocks), std::to_string(blocks)))) return d;
    if ((d = diff(fmt::format("computed[{}]", r.id), std::to_string(r.computed), std::to_string(s.computed)))) return d;
    if ((d = diff(fmt::format("generated[{}]", r.id), std::to_string(r.generated), std::to_string(s.generated.size())))) return d;
  }
  return std::nullopt;
}

std::string event_text(const std::vector<EngineEvent>& ev, std::size_t from) {
  static constexpr const char* kNames[] = {"reject", "preempt", "oom", "evict", "done", "swap_out", "swap_in"};
  std::string out;
  for (std::size_t i = from; i < ev.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}:{}", kNames[static_cast<int>(ev[i].kind)], ev[i].request);
  }
  return out;
}

/// Weights, backend and engine for one replay, fed one model step at a time.
class Session {
 public:
  Session(const EngineParams& e, const Workload& w, BackendKind kind, const ReplayOptions& o)
      : weights_(load(o)),
        backend_(make_backend(kind, weights_, {static_cast<std::int32_t>(e.num_blocks), static_cast<std::int32_t>(e.block_size)}, o.dtype)),
        engine_(e, w, *backend_, weights_.config.vocab, EngineOptions{o.poison_freed, 7}) {
    report_.backend = std::string(to_string(kind));
    report_.num_blocks = e.num_blocks;
  }
  /// Executes and compares one step; false once the run has diverged.
  bool feed(const StepState& m) {
    if (report_.divergence) return false;
    if (m.overflow && !report_.predicted_overflow) report_.predicted_overflow = m.step;
    const auto mark = engine_.events().size();
    EngineStepResult e;
    try {
      e = engine_.execute(m);
    } catch (const PlanError& err) {
      report_.divergence = Divergence{m.step, index_, "plan", "executable", err.what()};
      return false;
    }
    if (e.oom && !report_.engine_oom) report_.engine_oom = m.step;
    report_.log.push_back({m.step, e.seconds, e.tokens, e.used_blocks, e.demand_blocks,
                           m.used_blocks, e.oom, m.overflow, event_text(engine_.events(), mark)});
    report_.divergence = compare(m, e, engine_, index_++);
    return !report_.divergence;
  }
  ReplayReport finish(bool all_finished) {
    if (all_finished) report_.leak_free = engine_.pool().leak_free();
    if (all_finished && !report_.leak_free && !report_.divergence)
      report_.divergence = Divergence{report_.log.empty() ? 0 : report_.log.back().step, index_ - 1, "leak",
                                      "0 blocks in use", std::to_string(engine_.pool().num_used())};
    return std::move(report_);
  }

 private:
  static Weights load(const ReplayOptions& o) {
    if (!o.checkpoint.empty()) return read_llama2c(o.checkpoint);
    validate(o.model, "replay model");
    return seeded_weights(o.model, o.weight_seed);
  }
  Weights weights_;
  std::unique_ptr<Backend> backend_;
  Engine engine_;
  ReplayReport report_;
  std::int64_t index_ = 0;
};

class LiveObserver final : public StepObserver {
 public:
  explicit LiveObserver(Session& s) : s_(s) {}
  void on_step(const ConcreteView& v) override { s_.feed(snapshot(v)); }

 private:
  Session& s_;
};

}  // namespace

std::string ReplayReport::summary() const {
  if (divergence)
    return fmt::format("diverged at step {}, field {}: model {}, engine {}", divergence->step,
                       divergence->field, divergence->expected, divergence->actual);
  if (predicted_overflow != engine_oom)
    return fmt::format("diverged: model overflow at step {}, engine OOM at step {}",
                       predicted_overflow ? std::to_string(*predicted_overflow) : "none",
                       engine_oom ? std::to_string(*engine_oom) : "none");
  if (predicted_overflow)
    return fmt::format("reproduced on {}: overflow confirmed at step {} ({} steps)", backend,
                       *predicted_overflow, log.size());
  return fmt::format("reproduced on {}: {} steps, no overflow", backend, log.size());
}

ReplayReport replay_on_engine(const Trace& trace, BackendKind backend, const ReplayOptions& opts) {
  Session s(trace.params.engine, trace.workload, backend, opts);
  for (const auto& st : trace.states)
    if (!s.feed(st)) break;
  // The pool must be empty once the trace's last state has nothing resident.
  const bool idle = !trace.states.empty() && trace.states.back().waiting.empty() &&
                    trace.states.back().running.empty() && trace.states.back().swapped.empty();
  return s.finish(idle);
}

ReplayReport run_live(const ModelParams& params, const TimeModel& time, const Workload& workload,
                      ChoiceSource& choices, BackendKind backend, const ReplayOptions& opts) {
  Session s(params.engine, workload, backend, opts);
  LiveObserver obs(s);
  StepObserver* observers[] = {&obs};
  SimOptions so;
  so.max_steps = opts.max_steps;
  const auto out = simulate(params, time, workload, choices, so, observers);
  return s.finish(out.finished);
}

ReplayResult replay_result_on_engine(const Trace& trace, BackendKind backend) {
  return to_replay_result(replay_on_engine(trace, backend, ReplayOptions{}));
}

ReplayResult to_replay_result(const ReplayReport& rep) {
  ReplayResult r;
  r.reproduced = rep.reproduced();
  r.states_checked = static_cast<std::int64_t>(rep.log.size()) - (rep.divergence ? 1 : 0);
  if (rep.divergence) {
    r.state = rep.divergence->index;
    r.field = fmt::format("states[{}].{} (engine {})", rep.divergence->index + 1,
                          rep.divergence->field, rep.backend);
    r.expected = rep.divergence->expected;
    r.actual = rep.divergence->actual;
  } else if (!r.reproduced) {
    r.field = "overflow step (engine " + rep.backend + ")";
    r.expected = rep.predicted_overflow ? std::to_string(*rep.predicted_overflow) : "none";
    r.actual = rep.engine_oom ? std::to_string(*rep.engine_oom) : "none";
  }
  return r;
}

void write_step_log(const ReplayReport& r, const std::filesystem::path& csv) {
  std::ofstream f(csv);
  if (!f) throw config_error(csv.string(), "", "cannot write the step log");
  f << "step,seconds,tokens,used_blocks,model_used_blocks,demand_blocks,oom,model_overflow,events\n";
  for (const auto& l : r.log)
    f << fmt::format("{},{:.9f},{},{},{},{},{},{},{}\n", l.step, l.seconds, l.tokens, l.used_blocks,
                     l.model_used_blocks, l.demand_blocks, l.oom ? 1 : 0, l.model_overflow ? 1 : 0,
                     l.events);
}

}  // namespace kvcheck::engine
