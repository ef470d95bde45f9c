// The decode engine's CUDA kernels (declared in kernels.cuh). Launch errors are checked by the
// launchers through cuda_check.h.
#include <cfloat>
#include <cmath>

#include "gpu_replay/cuda/cuda_check.h"
#include "gpu_replay/cuda/kernels.cuh"

namespace kvcheck::engine::cuda {
namespace {

constexpr int kMaxHeadDim = 256;
constexpr int kAttnWarps = 4;

__device__ float block_sum(float v, float* shared) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffU, v, o);
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  const int nw = static_cast<int>(blockDim.x + 31) / 32;
  float total = 0.0f;
  for (int w = 0; w < nw; ++w) total += shared[w];
  __syncthreads();
  return total;
}

__global__ void embed_kernel(const int* tokens, const float* table, float* x, int dim) {
  const long t = blockIdx.x;
  const float* row = table + static_cast<long>(tokens[t]) * dim;
  for (int i = static_cast<int>(threadIdx.x); i < dim; i += static_cast<int>(blockDim.x)) x[t * dim + i] = row[i];
}

__global__ void rmsnorm_kernel(const float* x, const int* rows, const float* w, float* out,
                               __nv_bfloat16* out_bf, int dim, float eps) {
  __shared__ float shared[32];
  const long r = blockIdx.x;
  const float* xr = x + (rows ? static_cast<long>(rows[r]) : r) * dim;
  float ss = 0.0f;
  for (int i = static_cast<int>(threadIdx.x); i < dim; i += static_cast<int>(blockDim.x)) ss += xr[i] * xr[i];
  ss = block_sum(ss, shared);
  const float scale = rsqrtf(ss / static_cast<float>(dim) + eps);
  for (int i = static_cast<int>(threadIdx.x); i < dim; i += static_cast<int>(blockDim.x)) {
    const float y = w[i] * (scale * xr[i]);
    out[r * dim + i] = y;
    if (out_bf) out_bf[r * dim + i] = __float2bfloat16(y);
  }
}

__global__ void to_bf16_kernel(const float* x, __nv_bfloat16* y, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    y[i] = __float2bfloat16(x[i]);
}

__device__ void rotate(float* x, int pair, int hd, int pos, float theta, bool rotate_half) {
  const int half = hd / 2;
  const float freq = 1.0f / powf(theta, static_cast<float>(2 * pair) / static_cast<float>(hd));
  float sn, cs;
  sincosf(static_cast<float>(pos) * freq, &sn, &cs);
  const int i0 = rotate_half ? pair : 2 * pair, i1 = rotate_half ? pair + half : 2 * pair + 1;
  const float a = x[i0], b = x[i1];
  x[i0] = a * cs - b * sn;
  x[i1] = a * sn + b * cs;
}

__global__ void rope_kernel(float* q, float* k, const int* positions, int H, int Hkv, int hd,
                            float theta, bool rotate_half) {
  const long t = blockIdx.x;
  const int half = hd / 2, pos = positions[t];
  for (int j = static_cast<int>(threadIdx.x); j < (H + Hkv) * half; j += static_cast<int>(blockDim.x)) {
    const int head = j / half, pair = j % half;
    float* base = head < H ? q + (t * H + head) * hd : k + (t * Hkv + head - H) * hd;
    rotate(base, pair, hd, pos, theta, rotate_half);
  }
}

__global__ void store_kv_kernel(const float* k, const float* v, const int* slots, float* kc,
                                float* vc, int kv_dim) {
  const long t = blockIdx.x;
  const int slot = slots[t];
  if (slot < 0) return;
  for (int i = static_cast<int>(threadIdx.x); i < kv_dim; i += static_cast<int>(blockDim.x)) {
    kc[static_cast<long>(slot) * kv_dim + i] = k[t * kv_dim + i];
    vc[static_cast<long>(slot) * kv_dim + i] = v[t * kv_dim + i];
  }
}

/// Warp-level online softmax over this warp's positions (p = warp, warp + nwarps, ...).
struct Online {
  float m = -FLT_MAX, l = 0.0f, acc[kMaxHeadDim / 32] = {};
};

__global__ void paged_attention_kernel(const float* q, const float* kc, const float* vc,
                                       const int* positions, const int* seq_of_token,
                                       const int* block_tables, float* out, AttnShape a) {
  __shared__ float sm_m[kAttnWarps], sm_l[kAttnWarps], sm_acc[kAttnWarps][kMaxHeadDim];
  const long t = blockIdx.x;
  const int h = static_cast<int>(blockIdx.y), hd = a.head_dim;
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  const int ctx = positions[t] + 1, s = seq_of_token[t];
  const int kvh = h / (a.n_heads / a.n_kv_heads), kv_dim = a.n_kv_heads * hd;
  const float scale = rsqrtf(static_cast<float>(hd));
  float qr[kMaxHeadDim / 32];
  Online o;
  for (int i = 0; i < kMaxHeadDim / 32; ++i) {
    const int d = lane + 32 * i;
    qr[i] = d < hd ? q[(t * a.n_heads + h) * hd + d] : 0.0f;
  }
  for (int p = warp; p < ctx; p += kAttnWarps) {
    const long blk = block_tables[static_cast<long>(s) * a.max_blocks + p / a.block_size];
    const long base = (blk * a.block_size + p % a.block_size) * kv_dim + static_cast<long>(kvh) * hd;
    float dot = 0.0f;
    for (int i = 0; i < kMaxHeadDim / 32; ++i) {
      const int d = lane + 32 * i;
      if (d < hd) dot += qr[i] * kc[base + d];
    }
    for (int off = 16; off > 0; off >>= 1) dot += __shfl_xor_sync(0xffffffffU, dot, off);
    dot *= scale;
    const float m_new = fmaxf(o.m, dot);
    const float corr = expf(o.m - m_new), pe = expf(dot - m_new);
    o.l = o.l * corr + pe;
    for (int i = 0; i < kMaxHeadDim / 32; ++i) {
      const int d = lane + 32 * i;
      if (d < hd) o.acc[i] = o.acc[i] * corr + pe * vc[base + d];
    }
    o.m = m_new;
  }
  if (lane == 0) { sm_m[warp] = o.m; sm_l[warp] = o.l; }
  for (int i = 0; i < kMaxHeadDim / 32; ++i) {
    const int d = lane + 32 * i;
    if (d < hd) sm_acc[warp][d] = o.acc[i];
  }
  __syncthreads();
  float M = -FLT_MAX;
  for (int w = 0; w < kAttnWarps; ++w) M = fmaxf(M, sm_m[w]);
  float L = 0.0f;
  for (int w = 0; w < kAttnWarps; ++w) L += sm_l[w] * expf(sm_m[w] - M);
  for (int d = static_cast<int>(threadIdx.x); d < hd; d += static_cast<int>(blockDim.x)) {
    float acc = 0.0f;
    for (int w = 0; w < kAttnWarps; ++w) acc += sm_acc[w][d] * expf(sm_m[w] - M);
    out[(t * a.n_heads + h) * hd + d] = acc / L;
  }
}

__global__ void silu_mul_kernel(float* h1, const float* h3, __nv_bfloat16* out_bf, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x) {
    const float g = h1[i];
    const float y = g / (1.0f + expf(-g)) * h3[i];
    h1[i] = y;
    if (out_bf) out_bf[i] = __float2bfloat16(y);
  }
}

__global__ void residual_kernel(float* x, const float* y, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    x[i] += y[i];
}

__global__ void argmax_kernel(const float* logits, int* out, int V) {
  __shared__ float best_v[256];
  __shared__ int best_i[256];
  const float* row = logits + static_cast<long>(blockIdx.x) * V;
  float bv = -FLT_MAX;
  int bi = 0x7fffffff;
  for (int i = static_cast<int>(threadIdx.x); i < V; i += static_cast<int>(blockDim.x))
    if (row[i] > bv) { bv = row[i]; bi = i; }
  best_v[threadIdx.x] = bv;
  best_i[threadIdx.x] = bi;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) {
      const float ov = best_v[threadIdx.x + stride];
      const int oi = best_i[threadIdx.x + stride];
      if (ov > best_v[threadIdx.x] || (ov == best_v[threadIdx.x] && oi < best_i[threadIdx.x])) {
        best_v[threadIdx.x] = ov;
        best_i[threadIdx.x] = oi;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = best_i[0] == 0x7fffffff ? 0 : best_i[0];
}

__global__ void poison_kernel(float* pool, const int* blocks, int layers, int num_blocks, long per_block) {
  const int b = blocks[blockIdx.x];
  const int slice = static_cast<int>(blockIdx.y);  // 0 .. 2L-1: K of every layer, then V
  float* dst = pool + (static_cast<long>(slice) * num_blocks + b) * per_block;
  for (long i = threadIdx.x; i < per_block; i += blockDim.x) dst[i] = __int_as_float(0x7fc00000);
  (void)layers;
}

unsigned grid_for(long n, int threads) {
  const long g = (n + threads - 1) / threads;
  return static_cast<unsigned>(g < 65535 ? (g > 0 ? g : 1) : 65535);
}

}  // namespace

void launch_embed(const int* tokens, const float* table, float* x, int T, int dim, cudaStream_t s) {
  embed_kernel<<<T, 128, 0, s>>>(tokens, table, x, dim);
  KVC_LAUNCH();
}

void launch_rmsnorm(const float* x, const int* rows, const float* w, float* out, __nv_bfloat16* out_bf,
                    int R, int dim, float eps, cudaStream_t s) {
  rmsnorm_kernel<<<R, 256, 0, s>>>(x, rows, w, out, out_bf, dim, eps);
  KVC_LAUNCH();
}

void launch_to_bf16(const float* x, __nv_bfloat16* y, long n, cudaStream_t s) {
  to_bf16_kernel<<<grid_for(n, 256), 256, 0, s>>>(x, y, n);
  KVC_LAUNCH();
}

void launch_rope(float* q, float* k, const int* positions, int T, int H, int Hkv, int hd, float theta,
                 bool rotate_half, cudaStream_t s) {
  rope_kernel<<<T, 128, 0, s>>>(q, k, positions, H, Hkv, hd, theta, rotate_half);
  KVC_LAUNCH();
}

void launch_store_kv(const float* k, const float* v, const int* slots, float* kc, float* vc, int T,
                     int kv_dim, cudaStream_t s) {
  store_kv_kernel<<<T, 128, 0, s>>>(k, v, slots, kc, vc, kv_dim);
  KVC_LAUNCH();
}

void launch_paged_attention(const float* q, const float* kc, const float* vc, const int* positions,
                            const int* seq_of_token, const int* block_tables, float* out, int T,
                            const AttnShape& a, cudaStream_t s) {
  if (a.head_dim > kMaxHeadDim) throw CudaError("paged attention: head_dim above 256");
  paged_attention_kernel<<<dim3(static_cast<unsigned>(T), static_cast<unsigned>(a.n_heads)), 32 * kAttnWarps, 0, s>>>(
      q, kc, vc, positions, seq_of_token, block_tables, out, a);
  KVC_LAUNCH();
}

void launch_silu_mul(float* h1, const float* h3, __nv_bfloat16* out_bf, long n, cudaStream_t s) {
  silu_mul_kernel<<<grid_for(n, 256), 256, 0, s>>>(h1, h3, out_bf, n);
  KVC_LAUNCH();
}

void launch_residual_add(float* x, const float* y, long n, cudaStream_t s) {
  residual_kernel<<<grid_for(n, 256), 256, 0, s>>>(x, y, n);
  KVC_LAUNCH();
}

void launch_argmax(const float* logits, int* out, int R, int V, cudaStream_t s) {
  argmax_kernel<<<R, 256, 0, s>>>(logits, out, V);
  KVC_LAUNCH();
}

void launch_poison(float* pool, const int* blocks, int count, int layers, int num_blocks, long per_block,
                   cudaStream_t s) {
  if (count == 0) return;
  poison_kernel<<<dim3(static_cast<unsigned>(count), static_cast<unsigned>(2 * layers)), 256, 0, s>>>(
      pool, blocks, layers, num_blocks, per_block);
  KVC_LAUNCH();
}

}  // namespace kvcheck::engine::cuda
