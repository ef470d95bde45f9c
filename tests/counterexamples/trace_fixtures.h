#pragma once
/// \file trace_fixtures.h
/// Small recorded runs of every policy, shared by the ITF and replay tests.
#include <string>
#include <vector>

#include "counterexamples/recorder.h"
#include "models/choice_source.h"

namespace kvcheck::testing {

/// A model of `kind` with a pool tight enough that some policies preempt or evict, two
/// classes (budgets, thresholds) and a random flow budget range so Algorithm 2 records picks.
inline ModelParams small_model(PolicyKind kind) {
  ModelParams p;
  p.policy.kind = kind;
  p.engine.num_blocks = 24;
  p.engine.block_size = 2;
  p.engine.max_batched_tokens = 32;
  p.engine.chunked_prefill = true;
  p.engine.requeue = Requeue::Back;  // non-defaults everywhere, so the round trip sees them
  p.engine.lookahead = 1;            // Dong & Cao's accounting (default 0)
  p.engine.max_num_seqs = 6;
  p.policy.watermark_blocks = 1;
  p.policy.admit_after_preempt = true;
  p.policy.max_batch_seqs = 5;
  p.policy.flow_budget_min = 1;  // B_t in [1, 3]: binding, so the picks matter
  p.policy.flow_budget_max = 3;
  p.classes = {{"short", 3, 4, 1.0, 3, 2}, {"long", 5, 9, 0.5, 2, 1}};
  return p;
}

/// 12 requests of both classes arriving over the first 6 steps.
inline Workload small_workload() {
  Workload w;
  for (std::int64_t i = 0; i < 12; ++i) {
    Request r;
    r.klass = i % 2;
    r.arrival_step = i / 2;
    r.arrival_time = static_cast<double>(r.arrival_step) + 0.125;
    r.prompt = r.klass == 0 ? 3 : 5;
    r.output = r.klass == 0 ? 4 : 9;
    w.requests.push_back(r);
  }
  return w;
}

/// A recorded run of `kind` over the small workload, checking every property.
inline Trace recorded_run(PolicyKind kind, std::uint64_t seed = 7, std::int64_t max_steps = 200) {
  SeededChoices choices(seed);
  SimOptions opts;
  for (const auto& pi : kProperties) opts.properties.push_back(pi.id);
  opts.max_steps = max_steps;
  opts.max_idle_steps = 50;
  TraceMeta meta;
  meta.kvcheck_version = "test";
  meta.source = "simulate";
  meta.config_name = "fixture_" + std::string(to_string(kind));
  meta.config_hash = "0123456789abcdef";
  meta.seed = seed;
  meta.note = "quotes \" and \\ backslashes survive";
  TimeModel time;
  time.kind = TimeModelKind::P2Linear;
  time.d0 = 0.52;
  time.d1 = 0.1 / 3.0;  // not exactly representable in decimal: must round-trip bit-exactly
  time.c = 0.25;        // unused by p2_linear, still part of the model
  time.b0 = 3;
  time.la = 1e-7;
  time.unit = 0.75;  // every field away from its default, so the round trip sees each
  time.a = 0.375;
  time.lb = 2e-6;
  time.lc = 3e-6;
  time.ld = 5e-9;
  return record_run(small_model(kind), time, small_workload(), choices, opts, meta);
}

}  // namespace kvcheck::testing
