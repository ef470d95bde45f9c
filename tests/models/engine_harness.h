#pragma once
/// \file engine_harness.h
/// The hand tests' engine (tests/models/vllm_*_test.cpp, the network's sarathi_priority): one
/// ConcreteView over a fixed workload stepped by engine_step, and the step's record read back.
#include <cstdint>
#include <utility>
#include <vector>

#include "models/choice_source.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"

namespace kvcheck::test {

inline Request req(std::int64_t arrival, std::int64_t prompt, std::int64_t output,
                   std::int64_t klass = 0) {
  Request r;
  r.arrival_step = arrival;
  r.prompt = prompt;
  r.output = output;
  r.klass = klass;
  return r;
}

struct EngineHarness {
  ModelParams p;
  Workload w;
  TimeModel t;
  SeededChoices ch{1};
  ConcreteView v{p, w, t, ch};
  EngineHarness(ModelParams params, std::vector<Request> rs)
      : p(std::move(params)), w{std::move(rs), ArrivalClock::Steps}, v(p, w, t, ch) {}
  void step() { engine_step(v); }
  /// Tokens request `id` processes in the last step (0 when it is not in the batch).
  std::int64_t batch_tokens(std::int32_t id) const {
    for (const auto& [r, n] : v.last_step().batch)
      if (r == id) return n;
    return 0;
  }
  const StepRecord& last() const { return v.last_step(); }
  const std::vector<std::int32_t>& preempted() const { return v.last_step().preempted; }
  const std::vector<std::int32_t>& admitted() const { return v.last_step().admitted; }
};

}  // namespace kvcheck::test
