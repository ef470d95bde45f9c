#pragma once
/// \file time_model.h
/// Iteration-time models: how long one engine iteration takes given its batch. Used by the
/// simulator (timed arrivals, latency metrics) and by calibration; never by policies (policies
/// are integer-only so every backend agrees exactly).
#include <cstdint>
#include <string_view>

namespace kvcheck {

/// What an iteration's duration may depend on.
struct BatchShape {
  std::int64_t prefill_tokens = 0;  ///< P: prompt tokens processed this iteration
  std::int64_t decode_tokens = 0;   ///< D: one per decoding request
  std::int64_t kv_tokens = 0;       ///< KV tokens of the batch's requests (P2's sum of l + s)
  std::int64_t num_seqs = 0;        ///< requests in the batch
};

enum class TimeModelKind {
  Unit,     ///< every iteration takes `unit` seconds (default 1): step-indexed models
  P2Linear, ///< Ao et al. Eq. 1: d0 + d1 * kv_tokens
  P4Step,   ///< Li, Dai, Peng Eq. 4: c + a * ceil(b / b0), b = prefill + decode tokens
  Linear,   ///< a + b*P + c*D + d*KV (calibrated)
  /// max(a + d*KV, b*(P + D)): the roofline: an iteration reads the weights (a) and the batch's
  /// KV (d per token) or computes its tokens (b per token), whichever takes longer
  /// (engines.md 5.3; configs/p2_p512d20.toml). Mixing prefill into a memory-bound decode batch
  /// is free up to the ridge, which the additive forms cannot say.
  Roofline,
};

struct TimeModel {
  TimeModelKind kind = TimeModelKind::Unit;
  double unit = 1.0;
  double d0 = 0.0, d1 = 0.0;          // P2Linear
  double c = 0.0, a = 0.0;            // P4Step
  std::int64_t b0 = 1;                // P4Step
  double la = 0.0, lb = 0.0, lc = 0.0, ld = 0.0;  // Linear: la + lb*P + lc*D + ld*KV;
                                                  // Roofline: max(la + ld*KV, lb*(P + D))

  /// Duration of an iteration that ran nothing while requests were present (an idle tick).
  double idle() const {
    switch (kind) {
      case TimeModelKind::Unit: return unit;
      case TimeModelKind::P2Linear: return d0;
      case TimeModelKind::P4Step: return c;
      case TimeModelKind::Linear:
      case TimeModelKind::Roofline: return la;
    }
    return unit;
  }

  /// Duration in seconds of one iteration with the given batch. An empty batch takes 0.
  double duration(const BatchShape& s) const {
    if (s.num_seqs == 0) return 0.0;
    switch (kind) {
      case TimeModelKind::Unit: return unit;
      case TimeModelKind::P2Linear: return d0 + d1 * static_cast<double>(s.kv_tokens);
      case TimeModelKind::P4Step: {
        const std::int64_t b = s.prefill_tokens + s.decode_tokens;
        return c + a * static_cast<double>((b + b0 - 1) / b0);
      }
      case TimeModelKind::Linear:
        return la + lb * static_cast<double>(s.prefill_tokens) +
               lc * static_cast<double>(s.decode_tokens) + ld * static_cast<double>(s.kv_tokens);
      case TimeModelKind::Roofline: {
        const double memory = la + ld * static_cast<double>(s.kv_tokens);
        const double compute = lb * static_cast<double>(s.prefill_tokens + s.decode_tokens);
        return memory > compute ? memory : compute;
      }
    }
    return unit;
  }
};

std::string_view to_string(TimeModelKind k);
bool parse_time_model_kind(std::string_view s, TimeModelKind& out);

}  // namespace kvcheck
