#pragma once
/// \file series.h
/// Bounded per-iteration time series for reports: consecutive iterations are grouped into
/// buckets of a common width (1, 2, 4, ... iterations) so at most `max_points` buckets exist;
/// each bucket keeps the sum and maximum of every channel. Deterministic in the sequence of
/// samples alone, so a bulk (steady-run) feed and a per-iteration feed give equal series.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kvcheck {

/// One bucket of consecutive iterations.
struct SeriesPoint {
  std::int64_t step = 0;        ///< first iteration in the bucket
  double time = 0.0;            ///< start time of that iteration, seconds
  std::int64_t iterations = 0;  ///< iterations in the bucket
  std::int64_t kv_sum = 0, kv_max = 0;            ///< KV blocks reserved
  std::int64_t waiting_sum = 0, waiting_max = 0;  ///< queue length after the iteration
  std::int64_t running_sum = 0, running_max = 0; ///< running requests after the iteration
  bool operator==(const SeriesPoint&) const = default;
};

class Downsampler {
 public:
  /// `max_points` >= 2 (rounded up to even).
  explicit Downsampler(std::size_t max_points = 400);
  /// Appends one iteration's sample.
  void add(std::int64_t step, double time, std::int64_t kv, std::int64_t waiting,
           std::int64_t running);
  /// Completed buckets plus the partial last one.
  std::vector<SeriesPoint> points() const;
  /// Iterations per completed bucket.
  std::int64_t width() const { return width_; }

 private:
  void merge_pairs();

  std::size_t max_points_;
  std::int64_t width_ = 1;
  std::vector<SeriesPoint> done_;
  SeriesPoint cur_;
};

}  // namespace kvcheck
