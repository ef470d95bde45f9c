#pragma once
/// \file state_codec.h
/// A canonical state as a short byte string: every field of every resident as one byte when
/// it is in 0..254 (every field of the configurations the explorer can exhaust), else an
/// escape byte and the value's 8 bytes. Equal states have equal strings and the encoding is invertible, so the
/// state store compares and hashes bytes instead of vectors of structs (a 6-request state takes
/// ~50 bytes instead of ~500 with the vectors' headers and padding).
#include <cstdint>
#include <span>
#include <vector>

#include "checkers/explicit/explicit_state.h"

namespace kvcheck::explicit_state {

/// Appends the encoding of `s` to `out`.
void encode_state(const ExplicitState& s, std::vector<std::uint8_t>& out);

/// The state whose encoding is `bytes` (throws std::logic_error on a truncated string: a bug).
ExplicitState decode_state(std::span<const std::uint8_t> bytes);

}  // namespace kvcheck::explicit_state
