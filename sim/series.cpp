#include "sim/series.h"

#include <algorithm>

namespace kvcheck {
namespace {

void absorb(SeriesPoint& into, const SeriesPoint& p) {
  if (into.iterations == 0) {
    into = p;
    return;
  }
  into.iterations += p.iterations;
  into.kv_sum += p.kv_sum;
  into.kv_max = std::max(into.kv_max, p.kv_max);
  into.waiting_sum += p.waiting_sum;
  into.waiting_max = std::max(into.waiting_max, p.waiting_max);
  into.running_sum += p.running_sum;
  into.running_max = std::max(into.running_max, p.running_max);
}

}  // namespace

Downsampler::Downsampler(std::size_t max_points)
    : max_points_(std::max<std::size_t>(2, max_points + max_points % 2)) {
  done_.reserve(max_points_);
}

void Downsampler::add(std::int64_t step, double time, std::int64_t kv, std::int64_t waiting,
                      std::int64_t running) {
  if (cur_.iterations == 0) {
    cur_ = SeriesPoint{step, time, 1, kv, kv, waiting, waiting, running, running};
  } else {  // absorb() of a one-iteration point, spelled out (called once per iteration)
    ++cur_.iterations;
    cur_.kv_sum += kv;
    cur_.kv_max = std::max(cur_.kv_max, kv);
    cur_.waiting_sum += waiting;
    cur_.waiting_max = std::max(cur_.waiting_max, waiting);
    cur_.running_sum += running;
    cur_.running_max = std::max(cur_.running_max, running);
  }
  if (cur_.iterations < width_) return;
  close_bucket();
}

void Downsampler::close_bucket() {
  done_.push_back(cur_);
  cur_ = SeriesPoint{};
  if (done_.size() >= max_points_) merge_pairs();
}

void Downsampler::merge_pairs() {
  std::size_t out = 0;
  for (std::size_t i = 0; i + 1 < done_.size(); i += 2) {
    SeriesPoint p = done_[i];
    absorb(p, done_[i + 1]);
    done_[out++] = p;
  }
  done_.resize(out);
  width_ *= 2;
}

std::vector<SeriesPoint> Downsampler::points() const {
  auto out = done_;
  if (cur_.iterations > 0) out.push_back(cur_);
  return out;
}

}  // namespace kvcheck
