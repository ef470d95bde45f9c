#pragma once
/// \file kernels.cuh
/// The decode engine's kernels (engines.md 3.4), each behind a host launcher on a stream.
/// Activations are fp32; `bf16` outputs feed bf16 GEMMs. Index arrays are int32.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace kvcheck::engine::cuda {

/// The paged layout and shapes the attention kernels need.
struct AttnShape {
  int n_heads, n_kv_heads, head_dim, block_size, num_blocks, max_blocks;
};

void launch_embed(const int* tokens, const float* table, float* x, int T, int dim, cudaStream_t s);
/// out[r] = rmsnorm(x[rows ? rows[r] : r]) * w for r < R; bf16 copy when out_bf != nullptr.
void launch_rmsnorm(const float* x, const int* rows, const float* w, float* out,
                    __nv_bfloat16* out_bf, int R, int dim, float eps, cudaStream_t s);
void launch_to_bf16(const float* x, __nv_bfloat16* y, long n, cudaStream_t s);
/// Rotates q (T x H x hd) and k (T x Hkv x hd) by position; rotate_half selects the style.
void launch_rope(float* q, float* k, const int* positions, int T, int H, int Hkv, int hd,
                 float theta, bool rotate_half, cudaStream_t s);
/// Writes each token's K and V into kc / vc (one layer) at slot_mapping[t] (-1 = skip).
void launch_store_kv(const float* k, const float* v, const int* slots, float* kc, float* vc,
                     int T, int kv_dim, cudaStream_t s);
/// One CTA per (token, head): attention over positions 0..pos through the block table, fp32
/// online softmax. out is T x H x hd.
void launch_paged_attention(const float* q, const float* kc, const float* vc,
                            const int* positions, const int* seq_of_token,
                            const int* block_tables, float* out, int T, const AttnShape& a,
                            cudaStream_t s);
/// h1 = silu(h1) * h3 (n elements); bf16 copy when out_bf != nullptr.
void launch_silu_mul(float* h1, const float* h3, __nv_bfloat16* out_bf, long n, cudaStream_t s);
void launch_residual_add(float* x, const float* y, long n, cudaStream_t s);
/// Greedy token per row of logits (R x V).
void launch_argmax(const float* logits, int* out, int R, int V, cudaStream_t s);
/// Fills `count` blocks (ids on the device) of every layer's K and V with NaN. `pool` holds
/// 2 * L * num_blocks * per_block floats.
void launch_poison(float* pool, const int* blocks, int count, int layers, int num_blocks,
                   long per_block, cudaStream_t s);

}  // namespace kvcheck::engine::cuda
