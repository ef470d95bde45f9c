#pragma once
/// \file kv_pool.h
/// vLLM's KV pool size from GPU memory, as the V1 engine computes it once its profiling run has
/// measured the non-KV memory: per layer and block, `page_size_bytes = 2 (K and V) * block_size
/// * num_kv_heads * head_size * dtype_size` (`vllm/v1/kv_cache_interface.py`,
/// AttentionSpec.page_size_bytes; 1 instead of 2 only for MLA), and
/// `num_blocks = available_memory // page_size // num_layers` (`vllm/v1/core/kv_cache_utils.py`,
/// get_num_blocks), where available_memory = gpu_memory_utilization * total GPU memory - the
/// memory the profiling run saw in use (weights, peak activations, CUDA context and graphs).
/// kvcheck cannot profile: it counts the weights and takes the rest as a stated reserve.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "importers/model_dims.h"

namespace kvcheck::importers {

struct PoolInputs {
  ModelDims model;
  std::int64_t block_size = 16;
  std::int64_t kv_dtype_bytes = 2;             ///< --kv-cache-dtype (auto: the model's dtype)
  std::int64_t weight_dtype_bytes = 2;         ///< --dtype (auto: the model's torch_dtype)
  std::int64_t tensor_parallel = 1;            ///< --tensor-parallel-size: pools are per GPU
  double gpu_gib = 0;                          ///< total memory of one GPU, GiB (2^30 bytes)
  double utilization = 0.9;                    ///< --gpu-memory-utilization
  double reserve_gib = 0;                      ///< activations, CUDA context, graphs: an assumption
  std::optional<double> weights_gib;           ///< whole-model weights, instead of the dense count
  std::optional<std::int64_t> kv_cache_bytes;  ///< --kv-cache-memory-bytes (per GPU)
};

struct PoolSize {
  std::int64_t kv_heads_per_gpu = 0;
  std::int64_t bytes_per_token = 0;  ///< all layers, K and V, on one GPU
  std::int64_t bytes_per_block = 0;  ///< bytes_per_token * block_size
  std::int64_t num_blocks = 0;
  std::vector<std::string> arithmetic;  ///< the computation, one comment line each
};

/// KV bytes per token on one GPU: 2 (K and V) * layers * kv_heads_per_gpu * head_dim * dtype.
std::int64_t kv_bytes_per_token(const ModelDims& m, std::int64_t kv_heads_per_gpu,
                                std::int64_t dtype_bytes);

/// KV heads each GPU holds under tensor parallelism: kv_heads / tp, or 1 (replicated) when
/// tp >= kv_heads. A split that is neither is a config_error on --tensor-parallel-size.
std::int64_t kv_heads_per_gpu(const ModelDims& m, std::int64_t tp, const std::string& where);

/// The pool vLLM would allocate (before the null block is taken out). Errors (no memory left
/// for the KV cache) name `where` and the flag.
PoolSize pool_from_memory(const PoolInputs& in, const std::string& where);

}  // namespace kvcheck::importers
