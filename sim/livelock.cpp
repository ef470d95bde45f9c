#include "sim/livelock.h"

#include <algorithm>
#include <string>

namespace kvcheck {

std::string Livelock::describe() const {
  std::string ids;
  for (std::size_t i = 0; i < preempted.size() && i < 8; ++i)
    ids += (i ? ", " : "") + std::to_string(preempted[i]);
  if (preempted.size() > 8) ids += ", ... (" + std::to_string(preempted.size()) + " in all)";
  std::string out = "livelock: the engine state after step " + std::to_string(from) +
                    " recurs after step " + std::to_string(from + period) + " (every " +
                    std::to_string(period) + " steps) with no request completing";
  if (preempted.size() == 1)
    out += "; request " + ids + " is preempted and re-admitted in every turn";
  else if (!preempted.empty())
    out += "; requests " + ids + " are preempted and re-admitted in every turn";
  out += "; " + std::to_string(batch_tokens) + " tokens computed per turn are lost";
  return out;
}

void LivelockDetector::fingerprint(const ConcreteView& v, std::vector<std::int64_t>& out) const {
  out.clear();
  out.push_back(v.done());
  out.push_back(v.rejected());
  out.push_back(static_cast<std::int64_t>(v.running().size()));
  for (const auto r : v.running()) {
    const auto& s = v.state(r);
    out.insert(out.end(), {r, s.computed, s.generated, s.blocks, s.tokens});
  }
  out.push_back(-1);
  for (const auto r : v.waiting()) {
    const auto& s = v.state(r);
    out.insert(out.end(), {r, s.computed, s.generated});
  }
  if (v.swapped().empty()) return;  // vLLM V0's swap mode only
  out.push_back(-2);
  for (const auto r : v.swapped()) {
    const auto& s = v.state(r);
    out.insert(out.end(), {r, s.computed, s.generated, s.blocks});
  }
}

void LivelockDetector::restart(const ConcreteView& v) {
  fingerprint(v, saved_);
  saved_step_ = v.last_step().step;
  length_ = 0;
  preempted_.clear();
  tokens_ = 0;
  worked_ = false;
}

std::optional<Livelock> LivelockDetector::observe(const ConcreteView& v) {
  const auto& rec = v.last_step();
  // Only a run that no arrival can change and whose policy picks nothing is deterministic.
  // Arrivals cannot change it when every request has arrived, or when a closed loop is full:
  // only a completion opens a slot, and a recurrence means nothing completed in between.
  const bool arrivals_settled = v.arrived() == v.num_requests() || v.arrivals_gated();
  if (!arrivals_settled || !rec.picks.empty()) {
    saved_step_ = -1;
    return std::nullopt;
  }
  if (saved_step_ < 0) {
    if (rec.preempted.empty() && rec.evicted.empty()) return std::nullopt;
    power_ = 1;
    restart(v);
    return std::nullopt;
  }
  preempted_.insert(preempted_.end(), rec.preempted.begin(), rec.preempted.end());
  preempted_.insert(preempted_.end(), rec.evicted.begin(), rec.evicted.end());
  for (const auto& [id, n] : rec.batch) tokens_ += n;
  worked_ = worked_ || !rec.batch.empty();
  // A cycle with work in it must preempt or evict: otherwise computed tokens only grow. So the
  // states after steps that preempted or evicted recur when the run cycles, and comparing only
  // those keeps the detector off the hot path of runs that never preempt. The period is still
  // counted in steps (saved_step_ to now).
  if (rec.preempted.empty() && rec.evicted.empty()) return std::nullopt;
  ++length_;
  fingerprint(v, now_);
  // A recurrence with no work in between is an idle engine: the `stalled` stop reports it.
  if (now_ == saved_ && worked_) {
    Livelock l{saved_step_, rec.step - saved_step_, preempted_, tokens_};
    std::sort(l.preempted.begin(), l.preempted.end());
    l.preempted.erase(std::unique(l.preempted.begin(), l.preempted.end()), l.preempted.end());
    return l;
  }
  if (length_ == power_) {
    power_ *= 2;
    restart(v);
  }
  return std::nullopt;
}

}  // namespace kvcheck
