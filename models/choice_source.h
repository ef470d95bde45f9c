#pragma once
/// \file choice_source.h
/// Where a concrete run takes the nondeterministic inputs a policy asks for with `choose`
/// (e.g. Algorithm 2's random budget B_t): a seeded generator, or a script read from a trace.
#include <cstdint>
#include <vector>

namespace kvcheck {

class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  /// A value in [lo, hi] for choice `id` at `step`.
  virtual std::int64_t pick(std::int64_t step, int id, std::int64_t lo, std::int64_t hi) = 0;
};

/// splitmix64-driven uniform choices; the same seed gives the same run on every platform.
class SeededChoices final : public ChoiceSource {
 public:
  explicit SeededChoices(std::uint64_t seed) : state_(seed) {}
  std::int64_t pick(std::int64_t, int, std::int64_t lo, std::int64_t hi) override {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1U;
    return lo + static_cast<std::int64_t>(next() % span);
  }

 private:
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

/// Seeded choices (SeededChoices), recorded per step in the layout ScriptedChoices replays: a
/// run's picks for its trace.
class RecordedChoices final : public ChoiceSource {
 public:
  explicit RecordedChoices(std::uint64_t seed) : inner_(seed) {}
  std::int64_t pick(std::int64_t step, int id, std::int64_t lo, std::int64_t hi) override {
    const auto v = inner_.pick(step, id, lo, hi);
    if (static_cast<std::int64_t>(picks.size()) <= step)
      picks.resize(static_cast<std::size_t>(step) + 1);
    picks[static_cast<std::size_t>(step)].push_back(v);
    return v;
  }
  std::vector<std::vector<std::int64_t>> picks;

 private:
  SeededChoices inner_;
};

/// Replays recorded choices: step s uses picks[s] in order of request. Missing entries fall
/// back to `lo` and are reported through `exhausted()`.
class ScriptedChoices final : public ChoiceSource {
 public:
  explicit ScriptedChoices(std::vector<std::vector<std::int64_t>> per_step)
      : per_step_(std::move(per_step)) {}
  std::int64_t pick(std::int64_t step, int, std::int64_t lo, std::int64_t hi) override {
    if (step != cur_step_) { cur_step_ = step; idx_ = 0; }
    const auto s = static_cast<std::size_t>(step);
    if (s >= per_step_.size() || idx_ >= per_step_[s].size()) { exhausted_ = true; return lo; }
    const auto v = per_step_[s][idx_++];
    if (v < lo || v > hi) { exhausted_ = true; return lo; }
    return v;
  }
  bool exhausted() const { return exhausted_; }

 private:
  std::vector<std::vector<std::int64_t>> per_step_;
  std::int64_t cur_step_ = -1;
  std::size_t idx_ = 0;
  bool exhausted_ = false;
};

}  // namespace kvcheck
