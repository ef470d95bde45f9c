#include "gpu_replay/checkpoint.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "io/input_error.h"

namespace kvcheck::engine {
namespace {

constexpr std::uint32_t kMagicV1 = 0x616b3432U;  // "ak42"
constexpr std::size_t kV1HeaderBytes = 256;

class Reader {
 public:
  explicit Reader(const std::filesystem::path& p) : path_(p.string()), in_(p, std::ios::binary) {
    if (!in_) throw trace_error(path_, "", "cannot open checkpoint");
  }
  template <class T>
  T scalar(const char* field) {
    T v{};
    bytes(&v, sizeof v, field);
    return v;
  }
  void tensor(std::vector<float>& t, const char* field) {
    bytes(t.data(), t.size() * sizeof(float), field);
  }
  void skip(std::size_t n, const char* field) {
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
    if (!in_) throw trace_error(path_, field, "file ends early");
  }
  void expect_end() {
    if (in_.peek() != std::char_traits<char>::eof())
      throw trace_error(path_, "size", "trailing bytes after the last tensor");
  }
  [[noreturn]] void fail(const char* field, const std::string& why) const {
    throw trace_error(path_, field, why);
  }

 private:
  void bytes(void* dst, std::size_t n, const char* field) {
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in_.gcount()) != n) fail(field, "file ends early");
  }
  std::string path_;
  std::ifstream in_;
};

ModelConfig config_from_header(Reader& r, const std::array<std::int32_t, 7>& h, bool& shared) {
  static constexpr const char* kNames[7] = {"dim",     "hidden_dim", "n_layers", "n_heads",
                                            "n_kv_heads", "vocab_size", "seq_len"};
  for (std::size_t i = 0; i < 7; ++i)
    if (h[i] == 0 || (i != 5 && h[i] < 0)) r.fail(kNames[i], "must be positive");
  ModelConfig c;
  c.dim = h[0]; c.hidden_dim = h[1]; c.n_layers = h[2]; c.n_heads = h[3]; c.n_kv_heads = h[4];
  c.vocab = std::abs(h[5]); c.max_seq_len = h[6];
  if (c.dim % c.n_heads != 0) r.fail("n_heads", "dim is not a multiple of n_heads");
  c.head_dim = c.dim / c.n_heads;
  if (c.n_heads % c.n_kv_heads != 0) r.fail("n_kv_heads", "does not divide n_heads");
  if (c.head_dim % 2 != 0) r.fail("n_heads", "head size dim / n_heads must be even");
  c.rope = RopeStyle::Interleaved;
  c.tied = shared;
  return c;
}

void read_body_v0(Reader& r, Weights& w) {
  r.tensor(w.token_embedding, "token_embedding");
  r.tensor(w.rms_att, "rms_att");
  r.tensor(w.wq, "wq"); r.tensor(w.wk, "wk"); r.tensor(w.wv, "wv"); r.tensor(w.wo, "wo");
  r.tensor(w.rms_ffn, "rms_ffn");
  r.tensor(w.w1, "w1"); r.tensor(w.w2, "w2"); r.tensor(w.w3, "w3");
  r.tensor(w.rms_final, "rms_final");
  const auto freq = static_cast<std::size_t>(w.config.max_seq_len) *
                    static_cast<std::size_t>(w.config.head_dim / 2) * sizeof(float);
  r.skip(2 * freq, "freq_cis");
  if (!w.config.tied) r.tensor(w.wcls, "wcls");
}

void read_body_v1(Reader& r, Weights& w) {
  r.tensor(w.rms_att, "rms_att");
  r.tensor(w.rms_ffn, "rms_ffn");
  r.tensor(w.rms_final, "rms_final");
  r.tensor(w.token_embedding, "token_embedding");
  r.tensor(w.wq, "wq"); r.tensor(w.wk, "wk"); r.tensor(w.wv, "wv"); r.tensor(w.wo, "wo");
  r.tensor(w.w1, "w1"); r.tensor(w.w2, "w2"); r.tensor(w.w3, "w3");
  if (!w.config.tied) r.tensor(w.wcls, "wcls");
}

std::array<std::int32_t, 7> header_ints(const ModelConfig& c) {
  return {c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab, c.max_seq_len};
}

}  // namespace

Weights read_llama2c(const std::filesystem::path& path) {
  Reader r(path);
  const auto first = r.scalar<std::uint32_t>("magic");
  const bool v1 = first == kMagicV1;
  std::array<std::int32_t, 7> h{};
  std::uint8_t shared = 1;
  if (v1) {
    if (r.scalar<std::int32_t>("version") != 1) r.fail("version", "only v1 of the ak42 format is supported");
    for (auto& x : h) x = r.scalar<std::int32_t>("header");
    shared = r.scalar<std::uint8_t>("shared_classifier");
    r.skip(kV1HeaderBytes - 4 - 4 - 28 - 1, "header");
  } else {
    h[0] = static_cast<std::int32_t>(first);
    for (std::size_t i = 1; i < 7; ++i) h[i] = r.scalar<std::int32_t>("header");
    shared = h[5] > 0 ? 1 : 0;
  }
  bool tied = shared != 0;
  Weights w;
  w.config = config_from_header(r, h, tied);
  w.allocate();
  if (v1) read_body_v1(r, w); else read_body_v0(r, w);
  r.expect_end();
  return w;
}

void write_llama2c(const Weights& w, const std::filesystem::path& path, CheckpointVersion v) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw config_error(path.string(), "", "cannot create checkpoint");
  auto put = [&](const void* p, std::size_t n) {
    out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  };
  auto tensor = [&](const std::vector<float>& t) { put(t.data(), t.size() * sizeof(float)); };
  if (w.config.head_dim * w.config.n_heads != w.config.dim)
    throw config_error(path.string(), "head_dim", "llama2.c files need head_dim = dim / n_heads");
  auto h = header_ints(w.config);
  if (v == CheckpointVersion::V1) {
    std::array<char, kV1HeaderBytes> hdr{};
    const std::int32_t version = 1;
    const auto shared = static_cast<std::uint8_t>(w.config.tied ? 1 : 0);
    std::memcpy(hdr.data(), &kMagicV1, 4);
    std::memcpy(hdr.data() + 4, &version, 4);
    std::memcpy(hdr.data() + 8, h.data(), 28);
    std::memcpy(hdr.data() + 36, &shared, 1);
    put(hdr.data(), hdr.size());
    for (const auto* t : {&w.rms_att, &w.rms_ffn, &w.rms_final, &w.token_embedding, &w.wq,
                          &w.wk, &w.wv, &w.wo, &w.w1, &w.w2, &w.w3})
      tensor(*t);
  } else {
    if (!w.config.tied) h[5] = -h[5];
    put(h.data(), 28);
    for (const auto* t : {&w.token_embedding, &w.rms_att, &w.wq, &w.wk, &w.wv, &w.wo,
                          &w.rms_ffn, &w.w1, &w.w2, &w.w3, &w.rms_final})
      tensor(*t);
    const std::vector<float> freq(static_cast<std::size_t>(w.config.max_seq_len) *
                                  static_cast<std::size_t>(w.config.head_dim / 2) * 2, 0.0f);
    tensor(freq);
  }
  if (!w.config.tied) tensor(w.wcls);
  if (!out) throw config_error(path.string(), "", "write failed");
}

}  // namespace kvcheck::engine
