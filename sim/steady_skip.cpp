#include "sim/steady_skip.h"

#include <algorithm>

#include "properties/property.h"

namespace kvcheck {

// The skipper starts a steady run after an iteration E of one of two kinds (scan() checks
// which): (a) a steady E (every running request decoded one token, nothing else happened),
// with or without a queue; (b) an E after which the queue is empty and every running request
// was served in E and is past its prompt (arrivals, admissions, completions allowed). For each
// policy below that may skip, the plan after (b) is "one decode token for every running
// request, admit nobody" as well: nothing waits (arrivals stop the run), every running request
// needs one token, and E fitted at least one token and one batch slot per running request under
// the same per-iteration budgets, so the token, sequence and k_max budgets still fit; memory is
// checked by plan() step by step (the run stops before the pool runs short).
// The per-policy argument is written beside each policy's traits (`steady_skip`,
// models/policies/).
bool policy_allows_skipping(PolicyKind k) { return policy_traits(k).steady_skip; }

bool property_allows_skipping(PropertyId p) {
  switch (p) {
    case PropertyId::KvNoOverflow:      // skipping stops before any pool shortage
    case PropertyId::KvWithinCapacity:  // idem
    case PropertyId::NoEviction:        // nothing is evicted in a steady iteration
    case PropertyId::NoPreemption:      // nor preempted
    case PropertyId::Conservation:      // counts are constant
    case PropertyId::ExactDelivery:     // skipping stops before the first completion
    case PropertyId::Alg1MemoryBound:   // skipping stops before the token bound is exceeded
    case PropertyId::Progress:          // every steady batch is non-empty
    case PropertyId::Schedulable:       // the waiting queue does not change
    case PropertyId::SwapSpace:         // nothing is swapped out
      return true;
  }
  return false;
}

SteadySkipper::SteadySkipper(const ModelParams& params, const TimeModel& time,
                             const Workload& workload, const SimOptions& opts,
                             std::span<StepObserver* const> observers)
    : params_(params), time_(time), workload_(workload), observers_(observers) {
  enabled_ = opts.skip_steady && policy_allows_skipping(params.policy.kind);
  for (auto* o : observers) enabled_ = enabled_ && o->accepts_steady_runs();
  for (auto p : opts.properties) {
    enabled_ = enabled_ && property_allows_skipping(p);
    if (p == PropertyId::Alg1MemoryBound) {
      check_alg1_ = true;
      alg1_bound_ = alg1_memory_bound(params);
    }
  }
}

bool SteadySkipper::scan(const ConcreteView& v, std::int64_t& limit, std::int64_t& kv) {
  const auto& r = v.last_step();
  if (r.overflow || !r.preempted.empty() || !r.evicted.empty() || !r.picks.empty()) return false;
  const auto running = v.running().size();
  if (r.batch.empty() || running == 0) return false;
  // Two premises, both requiring that every running request was in the batch:
  // (a) queue not empty: a steady iteration. Nothing arrived, was admitted or completed, and
  //     every running request decoded one token (so the queue head is blocked).
  // (b) queue empty: arrivals, admissions and completions allowed; every running request is
  //     past its prompt. Why both keep the plan steady: the comment above policy_allows_skipping
  //     and each policy's `steady_skip` trait (models/policies/).
  const bool queue_empty = v.count_waiting() == 0;
  if (!queue_empty && (!r.arrived.empty() || !r.rejected.empty() || !r.admitted.empty() ||
                       !r.completed.empty()))
    return false;
  if (r.batch.size() != running + r.completed.size()) return false;  // someone not served
  const auto bs = params_.engine.block_size, la = params_.engine.lookahead;
  const bool pow2 = (bs & (bs - 1)) == 0;  // then the phase is a mask, not two divisions
  dense_ = bs <= kMaxDensePhases;
  phases_.assign(dense_ ? static_cast<std::size_t>(bs) : 0, {0, 0});
  kv = 0;
  // The batch lists distinct requests; the completed ones aside, as many as are running, so
  // every running request.
  for (const auto& [id, n] : r.batch) {
    const auto& s = v.state(id);
    if (s.status == Status::Done) continue;  // one of r.completed (premise (b) only)
    if (s.status != Status::Running) return false;
    // (a): one token each, decoding before the step (generated >= 1 before, so >= 2 now).
    // (b): past the prompt now (generated >= 1), so the next iteration offers one token.
    if (queue_empty ? s.generated < 1 : n != 1 || s.generated < 2) return false;
    limit = std::min(limit, v.output(id) - s.generated - 1);  // the first completion is an event
    kv += s.computed;
    // r's reservation grows by one block in skipped iteration j iff
    // (computed + lookahead + j) % block_size == 0: group the requests by that phase.
    const auto phase = pow2 ? -(s.computed + la) & (bs - 1) : (bs - (s.computed + la) % bs) % bs;
    if (dense_)
      ++phases_[static_cast<std::size_t>(phase)].second;
    else
      phases_.emplace_back(phase, 1);
  }
  if (!dense_) compress_phases();
  return true;
}

void SteadySkipper::compress_phases() {
  std::sort(phases_.begin(), phases_.end());
  std::size_t out = 0;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    if (out > 0 && phases_[out - 1].first == phases_[i].first)
      phases_[out - 1].second += phases_[i].second;
    else
      phases_[out++] = phases_[i];
  }
  phases_.resize(out);
}

void SteadySkipper::plan(const ConcreteView& v, std::int64_t limit, std::int64_t kv_tokens) {
  steps_.clear();
  const auto n = v.count_running();
  const auto bs = params_.engine.block_size;
  const auto total = params_.engine.num_blocks;
  // A closed loop with every slot taken admits no arrival before a completion, which ends the
  // run anyway: pending arrivals then bound nothing (ConcreteView::arrivals_gated).
  const bool timed = workload_.clock == ArrivalClock::Timed && v.arrived() < v.num_requests() &&
                     !v.arrivals_gated();
  const double next_arrival = v.next_arrival_time();
  std::int64_t blocks = v.used_blocks(), tokens = v.used_tokens(), pos = 0;
  std::size_t ph = 0;
  double t = v.now();
  for (std::int64_t j = 0; j < limit; ++j) {
    if (timed && next_arrival <= t) break;  // begin_step would admit an arrival
    if (dense_)
      blocks += phases_[static_cast<std::size_t>(pos)].second;
    else
      for (; ph < phases_.size() && phases_[ph].first == pos; ++ph) blocks += phases_[ph].second;
    if (blocks > total) break;  // shortage: the policy would preempt or the engine evict
    tokens += n;
    kv_tokens += n;
    if (check_alg1_ && tokens > alg1_bound_) break;
    const double d = time_.duration(BatchShape{0, n, kv_tokens, n});
    steps_.push_back({v.step() + j, t, d, blocks, tokens, kv_tokens});
    t += d;
    if (++pos == bs) pos = 0, ph = 0;
  }
}

std::int64_t SteadySkipper::skip(ConcreteView& v, std::int64_t max_steps) {
  if (!enabled_ || v.finished()) return 0;
  std::int64_t limit = max_steps, kv = 0;
  if (workload_.clock == ArrivalClock::Steps && v.arrived() < v.num_requests() &&
      !v.arrivals_gated())
    limit = std::min(limit, v.next_arrival_step() - v.step());
  if (limit <= 0 || !scan(v, limit, kv) || limit <= 0) return 0;
  plan(v, limit, kv);
  if (steps_.empty()) return 0;
  const auto& last = steps_.back();
  const auto n = static_cast<std::int64_t>(steps_.size());
  v.apply_steady_run(n, last.start_time + last.duration, last.start_time, last.duration);
  const SteadyRun run{v.count_waiting(), v.count_running(), v.done(), steps_};
  for (auto* o : observers_) o->on_steady_run(v, run);
  return n;
}

}  // namespace kvcheck
