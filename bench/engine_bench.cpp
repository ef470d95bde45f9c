// Decode-engine iteration time: one decode step of B sequences at context C on the CPU backend
// (tiny, stories15m) and the CUDA backend (llama1b, bf16 weights), timed by the backend itself
// (steady clock / CUDA events). Counters: tokens/s and, for CUDA, the HBM roofline
// (bf16 weights + fp32 KV read once at 3.0 TB/s, engines.md 5.2) and the ratio to it.
// Results and the reproducing command: docs/perf.md, section "Decode engine".
#include <benchmark/benchmark.h>

#include <memory>

#include "gpu_replay/backend.h"
#include "gpu_replay/batch_meta.h"
#include "gpu_replay/block_pool.h"

namespace {

using namespace kvcheck::engine;

constexpr std::int32_t kBlock = 16;
constexpr double kHbmBytesPerSecond = 3.0e12;

/// A decode batch: B sequences whose next token sits at position ctx.
BatchMeta decode_batch(std::int64_t B, std::int64_t ctx, BlockPool& pool) {
  BatchBuilder b(kBlock);
  std::vector<std::int32_t> table;
  for (std::int64_t s = 0; s < B; ++s) {
    table.clear();
    pool.allocate((ctx + 1 + kBlock - 1) / kBlock, table);
    b.add(std::vector<std::int32_t>{static_cast<std::int32_t>(s % 200)}, static_cast<std::int32_t>(ctx), table, true);
  }
  return b.finish();
}

double roofline_seconds(const ModelConfig& m, std::int64_t B, std::int64_t ctx) {
  const double weights = static_cast<double>(m.non_embedding_params() + static_cast<std::int64_t>(m.vocab) * m.dim) * 2.0;
  const double kv_bpt = 2.0 * m.n_layers * m.kv_dim() * 4.0;  // fp32 KV pool
  return (weights + static_cast<double>(B * (ctx + 1)) * kv_bpt) / kHbmBytesPerSecond;
}

void run(benchmark::State& state, BackendKind kind, const char* preset, DType dt) {
  const auto B = state.range(0), ctx = state.range(1);
  if (kind == BackendKind::Cuda && cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device (build with CUDA and run on a GPU machine)");
    return;
  }
  ModelConfig m;
  model_preset(preset, m);
  const auto w = seeded_weights(m, 1);
  const auto blocks = static_cast<std::int32_t>(B * ((ctx + 1 + kBlock - 1) / kBlock));
  auto be = make_backend(kind, w, {blocks, kBlock}, dt);
  BlockPool pool(blocks);
  const auto meta = decode_batch(B, ctx, pool);
  for (int i = 0; i < 2; ++i) be->forward(meta, false);  // warm-up
  for (auto _ : state) state.SetIterationTime(be->forward(meta, false).seconds);
  state.counters["tokens_per_s"] = benchmark::Counter(static_cast<double>(B) * static_cast<double>(state.iterations()),
                                                      benchmark::Counter::kIsRate);
  if (kind == BackendKind::Cuda) state.counters["roofline_us"] = roofline_seconds(m, B, ctx) * 1e6;
}

void BM_CpuDecodeTiny(benchmark::State& s) { run(s, BackendKind::Cpu, "tiny", DType::F32); }
void BM_CpuDecodeStories15M(benchmark::State& s) { run(s, BackendKind::Cpu, "stories15m", DType::F32); }
void BM_CudaDecodeLlama1B(benchmark::State& s) { run(s, BackendKind::Cuda, "llama1b", DType::BF16); }

}  // namespace

BENCHMARK(BM_CpuDecodeTiny)->Args({1, 128})->Args({16, 128})->Args({64, 128})->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CpuDecodeStories15M)->Args({1, 128})->Args({16, 128})->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CudaDecodeLlama1B)->Args({64, 512})->Args({128, 512})->Args({256, 512})->UseManualTime()->Unit(benchmark::kMicrosecond);
