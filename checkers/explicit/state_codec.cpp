#include "checkers/explicit/state_codec.h"

#include <stdexcept>

namespace kvcheck::explicit_state {
namespace {

constexpr std::uint8_t kEscape = 255;

/// One byte for 0..254 (every field of the configurations the explorer can exhaust), else the
/// escape byte and the value's 8 bytes.
inline void put(std::int64_t v, std::vector<std::uint8_t>& out) {
  if (v >= 0 && v < kEscape) {
    out.push_back(static_cast<std::uint8_t>(v));
    return;
  }
  out.push_back(kEscape);
  const auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}
  std::int64_t get() {
    const auto first = next();
    if (first != kEscape) return first;
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u |= static_cast<std::uint64_t>(next()) << (8 * i);
    return static_cast<std::int64_t>(u);
  }
  bool done() const { return i_ == b_.size(); }

 private:
  std::uint8_t next() {
    if (i_ >= b_.size()) throw std::logic_error("decode_state: truncated state");
    return b_[i_++];
  }
  std::span<const std::uint8_t> b_;
  std::size_t i_ = 0;
};

void put_queue(const std::vector<ResidentRequest>& q, std::vector<std::uint8_t>& out) {
  put(static_cast<std::int64_t>(q.size()), out);
  for (const auto& r : q) {
    const std::int64_t f[] = {r.prompt, r.output, r.klass, r.computed, r.generated, r.blocks,
                              r.tokens, r.arrival};
    bool small = true;
    for (auto v : f) small = small && v >= 0 && v < kEscape;
    if (small) {  // the common case: 8 bytes at once
      const auto at = out.size();
      out.resize(at + 8);
      for (int i = 0; i < 8; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(f[i]);
      continue;
    }
    for (auto v : f) put(v, out);
  }
}

std::vector<ResidentRequest> get_queue(Reader& in) {
  std::vector<ResidentRequest> q(static_cast<std::size_t>(in.get()));
  for (auto& r : q)
    for (auto* f : {&r.prompt, &r.output, &r.klass, &r.computed, &r.generated, &r.blocks,
                    &r.tokens, &r.arrival})
      *f = in.get();
  return q;
}

}  // namespace

void encode_state(const ExplicitState& s, std::vector<std::uint8_t>& out) {
  put(s.arrived, out);
  put_queue(s.waiting, out);
  put_queue(s.running, out);
}

ExplicitState decode_state(std::span<const std::uint8_t> bytes) {
  Reader in(bytes);
  ExplicitState s;
  s.arrived = in.get();
  s.waiting = get_queue(in);
  s.running = get_queue(in);
  if (!in.done()) throw std::logic_error("decode_state: trailing bytes");
  return s;
}

}  // namespace kvcheck::explicit_state
