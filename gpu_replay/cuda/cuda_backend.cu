// The CUDA backend (cuda_backend.h): weights on the device in fp32 or bf16, one cudaMalloc for
// the paged KV pool of exactly num_blocks blocks, cuBLAS GEMMs (cublasGemmEx, fp32 compute,
// CUBLAS_DEFAULT_MATH so no TF32), the kernels of kernels.cu, and cudaEvent timing.
#include <cuda_bf16.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "gpu_replay/cuda/cuda_backend.h"
#include "gpu_replay/cuda/cuda_check.h"
#include "gpu_replay/cuda/kernels.cuh"

namespace kvcheck::engine::cuda {
namespace {

/// An owning device allocation.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
    if (bytes) KVC_CUDA(cudaMalloc(&ptr_, bytes));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr; o.bytes_ = 0; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  ~DeviceBuffer() { if (ptr_) cudaFree(ptr_); }  // no throw from a destructor
  template <class T> T* as() const { return static_cast<T*>(ptr_); }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

DeviceBuffer upload_f32(const std::vector<float>& v) {
  DeviceBuffer b(v.size() * sizeof(float));
  if (!v.empty()) KVC_CUDA(cudaMemcpy(b.as<void>(), v.data(), b.bytes(), cudaMemcpyHostToDevice));
  return b;
}

/// A GEMM weight in the backend's dtype.
DeviceBuffer upload_matrix(const std::vector<float>& v, DType dt) {
  if (dt == DType::F32) return upload_f32(v);
  std::vector<__nv_bfloat16> h(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) h[i] = __float2bfloat16(v[i]);
  DeviceBuffer b(h.size() * sizeof(__nv_bfloat16));
  if (!h.empty()) KVC_CUDA(cudaMemcpy(b.as<void>(), h.data(), b.bytes(), cudaMemcpyHostToDevice));
  return b;
}

struct DeviceWeights {
  DeviceBuffer emb, rms_att, rms_ffn, rms_final, wq, wk, wv, wo, w1, w2, w3, cls;
};

class CudaBackend final : public Backend {
 public:
  CudaBackend(const Weights& w, PoolShape pool, DType dt);
  ~CudaBackend() override {
    cudaEventDestroy(start_); cudaEventDestroy(stop_);
    cublasDestroy(blas_); cudaStreamDestroy(stream_);
  }
  std::string_view name() const override { return "cuda"; }
  ForwardResult forward(const BatchMeta& m, bool want_logits) override;
  void poison_blocks(std::span<const std::int32_t> blocks) override;
  void read_block(int layer, std::int32_t block, std::vector<float>& k, std::vector<float>& v) override;
  int swap_layers() const override { return c_.n_layers; }
  void write_block(int layer, std::int32_t block, std::span<const float> k,
                   std::span<const float> v) override;

 private:
  std::size_t per_block() const { return static_cast<std::size_t>(pool_.block_size) * static_cast<std::size_t>(c_.kv_dim()); }
  float* kcache(int l) const { return kv_.as<float>() + static_cast<std::size_t>(l) * static_cast<std::size_t>(pool_.num_blocks) * per_block(); }
  float* vcache(int l) const { return kcache(c_.n_layers + l); }
  std::size_t esize() const { return dt_ == DType::F32 ? sizeof(float) : sizeof(__nv_bfloat16); }
  const void* layer_matrix(const DeviceBuffer& b, int l, std::size_t elems) const {
    return b.as<char>() + static_cast<std::size_t>(l) * elems * esize();
  }
  void ensure(int T, int R);
  void upload_meta(const BatchMeta& m, std::vector<int>& rows);
  /// y[T x out] = x[T x in] * W^T (W row-major out x in); x in bf16 when dt_ is BF16.
  void gemm(const void* W, const float* x, const __nv_bfloat16* xbf, float* y, int T, int in, int out);
  void layer(int l, int T, const AttnShape& a);

  ModelConfig c_;
  PoolShape pool_;
  DType dt_;
  DeviceWeights w_;
  DeviceBuffer kv_;  ///< [2][L][num_blocks][block_size][kv_dim]: the whole KV pool
  DeviceBuffer x_, xb_, q_, k_, v_, att_, tmp_, h1_, h3_, bf_, logits_, ints_, argmax_;
  int cap_T_ = 0, cap_R_ = 0, cap_ints_ = 0;
  int *d_tokens_ = nullptr, *d_pos_ = nullptr, *d_seq_ = nullptr, *d_slots_ = nullptr, *d_tables_ = nullptr, *d_rows_ = nullptr;
  cudaStream_t stream_{};
  cublasHandle_t blas_{};
  cudaEvent_t start_{}, stop_{};
};

CudaBackend::CudaBackend(const Weights& w, PoolShape pool, DType dt) : c_(w.config), pool_(pool), dt_(dt) {
  KVC_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  KVC_CUBLAS(cublasCreate(&blas_));
  KVC_CUBLAS(cublasSetStream(blas_, stream_));
  KVC_CUBLAS(cublasSetMathMode(blas_, CUBLAS_DEFAULT_MATH));
  KVC_CUDA(cudaEventCreate(&start_));
  KVC_CUDA(cudaEventCreate(&stop_));
  w_.emb = upload_f32(w.token_embedding);
  w_.rms_att = upload_f32(w.rms_att);
  w_.rms_ffn = upload_f32(w.rms_ffn);
  w_.rms_final = upload_f32(w.rms_final);
  w_.wq = upload_matrix(w.wq, dt); w_.wk = upload_matrix(w.wk, dt); w_.wv = upload_matrix(w.wv, dt);
  w_.wo = upload_matrix(w.wo, dt); w_.w1 = upload_matrix(w.w1, dt); w_.w2 = upload_matrix(w.w2, dt);
  w_.w3 = upload_matrix(w.w3, dt); w_.cls = upload_matrix(w.classifier(), dt);
  const std::size_t pool_bytes = 2 * static_cast<std::size_t>(c_.n_layers) * static_cast<std::size_t>(pool.num_blocks) * per_block() * sizeof(float);
  kv_ = DeviceBuffer(pool_bytes);  // exactly num_blocks blocks: the one pool allocation
  KVC_CUDA(cudaMemset(kv_.as<void>(), 0, pool_bytes));
}

void CudaBackend::ensure(int T, int R) {
  if (T <= cap_T_ && R <= cap_R_) return;
  cap_T_ = std::max(T, cap_T_);
  cap_R_ = std::max(R, cap_R_);
  const auto t = static_cast<std::size_t>(cap_T_), f = sizeof(float);
  const auto d = static_cast<std::size_t>(c_.dim), q = static_cast<std::size_t>(c_.q_dim()),
             kv = static_cast<std::size_t>(c_.kv_dim()), h = static_cast<std::size_t>(c_.hidden_dim);
  x_ = DeviceBuffer(t * d * f); xb_ = DeviceBuffer(t * d * f); q_ = DeviceBuffer(t * q * f);
  k_ = DeviceBuffer(t * kv * f); v_ = DeviceBuffer(t * kv * f); att_ = DeviceBuffer(t * q * f);
  tmp_ = DeviceBuffer(t * d * f); h1_ = DeviceBuffer(t * h * f); h3_ = DeviceBuffer(t * h * f);
  bf_ = DeviceBuffer(t * std::max({d, q, h}) * sizeof(__nv_bfloat16));
  logits_ = DeviceBuffer(static_cast<std::size_t>(cap_R_) * static_cast<std::size_t>(c_.vocab) * f);
  argmax_ = DeviceBuffer(static_cast<std::size_t>(cap_R_) * sizeof(int));
}

void CudaBackend::upload_meta(const BatchMeta& m, std::vector<int>& rows) {
  rows.clear();
  for (const auto r : m.logits_rows) if (r >= 0) rows.push_back(r);
  std::vector<int> all;
  auto put = [&](const std::vector<std::int32_t>& v) { const auto off = all.size(); all.insert(all.end(), v.begin(), v.end()); return off; };
  const auto o_tok = put(m.token_ids), o_pos = put(m.positions), o_seq = put(m.seq_of_token),
             o_slot = put(m.slot_mapping), o_tab = put(m.block_tables), o_rows = put(rows);
  if (static_cast<int>(all.size()) > cap_ints_) {
    cap_ints_ = static_cast<int>(all.size()) * 2;
    ints_ = DeviceBuffer(static_cast<std::size_t>(cap_ints_) * sizeof(int));
  }
  KVC_CUDA(cudaMemcpyAsync(ints_.as<int>(), all.data(), all.size() * sizeof(int), cudaMemcpyHostToDevice, stream_));
  int* base = ints_.as<int>();
  d_tokens_ = base + o_tok; d_pos_ = base + o_pos; d_seq_ = base + o_seq;
  d_slots_ = base + o_slot; d_tables_ = base + o_tab; d_rows_ = base + o_rows;
  KVC_CUDA(cudaStreamSynchronize(stream_));  // `all` is pageable and local
}

void CudaBackend::gemm(const void* W, const float* x, const __nv_bfloat16* xbf, float* y, int T, int in, int out) {
  const float alpha = 1.0f, beta = 0.0f;
  const bool bf = dt_ == DType::BF16;
  const auto type = bf ? CUDA_R_16BF : CUDA_R_32F;
  KVC_CUBLAS(cublasGemmEx(blas_, CUBLAS_OP_T, CUBLAS_OP_N, out, T, in, &alpha, W, type, in,
                          bf ? static_cast<const void*>(xbf) : static_cast<const void*>(x), type, in,
                          &beta, y, CUDA_R_32F, out, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

void CudaBackend::layer(int l, int T, const AttnShape& a) {
  const int d = c_.dim, qd = c_.q_dim(), kvd = c_.kv_dim(), f = c_.hidden_dim;
  const auto sz = [](int x) { return static_cast<std::size_t>(x); };
  __nv_bfloat16* bf = dt_ == DType::BF16 ? bf_.as<__nv_bfloat16>() : nullptr;
  launch_rmsnorm(x_.as<float>(), nullptr, w_.rms_att.as<float>() + sz(l) * sz(d), xb_.as<float>(), bf, T, d, c_.norm_eps, stream_);
  gemm(layer_matrix(w_.wq, l, sz(qd) * sz(d)), xb_.as<float>(), bf, q_.as<float>(), T, d, qd);
  gemm(layer_matrix(w_.wk, l, sz(kvd) * sz(d)), xb_.as<float>(), bf, k_.as<float>(), T, d, kvd);
  gemm(layer_matrix(w_.wv, l, sz(kvd) * sz(d)), xb_.as<float>(), bf, v_.as<float>(), T, d, kvd);
  launch_rope(q_.as<float>(), k_.as<float>(), d_pos_, T, c_.n_heads, c_.n_kv_heads, c_.head_dim, c_.rope_theta,
              c_.rope == RopeStyle::RotateHalf, stream_);
  launch_store_kv(k_.as<float>(), v_.as<float>(), d_slots_, kcache(l), vcache(l), T, kvd, stream_);
  launch_paged_attention(q_.as<float>(), kcache(l), vcache(l), d_pos_, d_seq_, d_tables_, att_.as<float>(), T, a, stream_);
  if (bf) launch_to_bf16(att_.as<float>(), bf, static_cast<long>(T) * qd, stream_);
  gemm(layer_matrix(w_.wo, l, sz(d) * sz(qd)), att_.as<float>(), bf, tmp_.as<float>(), T, qd, d);
  launch_residual_add(x_.as<float>(), tmp_.as<float>(), static_cast<long>(T) * d, stream_);
  launch_rmsnorm(x_.as<float>(), nullptr, w_.rms_ffn.as<float>() + sz(l) * sz(d), xb_.as<float>(), bf, T, d, c_.norm_eps, stream_);
  gemm(layer_matrix(w_.w1, l, sz(f) * sz(d)), xb_.as<float>(), bf, h1_.as<float>(), T, d, f);
  gemm(layer_matrix(w_.w3, l, sz(f) * sz(d)), xb_.as<float>(), bf, h3_.as<float>(), T, d, f);
  launch_silu_mul(h1_.as<float>(), h3_.as<float>(), bf, static_cast<long>(T) * f, stream_);
  gemm(layer_matrix(w_.w2, l, sz(d) * sz(f)), h1_.as<float>(), bf, tmp_.as<float>(), T, f, d);
  launch_residual_add(x_.as<float>(), tmp_.as<float>(), static_cast<long>(T) * d, stream_);
}

ForwardResult CudaBackend::forward(const BatchMeta& m, bool want_logits) {
  ForwardResult r;
  const int T = m.num_tokens();
  if (T == 0) return r;
  std::vector<int> rows;
  upload_meta(m, rows);
  const int R = static_cast<int>(rows.size());
  ensure(T, std::max(R, 1));
  const AttnShape a{c_.n_heads, c_.n_kv_heads, c_.head_dim, pool_.block_size, pool_.num_blocks, m.max_blocks};
  KVC_CUDA(cudaEventRecord(start_, stream_));
  launch_embed(d_tokens_, w_.emb.as<float>(), x_.as<float>(), T, c_.dim, stream_);
  for (int l = 0; l < c_.n_layers; ++l) layer(l, T, a);
  if (R > 0) {
    __nv_bfloat16* bf = dt_ == DType::BF16 ? bf_.as<__nv_bfloat16>() : nullptr;
    launch_rmsnorm(x_.as<float>(), d_rows_, w_.rms_final.as<float>(), xb_.as<float>(), bf, R, c_.dim, c_.norm_eps, stream_);
    gemm(w_.cls.as<void>(), xb_.as<float>(), bf, logits_.as<float>(), R, c_.dim, c_.vocab);
    launch_argmax(logits_.as<float>(), argmax_.as<int>(), R, c_.vocab, stream_);
  }
  KVC_CUDA(cudaEventRecord(stop_, stream_));
  r.tokens.resize(static_cast<std::size_t>(R));
  if (R > 0) KVC_CUDA(cudaMemcpyAsync(r.tokens.data(), argmax_.as<int>(), r.tokens.size() * sizeof(int), cudaMemcpyDeviceToHost, stream_));
  if (want_logits && R > 0) {
    r.logits.resize(static_cast<std::size_t>(R) * static_cast<std::size_t>(c_.vocab));
    KVC_CUDA(cudaMemcpyAsync(r.logits.data(), logits_.as<float>(), r.logits.size() * sizeof(float), cudaMemcpyDeviceToHost, stream_));
  }
  KVC_CUDA(cudaStreamSynchronize(stream_));
  float ms = 0.0f;
  KVC_CUDA(cudaEventElapsedTime(&ms, start_, stop_));
  r.seconds = static_cast<double>(ms) * 1e-3;
  return r;
}

void CudaBackend::poison_blocks(std::span<const std::int32_t> blocks) {
  if (blocks.empty()) return;
  DeviceBuffer ids(blocks.size() * sizeof(int));
  KVC_CUDA(cudaMemcpyAsync(ids.as<int>(), blocks.data(), ids.bytes(), cudaMemcpyHostToDevice, stream_));
  launch_poison(kv_.as<float>(), ids.as<int>(), static_cast<int>(blocks.size()), c_.n_layers, pool_.num_blocks,
                static_cast<long>(per_block()), stream_);
  KVC_CUDA(cudaStreamSynchronize(stream_));
}

void CudaBackend::read_block(int layer, std::int32_t block, std::vector<float>& k, std::vector<float>& v) {
  k.resize(per_block());
  v.resize(per_block());
  const auto off = static_cast<std::size_t>(block) * per_block();
  KVC_CUDA(cudaStreamSynchronize(stream_));
  KVC_CUDA(cudaMemcpy(k.data(), kcache(layer) + off, per_block() * sizeof(float), cudaMemcpyDeviceToHost));
  KVC_CUDA(cudaMemcpy(v.data(), vcache(layer) + off, per_block() * sizeof(float), cudaMemcpyDeviceToHost));
}

/// vLLM V0's swap in: the host copy of one block of one layer back into the pool. The copies
/// are queued on the backend's own (non-blocking) stream, so the next forward pass is ordered
/// after them, and awaited, so the caller may reuse its buffers at once.
void CudaBackend::write_block(int layer, std::int32_t block, std::span<const float> k,
                              std::span<const float> v) {
  if (k.size() != per_block() || v.size() != per_block())
    throw std::logic_error("write_block: wrong block size");
  const auto off = static_cast<std::size_t>(block) * per_block();
  const auto bytes = per_block() * sizeof(float);
  KVC_CUDA(cudaMemcpyAsync(kcache(layer) + off, k.data(), bytes, cudaMemcpyHostToDevice, stream_));
  KVC_CUDA(cudaMemcpyAsync(vcache(layer) + off, v.data(), bytes, cudaMemcpyHostToDevice, stream_));
  KVC_CUDA(cudaStreamSynchronize(stream_));
}

}  // namespace

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // no driver / no device: clear the sticky error, report none
    return 0;
  }
  return n;
}

std::unique_ptr<Backend> make_cuda_backend(const Weights& w, PoolShape pool, DType dtype) {
  return std::make_unique<CudaBackend>(w, pool, dtype);
}

}  // namespace kvcheck::engine::cuda
