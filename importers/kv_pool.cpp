#include "importers/kv_pool.h"

#include <fmt/format.h>

#include <cmath>

#include "io/input_error.h"

namespace kvcheck::importers {
namespace {

constexpr double kGiB = 1073741824.0;  // 2^30

std::int64_t gib_to_bytes(double gib) { return static_cast<std::int64_t>(std::floor(gib * kGiB)); }

std::string gib(std::int64_t bytes) {
  return fmt::format("{} B ({:.2f} GiB)", bytes, static_cast<double>(bytes) / kGiB);
}

/// Weight bytes on one GPU: the stated whole-model size, or the dense parameter count times
/// the dtype, divided over the tensor-parallel ranks.
std::int64_t weight_bytes(const PoolInputs& in, std::vector<std::string>& lines) {
  if (in.weights_gib) {
    const auto w = gib_to_bytes(*in.weights_gib) / in.tensor_parallel;
    lines.push_back(fmt::format("weights = --weights-gib {} / TP {} = {}", *in.weights_gib,
                                in.tensor_parallel, gib(w)));
    return w;
  }
  const auto params = dense_param_count(in.model);
  const auto w = params * in.weight_dtype_bytes / in.tensor_parallel;
  lines.push_back(fmt::format("weights = {} parameters (dense count) x {} B / TP {} = {}", params,
                              in.weight_dtype_bytes, in.tensor_parallel, gib(w)));
  return w;
}

/// Memory vLLM hands to the KV cache on one GPU.
std::int64_t available_bytes(const PoolInputs& in, std::vector<std::string>& lines,
                             const std::string& where) {
  if (in.kv_cache_bytes) {
    lines.push_back(
        fmt::format("available = --kv-cache-memory-bytes = {}", gib(*in.kv_cache_bytes)));
    return *in.kv_cache_bytes;
  }
  const auto budget = gib_to_bytes(in.gpu_gib * in.utilization);
  lines.push_back(fmt::format("budget = --gpu-memory-gib {} x --gpu-memory-utilization {} = {}",
                              in.gpu_gib, in.utilization, gib(budget)));
  const auto weights = weight_bytes(in, lines);
  const auto reserve = gib_to_bytes(in.reserve_gib);
  lines.push_back(fmt::format("reserve = --reserve-gib {} = {} (assumed: vLLM profiles it)",
                              in.reserve_gib, gib(reserve)));
  const auto available = budget - weights - reserve;
  if (available <= 0)
    throw config_error(where, "--gpu-memory-gib",
                       "budget " + gib(budget) + " leaves no memory for the KV cache after " +
                           "weights " + gib(weights) + " and reserve " + gib(reserve));
  lines.push_back(fmt::format("available = budget - weights - reserve = {}", gib(available)));
  return available;
}

}  // namespace

std::int64_t kv_bytes_per_token(const ModelDims& m, std::int64_t kv_heads, std::int64_t dtype) {
  return 2 * m.layers * kv_heads * m.head_dim * dtype;
}

std::int64_t kv_heads_per_gpu(const ModelDims& m, std::int64_t tp, const std::string& where) {
  if (tp >= m.kv_heads) {
    if (tp % m.kv_heads != 0)
      throw config_error(where, "--tensor-parallel-size",
                         fmt::format("{} is not a multiple of the {} KV heads", tp, m.kv_heads));
    return 1;
  }
  if (m.kv_heads % tp != 0)
    throw config_error(where, "--tensor-parallel-size",
                       fmt::format("{} does not divide the {} KV heads", tp, m.kv_heads));
  return m.kv_heads / tp;
}

PoolSize pool_from_memory(const PoolInputs& in, const std::string& where) {
  PoolSize p;
  p.kv_heads_per_gpu = kv_heads_per_gpu(in.model, in.tensor_parallel, where);
  p.bytes_per_token = kv_bytes_per_token(in.model, p.kv_heads_per_gpu, in.kv_dtype_bytes);
  p.bytes_per_block = p.bytes_per_token * in.block_size;
  p.arithmetic.push_back(fmt::format(
      "KV per token = 2 (K,V) x {} layers x {} KV heads/GPU x {} head_dim x {} B = {} B",
      in.model.layers, p.kv_heads_per_gpu, in.model.head_dim, in.kv_dtype_bytes,
      p.bytes_per_token));
  p.arithmetic.push_back(fmt::format("KV per block = {} B x --block-size {} = {} B",
                                     p.bytes_per_token, in.block_size, p.bytes_per_block));
  const auto available = available_bytes(in, p.arithmetic, where);
  p.num_blocks = available / p.bytes_per_block;
  p.arithmetic.push_back(
      fmt::format("GPU blocks = floor({} / {}) = {}", available, p.bytes_per_block, p.num_blocks));
  if (p.num_blocks < 2)
    throw config_error(where, "--gpu-memory-gib",
                       "fewer than 2 KV blocks fit: " + std::to_string(p.num_blocks));
  return p;
}

}  // namespace kvcheck::importers
