#pragma once
// Shared helpers of the gpu_replay tests: a small decoder shape and a driver that runs one
// sequence through a backend in chunks over a given block table.
#include <cstdint>
#include <vector>

#include "gpu_replay/backend.h"
#include "gpu_replay/batch_meta.h"
#include "gpu_replay/model_config.h"
#include "io/workload.h"
#include "models/params.h"

namespace kvcheck::engine::test {

/// A decoder small enough for seconds-long tests, with GQA (4 query / 2 KV heads).
inline ModelConfig small_model(RopeStyle rope = RopeStyle::Interleaved, bool tied = true) {
  ModelConfig c;
  c.dim = 32; c.hidden_dim = 64; c.n_layers = 2; c.n_heads = 4; c.n_kv_heads = 2;
  c.head_dim = 8; c.vocab = 64; c.max_seq_len = 128; c.rope = rope; c.tied = tied;
  return c;
}

inline std::vector<std::int32_t> tokens(std::size_t n, std::int32_t vocab, std::int32_t salt = 0) {
  std::vector<std::int32_t> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<std::int32_t>((i * 7 + 3 + static_cast<std::size_t>(salt) * 13) % static_cast<std::size_t>(vocab));
  return t;
}

/// Feeds `toks` to the backend in chunks of `chunk` tokens as one sequence over `table`,
/// returning the logits of the last token of every chunk (chunk = 1: every position's).
inline std::vector<std::vector<float>> run_chunks(Backend& b, const std::vector<std::int32_t>& toks,
                                                  const std::vector<std::int32_t>& table,
                                                  std::int32_t block_size, std::size_t chunk) {
  std::vector<std::vector<float>> out;
  for (std::size_t start = 0; start < toks.size(); start += chunk) {
    const auto n = std::min(chunk, toks.size() - start);
    BatchBuilder bb(block_size);
    std::vector<std::int32_t> part(toks.begin() + static_cast<std::ptrdiff_t>(start),
                                   toks.begin() + static_cast<std::ptrdiff_t>(start + n));
    bb.add(part, static_cast<std::int32_t>(start), table, true);
    auto r = b.forward(bb.finish(), true);
    out.push_back(std::move(r.logits));
  }
  return out;
}

/// n requests of one shape, two arriving per step.
inline Workload burst(int n, std::int64_t prompt, std::int64_t output) {
  Workload w;
  for (int i = 0; i < n; ++i) w.requests.push_back({i / 2, 0.0, prompt, output, 0});
  return w;
}

/// Dong & Cao Algorithm 1 with budgets that break inequality (2): the pool overflows.
inline ModelParams unsafe_p1() {
  ModelParams p;
  p.engine.block_size = 4;
  p.engine.num_blocks = 8;
  p.engine.lookahead = 1;
  p.policy.kind = PolicyKind::P1ClassBudgets;
  p.classes.push_back({"a", 6, 8, 1.0, 3, 0});
  return p;
}

}  // namespace kvcheck::engine::test
