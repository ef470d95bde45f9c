#include "checkers/explicit/state_codec.h"

#include <stdexcept>
#include <utility>

namespace kvcheck::explicit_state {
namespace {

constexpr std::uint8_t kEscape = 255;

bool small(std::int64_t v) { return v >= 0 && v < kEscape; }

/// One byte for 0..254, else the escape byte and the value's 8 bytes.
void put(std::int64_t v, std::vector<std::uint8_t>& out) {
  if (small(v)) {
    out.push_back(static_cast<std::uint8_t>(v));
    return;
  }
  out.push_back(kEscape);
  const auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(u >> (8 * i)));
}

}  // namespace

class StateCodec::Reader {
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
    if (i_ >= b_.size()) throw std::logic_error("StateCodec: truncated state");
    return b_[i_++];
  }
  std::span<const std::uint8_t> b_;
  std::size_t i_ = 0;
};

StateCodec::StateCodec(std::vector<ArrivalShape> shapes, bool keep_arrival)
    : shapes_(std::move(shapes)), keep_arrival_(keep_arrival) {}

std::int64_t StateCodec::shape_index(const ResidentRequest& r) const {
  for (std::size_t i = 0; i < shapes_.size(); ++i) {
    const auto& a = shapes_[i];
    if (a.prompt == r.prompt && a.output == r.output && a.klass == r.klass)
      return static_cast<std::int64_t>(i);
  }
  throw std::logic_error("StateCodec: a resident's shape is not an arrival shape");
}

void StateCodec::encode_queue(const std::vector<ResidentRequest>& q,
                              std::vector<std::uint8_t>& out) const {
  put(static_cast<std::int64_t>(q.size()), out);
  for (const auto& r : q) {
    const std::int64_t f[] = {shape_index(r), r.computed, r.generated, r.blocks, r.tokens,
                              r.arrival};
    const std::size_t n = keep_arrival_ ? 6 : 5;
    bool all_small = true;
    for (std::size_t i = 0; i < n; ++i) all_small = all_small && small(f[i]);
    if (!all_small) {
      for (std::size_t i = 0; i < n; ++i) put(f[i], out);
      continue;
    }
    const auto at = out.size();  // the common case: one write per request
    out.resize(at + n);
    for (std::size_t i = 0; i < n; ++i) out[at + i] = static_cast<std::uint8_t>(f[i]);
  }
}

void StateCodec::encode(const ExplicitState& s, std::vector<std::uint8_t>& out) const {
  if (!keep_arrival_)
    for (const auto* q : {&s.waiting, &s.running, &s.swapped})
      for (const auto& r : *q)
        if (r.arrival != 0) throw std::logic_error("StateCodec: an arrival rank not kept");
  put(s.arrived, out);
  encode_queue(s.waiting, out);
  encode_queue(s.running, out);
  // The swapped queue only when non-empty: a swap-free state encodes as before, and its
  // presence is the presence of bytes after the running queue.
  if (!s.swapped.empty()) encode_queue(s.swapped, out);
}

void StateCodec::decode_queue(Reader& in, std::vector<ResidentRequest>& q) const {
  q.resize(static_cast<std::size_t>(in.get()));
  for (auto& r : q) {
    const auto k = in.get();
    if (k < 0 || static_cast<std::size_t>(k) >= shapes_.size())
      throw std::logic_error("StateCodec: no such shape");
    const auto& a = shapes_[static_cast<std::size_t>(k)];
    r.prompt = a.prompt;
    r.output = a.output;
    r.klass = a.klass;
    for (auto* f : {&r.computed, &r.generated, &r.blocks, &r.tokens}) *f = in.get();
    r.arrival = keep_arrival_ ? in.get() : 0;
  }
}

ExplicitState StateCodec::decode(std::span<const std::uint8_t> bytes) const {
  Reader in(bytes);
  ExplicitState s;
  s.arrived = in.get();
  decode_queue(in, s.waiting);
  decode_queue(in, s.running);
  if (!in.done()) {
    decode_queue(in, s.swapped);
    // an empty swapped queue is encoded by no bytes: one written as a count of 0 is not canonical
    if (s.swapped.empty()) throw std::logic_error("StateCodec: an empty swapped queue encoded");
  }
  if (!in.done()) throw std::logic_error("StateCodec: trailing bytes");
  return s;
}

}  // namespace kvcheck::explicit_state
