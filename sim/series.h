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
  /// Appends the samples [first, last) (elements with `step`, `start_time`, `used_blocks`) of
  /// iterations with a constant queue and running count: the same as add() for each of them.
  template <class It>
  void add_constant(It first, It last, std::int64_t waiting, std::int64_t running);
  /// Completed buckets plus the partial last one.
  std::vector<SeriesPoint> points() const;
  /// Iterations per completed bucket.
  std::int64_t width() const { return width_; }

 private:
  void merge_pairs();
  void close_bucket();

  std::size_t max_points_;
  std::int64_t width_ = 1;
  std::vector<SeriesPoint> done_;
  SeriesPoint cur_;
};

template <class It>
void Downsampler::add_constant(It first, It last, std::int64_t waiting, std::int64_t running) {
  while (first != last) {
    if (cur_.iterations == 0) {
      const auto kv = first->used_blocks;
      cur_ = SeriesPoint{first->step, first->start_time, 1, kv, kv, waiting, waiting,
                         running, running};
      ++first;
    } else {
      cur_.waiting_max = waiting > cur_.waiting_max ? waiting : cur_.waiting_max;
      cur_.running_max = running > cur_.running_max ? running : cur_.running_max;
    }
    auto take = width_ - cur_.iterations;
    if (last - first < take) take = static_cast<std::int64_t>(last - first);
    for (const auto end = first + take; first != end; ++first) {
      cur_.kv_sum += first->used_blocks;
      cur_.kv_max = first->used_blocks > cur_.kv_max ? first->used_blocks : cur_.kv_max;
    }
    cur_.iterations += take;
    cur_.waiting_sum += take * waiting;
    cur_.running_sum += take * running;
    if (cur_.iterations >= width_) close_bucket();
  }
}

}  // namespace kvcheck
