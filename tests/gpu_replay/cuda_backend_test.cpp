// GPU tests (LABEL gpu): the CUDA backend against the CPU backend (fp32 within 1e-4 relative;
// bf16 within an llm.c-style allowance), paged addressing on ragged batches, NaN-poisoned
// freed blocks, recompute determinism and engine replay of an overflowing run. Skipped when
// no CUDA device is visible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "gpu_replay/cpu_backend.h"
#include "gpu_replay/replay.h"
#include "io/config.h"
#include "io/workload.h"
#include "test_support.h"

namespace kvcheck::engine {
namespace {

class Cuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }
};

/// max over i of |g - c| / (thr + |c| * eps); <= 1 passes.
double worst_ratio(const std::vector<float>& g, const std::vector<float>& c, double thr, double eps) {
  EXPECT_EQ(g.size(), c.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(g.size(), c.size()); ++i) {
    const double d = std::abs(static_cast<double>(g[i]) - c[i]);
    worst = std::max(worst, std::isfinite(d) ? d / (thr + std::abs(c[i]) * eps) : 1e30);
  }
  return worst;
}

/// A ragged batch sequence: two prompts prefilled in chunks, then joint decode steps.
std::vector<std::vector<float>> run_script(Backend& b, std::int32_t bs) {
  const auto a = test::tokens(13, 64, 1), c = test::tokens(9, 64, 2);
  const std::vector<std::int32_t> ta{5, 1, 7, 3, 9}, tc{0, 8, 2, 6};
  std::vector<std::vector<float>> out;
  BatchBuilder p1(bs);
  p1.add(std::vector<std::int32_t>(a.begin(), a.begin() + 8), 0, ta, false);
  p1.add(c, 0, tc, true);
  out.push_back(b.forward(p1.finish(), true).logits);
  BatchBuilder p2(bs);
  p2.add(std::vector<std::int32_t>(a.begin() + 8, a.end()), 8, ta, true);
  p2.add(std::vector<std::int32_t>{3}, 9, tc, true);
  out.push_back(b.forward(p2.finish(), true).logits);
  for (std::int32_t step = 0; step < 4; ++step) {
    BatchBuilder d(bs);
    d.add(std::vector<std::int32_t>{step + 1}, 13 + step, ta, true);
    d.add(std::vector<std::int32_t>{step + 2}, 10 + step, tc, true);
    out.push_back(b.forward(d.finish(), true).logits);
  }
  return out;
}

TEST_F(Cuda, Fp32MatchesCpuOnRaggedPagedBatches) {
  for (const auto rope : {RopeStyle::Interleaved, RopeStyle::RotateHalf}) {
    const auto w = seeded_weights(test::small_model(rope), 21);
    auto cpu = make_cpu_backend(w, {10, 4});
    auto gpu = make_backend(BackendKind::Cuda, w, {10, 4}, DType::F32);
    const auto c = run_script(*cpu, 4), g = run_script(*gpu, 4);
    ASSERT_EQ(c.size(), g.size());
    for (std::size_t i = 0; i < c.size(); ++i) EXPECT_LE(worst_ratio(g[i], c[i], 1e-4, 1e-4), 1.0) << "step " << i;
  }
}

TEST_F(Cuda, Bf16WithinAllowanceOfRoundedCpu) {
  auto w = seeded_weights(test::small_model(), 21);
  auto gpu = make_backend(BackendKind::Cuda, w, {10, 4}, DType::BF16);
  round_matrices_to_bf16(w);  // the CPU sees the same bf16-rounded weights
  auto cpu = make_cpu_backend(w, {10, 4});
  const auto c = run_script(*cpu, 4), g = run_script(*gpu, 4);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double r = worst_ratio(g[i], c[i], 0.05, 0.079);
    EXPECT_LE(r, 1.0) << "step " << i;
    RecordProperty("bf16_worst_ratio_step" + std::to_string(i), std::to_string(r));
  }
}

TEST_F(Cuda, PoisonedBlocksExposeStaleReads) {
  const auto w = seeded_weights(test::small_model(), 9);
  auto gpu = make_backend(BackendKind::Cuda, w, {4, 4}, DType::F32);
  const auto t = test::tokens(8, 64);
  test::run_chunks(*gpu, t, {0, 1}, 4, 8);
  gpu->poison_blocks(std::vector<std::int32_t>{1, 0});
  std::vector<float> k, v;
  gpu->read_block(0, 0, k, v);
  EXPECT_TRUE(std::all_of(k.begin(), k.end(), [](float x) { return std::isnan(x); }));
  BatchBuilder b(4);
  b.add(std::vector<std::int32_t>{t[6]}, 6, std::vector<std::int32_t>{1, 0}, true);
  const auto l = gpu->forward(b.finish(), true).logits;
  EXPECT_TRUE(std::any_of(l.begin(), l.end(), [](float x) { return !std::isfinite(x); }));
}

TEST_F(Cuda, RecomputeAfterPreemptionReproducesLogits) {
  const auto w = seeded_weights(test::small_model(), 4);
  const auto toks = test::tokens(11, 64);
  auto a = make_backend(BackendKind::Cuda, w, {8, 4}, DType::F32);
  const auto straight = test::run_chunks(*a, toks, {0, 1, 2}, 4, 1);
  auto b = make_backend(BackendKind::Cuda, w, {8, 4}, DType::F32);
  test::run_chunks(*b, std::vector<std::int32_t>(toks.begin(), toks.begin() + 6), {5, 6}, 4, 1);
  b->poison_blocks(std::vector<std::int32_t>{6, 5});
  const auto again = test::run_chunks(*b, toks, {6, 3, 7}, 4, 1);
  for (std::size_t i = 0; i < straight.size(); ++i) EXPECT_LE(worst_ratio(again[i], straight[i], 1e-5, 1e-5), 1.0);
}

// vLLM V0's swap in copies a block back from the host: what read_block returns after
// write_block is, float for float, what was written (a copy, so exact), in both K and V, and the
// neighbouring block is untouched.
TEST_F(Cuda, WriteBlockIsTheInverseOfReadBlock) {
  const auto w = seeded_weights(test::small_model(), 5);
  auto b = make_backend(BackendKind::Cuda, w, {8, 4}, DType::F32);
  ASSERT_EQ(b->swap_layers(), w.config.n_layers);
  std::vector<float> k0, v0;
  b->read_block(0, 2, k0, v0);
  std::vector<float> k(k0.size()), v(v0.size());
  for (std::size_t i = 0; i < k.size(); ++i) {
    k[i] = 0.25f * static_cast<float>(i) - 3.0f;
    v[i] = -0.5f * static_cast<float>(i) + 1.0f;
  }
  const int last = w.config.n_layers - 1;
  b->write_block(last, 3, k, v);
  std::vector<float> k1, v1, k2, v2;
  b->read_block(last, 3, k1, v1);
  EXPECT_EQ(k1, k);
  EXPECT_EQ(v1, v);
  b->read_block(0, 2, k2, v2);  // another layer and block: as before
  EXPECT_EQ(k2, k0);
  EXPECT_EQ(v2, v0);
}

// The swap twins on the CUDA engine: the safe one replays with its swaps (KV copied to the host
// and back) and ends leak-free; the unsafe one's CPU-pool abort is the engine's own finding.
TEST_F(Cuda, SwapTwinsReplay) {
  ReplayOptions o;
  o.model = test::small_model();
  for (const std::string name : {"vllm_v0_swap_safe", "vllm_v0_swap_unsafe"}) {
    // The device machine runs this binary from its own copy of the repository (ci/gpu_check.sh
    // --run, from the root), where the build machine's source path does not exist.
    auto path = std::filesystem::path(KVCHECK_SOURCE_DIR) / "configs" / (name + ".toml");
    if (!std::filesystem::exists(path)) path = std::filesystem::path("configs") / (name + ".toml");
    const auto cfg = load_config(path);
    SeededChoices c1(1), c2(1);
    const auto gpu = run_live(cfg.model, cfg.time, build_workload(cfg), c1, BackendKind::Cuda, o);
    const auto cpu = run_live(cfg.model, cfg.time, build_workload(cfg), c2, BackendKind::Cpu, o);
    EXPECT_TRUE(gpu.reproduced()) << name << ": " << gpu.summary();
    ASSERT_EQ(gpu.log.size(), cpu.log.size()) << name;
    for (std::size_t i = 0; i < gpu.log.size(); ++i)
      EXPECT_EQ(gpu.log[i].used_blocks, cpu.log[i].used_blocks) << name << " step " << i;
  }
}

TEST_F(Cuda, EngineReplayConfirmsTheOverflowStep) {
  const auto p = test::unsafe_p1();
  const auto w = test::burst(4, 6, 8);
  ReplayOptions o;
  o.model = test::small_model();
  SeededChoices c1(1), c2(1);
  const auto gpu = run_live(p, TimeModel{}, w, c1, BackendKind::Cuda, o);
  const auto cpu = run_live(p, TimeModel{}, w, c2, BackendKind::Cpu, o);
  ASSERT_TRUE(gpu.predicted_overflow.has_value());
  EXPECT_TRUE(gpu.reproduced()) << gpu.summary();
  EXPECT_EQ(gpu.engine_oom, cpu.engine_oom);
}

}  // namespace
}  // namespace kvcheck::engine
