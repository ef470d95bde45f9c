#include "gpu_replay/cpu_backend.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <cstring>
#include <limits>

#include "gpu_replay/cpu_ops.h"

namespace kvcheck::engine {
namespace {

using std::size_t;
inline size_t z(std::int64_t v) { return static_cast<size_t>(v); }

class CpuBackend final : public Backend {
 public:
  CpuBackend(const Weights& w, PoolShape pool) : w_(w), c_(w.config), pool_(pool) {
    kv_.assign(2 * layer_stride() * z(c_.n_layers), 0.0f);
  }
  std::string_view name() const override { return "cpu"; }
  ForwardResult forward(const BatchMeta& m, bool want_logits) override;
  void poison_blocks(std::span<const std::int32_t> blocks) override;
  void read_block(int layer, std::int32_t block, std::vector<float>& k,
                  std::vector<float>& v) override;
  int swap_layers() const override { return c_.n_layers; }
  void write_block(int layer, std::int32_t block, std::span<const float> k,
                   std::span<const float> v) override;

 private:
  size_t layer_stride() const { return z(pool_.num_blocks) * z(pool_.block_size) * z(c_.kv_dim()); }
  float* kcache(int l) { return kv_.data() + z(l) * layer_stride(); }
  float* vcache(int l) { return kv_.data() + (z(c_.n_layers) + z(l)) * layer_stride(); }
  void layer(int l, const BatchMeta& m);
  void attention(int l, const BatchMeta& m, std::int32_t t, float* out);

  const Weights& w_;
  ModelConfig c_;
  PoolShape pool_;
  std::vector<float> kv_;
  std::vector<float> x_, xb_, q_, k_, v_, att_out_, h1_, h3_, scores_, tmp_;
};

void CpuBackend::attention(int l, const BatchMeta& m, std::int32_t t, float* out) {
  const int hd = c_.head_dim, kvd = c_.kv_dim();
  const auto s = m.seq_of_token[z(t)];
  const int ctx = m.positions[z(t)] + 1;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  scores_.resize(z(ctx));
  const float* kc = kcache(l);
  const float* vc = vcache(l);
  for (int h = 0; h < c_.n_heads; ++h) {
    const float* q = q_.data() + z(t) * z(c_.q_dim()) + z(h) * z(hd);
    const int kvh = h / c_.kv_mul();
    for (int p = 0; p < ctx; ++p) {
      const auto slot = z(m.block_of(s, p)) * z(m.block_size) + z(p % m.block_size);
      const float* k = kc + slot * z(kvd) + z(kvh) * z(hd);
      float acc = 0.0f;
      for (int i = 0; i < hd; ++i) acc += q[i] * k[i];
      scores_[z(p)] = acc * scale;
    }
    cpu::softmax(scores_.data(), ctx);
    float* o = out + z(h) * z(hd);
    std::memset(o, 0, z(hd) * sizeof(float));
    for (int p = 0; p < ctx; ++p) {
      const auto slot = z(m.block_of(s, p)) * z(m.block_size) + z(p % m.block_size);
      const float* v = vc + slot * z(kvd) + z(kvh) * z(hd);
      const float a = scores_[z(p)];
      for (int i = 0; i < hd; ++i) o[i] += a * v[i];
    }
  }
}

void CpuBackend::layer(int l, const BatchMeta& m) {
  const int d = c_.dim, qd = c_.q_dim(), kvd = c_.kv_dim(), f = c_.hidden_dim;
  const auto T = m.num_tokens();
  const auto L = z(l);
  for (std::int32_t t = 0; t < T; ++t) {
    const auto tt = z(t);
    cpu::rmsnorm(xb_.data() + tt * z(d), x_.data() + tt * z(d), w_.rms_att.data() + L * z(d), d, c_.norm_eps);
    cpu::matvec(q_.data() + tt * z(qd), xb_.data() + tt * z(d), w_.wq.data() + L * z(qd) * z(d), d, qd);
    cpu::matvec(k_.data() + tt * z(kvd), xb_.data() + tt * z(d), w_.wk.data() + L * z(kvd) * z(d), d, kvd);
    cpu::matvec(v_.data() + tt * z(kvd), xb_.data() + tt * z(d), w_.wv.data() + L * z(kvd) * z(d), d, kvd);
    cpu::rope(q_.data() + tt * z(qd), c_.n_heads, c_.head_dim, m.positions[tt], c_.rope_theta, c_.rope);
    cpu::rope(k_.data() + tt * z(kvd), c_.n_kv_heads, c_.head_dim, m.positions[tt], c_.rope_theta, c_.rope);
    const auto slot = m.slot_mapping[tt];
    if (slot < 0) continue;
    std::memcpy(kcache(l) + z(slot) * z(kvd), k_.data() + tt * z(kvd), z(kvd) * sizeof(float));
    std::memcpy(vcache(l) + z(slot) * z(kvd), v_.data() + tt * z(kvd), z(kvd) * sizeof(float));
  }
  for (std::int32_t t = 0; t < T; ++t) {
    const auto tt = z(t);
    attention(l, m, t, att_out_.data() + tt * z(qd));
    cpu::matvec(tmp_.data(), att_out_.data() + tt * z(qd), w_.wo.data() + L * z(d) * z(qd), qd, d);
    float* x = x_.data() + tt * z(d);
    for (int i = 0; i < d; ++i) x[i] += tmp_[z(i)];
    cpu::rmsnorm(xb_.data() + tt * z(d), x, w_.rms_ffn.data() + L * z(d), d, c_.norm_eps);
    cpu::matvec(h1_.data(), xb_.data() + tt * z(d), w_.w1.data() + L * z(f) * z(d), d, f);
    cpu::matvec(h3_.data(), xb_.data() + tt * z(d), w_.w3.data() + L * z(f) * z(d), d, f);
    cpu::silu_mul(h1_.data(), h3_.data(), f);
    cpu::matvec(tmp_.data(), h1_.data(), w_.w2.data() + L * z(d) * z(f), f, d);
    for (int i = 0; i < d; ++i) x[i] += tmp_[z(i)];
  }
}

ForwardResult CpuBackend::forward(const BatchMeta& m, bool want_logits) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto T = z(m.num_tokens());
  const int d = c_.dim;
  x_.resize(T * z(d)); xb_.resize(T * z(d)); q_.resize(T * z(c_.q_dim()));
  k_.resize(T * z(c_.kv_dim())); v_.resize(T * z(c_.kv_dim())); att_out_.resize(T * z(c_.q_dim()));
  h1_.resize(z(c_.hidden_dim)); h3_.resize(z(c_.hidden_dim));
  tmp_.resize(z(std::max(d, c_.vocab)));
  for (size_t t = 0; t < T; ++t)
    std::memcpy(x_.data() + t * z(d), w_.token_embedding.data() + z(m.token_ids[t]) * z(d), z(d) * sizeof(float));
  for (int l = 0; l < c_.n_layers; ++l) layer(l, m);
  ForwardResult r;
  const auto& cls = w_.classifier();
  for (const auto row : m.logits_rows) {
    if (row < 0) continue;
    cpu::rmsnorm(xb_.data(), x_.data() + z(row) * z(d), w_.rms_final.data(), d, c_.norm_eps);
    cpu::matvec(tmp_.data(), xb_.data(), cls.data(), d, c_.vocab);
    r.tokens.push_back(cpu::argmax(tmp_.data(), c_.vocab));
    if (want_logits) r.logits.insert(r.logits.end(), tmp_.begin(), tmp_.begin() + c_.vocab);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

void CpuBackend::poison_blocks(std::span<const std::int32_t> blocks) {
  const auto n = z(pool_.block_size) * z(c_.kv_dim());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int l = 0; l < c_.n_layers; ++l)
    for (const auto b : blocks) {
      std::fill_n(kcache(l) + z(b) * n, n, nan);
      std::fill_n(vcache(l) + z(b) * n, n, nan);
    }
}

void CpuBackend::read_block(int layer, std::int32_t block, std::vector<float>& k,
                            std::vector<float>& v) {
  const auto n = z(pool_.block_size) * z(c_.kv_dim());
  k.assign(kcache(layer) + z(block) * n, kcache(layer) + z(block) * n + n);
  v.assign(vcache(layer) + z(block) * n, vcache(layer) + z(block) * n + n);
}

void CpuBackend::write_block(int layer, std::int32_t block, std::span<const float> k,
                             std::span<const float> v) {
  const auto n = z(pool_.block_size) * z(c_.kv_dim());
  if (k.size() != n || v.size() != n) throw std::logic_error("write_block: wrong block size");
  std::copy(k.begin(), k.end(), kcache(layer) + z(block) * n);
  std::copy(v.begin(), v.end(), vcache(layer) + z(block) * n);
}

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(const Weights& w, PoolShape pool) {
  return std::make_unique<CpuBackend>(w, pool);
}

}  // namespace kvcheck::engine
