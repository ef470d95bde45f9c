#include "gpu_replay/reference.h"

#include <cstring>
#include <stdexcept>

#include "gpu_replay/cpu_ops.h"

namespace kvcheck::engine {
namespace {
inline std::size_t z(std::int64_t v) { return static_cast<std::size_t>(v); }
}  // namespace

ReferenceModel::ReferenceModel(const Weights& w) : w_(w) {
  const auto& c = w.config;
  key_.assign(z(c.n_layers) * row(), 0.0f);
  value_.assign(z(c.n_layers) * row(), 0.0f);
  x_.resize(z(c.dim)); xb_.resize(z(c.dim)); tmp_.resize(z(c.dim));
  q_.resize(z(c.q_dim())); k_.resize(z(c.kv_dim())); v_.resize(z(c.kv_dim()));
  att_.resize(z(c.q_dim())); h1_.resize(z(c.hidden_dim)); h3_.resize(z(c.hidden_dim));
  scores_.resize(z(c.max_seq_len)); logits_.resize(z(c.vocab));
}

void ReferenceModel::attention(int l, float* out) {
  const auto& c = w_.config;
  const int hd = c.head_dim, kvd = c.kv_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  for (int h = 0; h < c.n_heads; ++h) {
    const float* q = q_.data() + z(h) * z(hd);
    const int kvh = h / c.kv_mul();
    for (int p = 0; p <= pos_; ++p) {
      const float* k = kcache(l) + z(p) * z(kvd) + z(kvh) * z(hd);
      float acc = 0.0f;
      for (int i = 0; i < hd; ++i) acc += q[i] * k[i];
      scores_[z(p)] = acc * scale;
    }
    cpu::softmax(scores_.data(), pos_ + 1);
    float* o = out + z(h) * z(hd);
    std::memset(o, 0, z(hd) * sizeof(float));
    for (int p = 0; p <= pos_; ++p) {
      const float* v = vcache(l) + z(p) * z(kvd) + z(kvh) * z(hd);
      for (int i = 0; i < hd; ++i) o[i] += scores_[z(p)] * v[i];
    }
  }
}

void ReferenceModel::layer(int l) {
  const auto& c = w_.config;
  const int d = c.dim, qd = c.q_dim(), kvd = c.kv_dim(), f = c.hidden_dim;
  const auto L = z(l);
  cpu::rmsnorm(xb_.data(), x_.data(), w_.rms_att.data() + L * z(d), d, c.norm_eps);
  cpu::matvec(q_.data(), xb_.data(), w_.wq.data() + L * z(qd) * z(d), d, qd);
  cpu::matvec(k_.data(), xb_.data(), w_.wk.data() + L * z(kvd) * z(d), d, kvd);
  cpu::matvec(v_.data(), xb_.data(), w_.wv.data() + L * z(kvd) * z(d), d, kvd);
  cpu::rope(q_.data(), c.n_heads, c.head_dim, pos_, c.rope_theta, c.rope);
  cpu::rope(k_.data(), c.n_kv_heads, c.head_dim, pos_, c.rope_theta, c.rope);
  std::memcpy(kcache(l) + z(pos_) * z(kvd), k_.data(), z(kvd) * sizeof(float));
  std::memcpy(vcache(l) + z(pos_) * z(kvd), v_.data(), z(kvd) * sizeof(float));
  attention(l, att_.data());
  cpu::matvec(tmp_.data(), att_.data(), w_.wo.data() + L * z(d) * z(qd), qd, d);
  for (int i = 0; i < d; ++i) x_[z(i)] += tmp_[z(i)];
  cpu::rmsnorm(xb_.data(), x_.data(), w_.rms_ffn.data() + L * z(d), d, c.norm_eps);
  cpu::matvec(h1_.data(), xb_.data(), w_.w1.data() + L * z(f) * z(d), d, f);
  cpu::matvec(h3_.data(), xb_.data(), w_.w3.data() + L * z(f) * z(d), d, f);
  cpu::silu_mul(h1_.data(), h3_.data(), f);
  cpu::matvec(tmp_.data(), h1_.data(), w_.w2.data() + L * z(d) * z(f), f, d);
  for (int i = 0; i < d; ++i) x_[z(i)] += tmp_[z(i)];
}

const std::vector<float>& ReferenceModel::step(std::int32_t token) {
  const auto& c = w_.config;
  if (pos_ >= c.max_seq_len) throw std::out_of_range("ReferenceModel: sequence longer than max_seq_len");
  std::memcpy(x_.data(), w_.token_embedding.data() + z(token) * z(c.dim), z(c.dim) * sizeof(float));
  for (int l = 0; l < c.n_layers; ++l) layer(l);
  cpu::rmsnorm(xb_.data(), x_.data(), w_.rms_final.data(), c.dim, c.norm_eps);
  cpu::matvec(logits_.data(), xb_.data(), w_.classifier().data(), c.dim, c.vocab);
  ++pos_;
  return logits_;
}

}  // namespace kvcheck::engine
