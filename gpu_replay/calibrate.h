#pragma once
/// \file calibrate.h
/// Iteration-time calibration (engines.md 5.3): sweep batch compositions on a backend, time
/// each iteration, fit P2's `d0 + d1*KV` and the linear `a + b*P + c*D + d*KV` by non-negative
/// least squares, and emit the `[time]` TOML fragment io/config.cpp reads.
#include <cstdint>
#include <string>
#include <vector>

#include "gpu_replay/backend.h"
#include "models/time_model.h"

namespace kvcheck::engine {

/// One timed iteration: P prefill tokens, D decode tokens, KV = sum over the batch of its
/// requests' KV tokens after the iteration (P2's Eq. 1), and the median time in seconds.
struct CalibPoint {
  std::int64_t prefill = 0, decode = 0, kv = 0;
  double seconds = 0.0;
};

struct FitResult {
  std::vector<double> coef;  ///< in the order of the design columns
  double r2 = 0.0;           ///< coefficient of determination
  double mape = 0.0;         ///< mean absolute percentage error, in percent
};

/// Non-negative least squares: min |X c - y|^2 with c >= 0, by an active-set loop (solve,
/// drop the most negative coefficient, repeat). X is row-major, one row per observation.
/// Throws std::invalid_argument on empty or ragged input.
FitResult fit_nonnegative(const std::vector<std::vector<double>>& X, const std::vector<double>& y);

struct Calibration {
  std::vector<CalibPoint> points;
  FitResult p2;      ///< coef = {d0, d1}
  FitResult linear;  ///< coef = {a, b, c, d}
};

/// Fits both models to the points.
Calibration fit_time_models(std::vector<CalibPoint> points);

/// The TOML fragment: a `[time]` table for `kind` (Linear or P2Linear), with the other fit and
/// the quality of both as comments.
std::string time_toml(const Calibration& c, TimeModelKind kind);

/// The grid the sweep times.
struct SweepSpec {
  std::vector<std::int64_t> decode_counts{1, 4, 16, 64};
  std::vector<std::int64_t> contexts{16, 64, 256};
  std::vector<std::int64_t> prefills{16, 64, 256};
  int warmup = 1;
  int repeats = 5;
};

/// Number of KV blocks the sweep needs for `spec` with `block_size`.
std::int32_t sweep_blocks(const SweepSpec& spec, std::int32_t block_size);

/// Times decode-only, prefill-only and mixed iterations on `backend` (whose pool must hold
/// sweep_blocks(spec, block_size) blocks). Contexts must be below the model's max_seq_len.
std::vector<CalibPoint> sweep(Backend& backend, const ModelConfig& model, std::int32_t block_size,
                              const SweepSpec& spec);

}  // namespace kvcheck::engine
