#pragma once
/// \file choice_enumerator.h
/// A ChoiceSource that enumerates every sequence of `choose` picks of one engine step, odometer
/// style: run the step, then `advance()` to the next sequence until it returns false. The number
/// and ranges of later picks may depend on earlier ones; each run records what was asked.
#include <cstdint>
#include <vector>

#include "models/choice_source.h"

namespace kvcheck::explicit_state {

class ChoiceEnumerator final : public ChoiceSource {
 public:
  std::int64_t pick(std::int64_t, int, std::int64_t lo, std::int64_t hi) override {
    const auto i = calls_++;
    if (i >= prefix_.size()) prefix_.push_back(lo);
    if (i >= hi_.size()) hi_.resize(i + 1);
    hi_[i] = hi;
    if (prefix_[i] < lo || prefix_[i] > hi) prefix_[i] = lo;  // defensive: ranges are stable
    return prefix_[i];
  }
  /// The picks of the run just made.
  std::vector<std::int64_t> picks() const {
    return {prefix_.begin(), prefix_.begin() + static_cast<std::ptrdiff_t>(calls_)};
  }
  /// Moves to the next pick sequence; false when every sequence has been run.
  bool advance() {
    prefix_.resize(calls_);
    hi_.resize(calls_);
    calls_ = 0;
    while (!prefix_.empty() && prefix_.back() >= hi_.back()) {
      prefix_.pop_back();
      hi_.pop_back();
    }
    if (prefix_.empty()) return false;
    ++prefix_.back();
    return true;
  }

 private:
  std::vector<std::int64_t> prefix_, hi_;
  std::size_t calls_ = 0;
};

}  // namespace kvcheck::explicit_state
