#pragma once
/// \file state_codec.h
/// A canonical state as a short byte string, for the explorer's state store. A resident request
/// is its shape's index in the explorer's arrival shapes (its prompt, output and class) and its
/// progress (computed, generated, blocks, tokens), plus its arrival rank for a policy that
/// orders by arrival. A state is its arrival count, then its waiting and running queues (a
/// count, then the residents), then, only when non-empty, vLLM V0's swapped queue (so a
/// swap-free state's string is what it was before swap). Each value is one byte when it is in
/// 0..254 (every field of the configurations the explorer can exhaust), else an escape byte
/// and the value's 8 bytes. Equal states have equal strings and the encoding is invertible, so
/// the store compares and hashes bytes: a 6-request state takes ~33 bytes instead of ~500 as
/// vectors of structs.
#include <cstdint>
#include <span>
#include <vector>

#include "checkers/explicit/explicit_state.h"
#include "checkers/explicit/explore_options.h"

namespace kvcheck::explicit_state {

class StateCodec {
 public:
  /// `shapes`: every shape a resident can have (ExploreOptions::shapes); `keep_arrival`: the
  /// residents' arrival ranks are part of the state (PolicyTraits::orders_by_arrival).
  StateCodec(std::vector<ArrivalShape> shapes, bool keep_arrival);

  /// Appends the encoding of `s` to `out`. A resident whose shape is not one of the shapes is a
  /// std::logic_error (a bug: residents only come from the shapes).
  void encode(const ExplicitState& s, std::vector<std::uint8_t>& out) const;
  /// The state whose encoding is `bytes` (std::logic_error on a malformed string: a bug).
  ExplicitState decode(std::span<const std::uint8_t> bytes) const;

 private:
  class Reader;
  std::int64_t shape_index(const ResidentRequest& r) const;
  void encode_queue(const std::vector<ResidentRequest>& q, std::vector<std::uint8_t>& out) const;
  void decode_queue(Reader& in, std::vector<ResidentRequest>& q) const;

  std::vector<ArrivalShape> shapes_;
  bool keep_arrival_;
};

}  // namespace kvcheck::explicit_state
