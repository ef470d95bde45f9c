#pragma once
/// \file backend.h
/// What the engine needs from a compute backend: run one fully specified batch over the paged KV
/// pool and return greedy tokens (and optionally logits). Block accounting never lives here.
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "gpu_replay/batch_meta.h"
#include "gpu_replay/model_config.h"
#include "gpu_replay/weights.h"

namespace kvcheck::engine {

enum class BackendKind : std::uint8_t { Cpu, Cuda };

/// The physical KV pool: exactly num_blocks blocks of block_size tokens, from one allocation.
struct PoolShape {
  std::int32_t num_blocks = 0;
  std::int32_t block_size = 16;
};

struct ForwardResult {
  std::vector<std::int32_t> tokens;  ///< greedy token per logits row, in sequence order
  std::vector<float> logits;         ///< [rows][vocab] when requested, else empty
  double seconds = 0.0;              ///< the backend's own timing of the forward pass
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  /// Runs the batch: writes each token's K/V into its slot, attends over positions 0..pos of
  /// its sequence through the block table, and samples the rows in `meta.logits_rows`.
  virtual ForwardResult forward(const BatchMeta& meta, bool want_logits) = 0;
  /// Fills the given blocks of every layer's K and V with NaN (stale-read detection).
  virtual void poison_blocks(std::span<const std::int32_t> blocks) = 0;
  /// Copies K and V of one block of one layer to the host ([block_size][kv_dim] each).
  virtual void read_block(int layer, std::int32_t block, std::vector<float>& k,
                          std::vector<float>& v) = 0;
  /// vLLM V0's swap (models/policies/vllm_v0.h): the layers a block spans, and the copy of one
  /// block of one layer back from the host (the inverse of read_block). Both backends have it;
  /// a backend without it answers 0 layers, and the engine refuses a swap on it (PlanError).
  virtual int swap_layers() const { return 0; }
  virtual void write_block(int layer, std::int32_t block, std::span<const float> k,
                           std::span<const float> v) {
    (void)layer, (void)block, (void)k, (void)v;
    throw std::logic_error("write_block: this backend cannot swap KV blocks in");
  }
};

/// Parses "cpu" / "cuda"; false otherwise.
bool parse_backend_kind(std::string_view s, BackendKind& out);
std::string_view to_string(BackendKind k);
/// True when this build contains the CUDA backend.
bool cuda_backend_built();
/// Number of CUDA devices visible (0 when the CUDA backend is not built).
int cuda_device_count();

/// Creates a backend. CUDA uses `dtype` for its GEMM weights; the CPU backend is fp32 only.
/// Throws InputError(ConfigError) for a backend this build or machine cannot provide.
std::unique_ptr<Backend> make_backend(BackendKind kind, const Weights& w, PoolShape pool,
                                      DType dtype = DType::F32);

}  // namespace kvcheck::engine
