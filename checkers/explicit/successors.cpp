#include "checkers/explicit/successors.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "checkers/explicit/choice_enumerator.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "properties/predicates.h"

namespace kvcheck::explicit_state {
namespace {

Request as_request(const ResidentRequest& r) { return {0, 0.0, r.prompt, r.output, r.klass}; }
Request as_request(const ArrivalShape& a) { return {0, 0.0, a.prompt, a.output, a.klass}; }

using Refs = std::vector<ConcreteView::Ref>;

bool keeps_arrival(const ModelParams& p) { return policy_traits(p.policy.kind).orders_by_arrival; }

/// The pre-step residents: waiting (queue order), then running, then swapped (swap-out order).
/// In saturated mode the window stands for a backlog that arrived after the running and
/// swapped requests (they were admitted from it).
std::vector<ResidentRequest> residents(const ExplicitState& s, const ExploreOptions& o,
                                       bool keep_arrival) {
  std::vector<ResidentRequest> out;
  if (o.mode == ExploreMode::Saturated) {
    const auto& a = o.shapes.front();
    out.assign(static_cast<std::size_t>(o.queue_window), {a.prompt, a.output, a.klass});
    for (std::size_t i = 0; i < out.size() && keep_arrival; ++i)
      out[i].arrival = static_cast<std::int64_t>(s.running.size() + s.swapped.size() + i);
  } else {
    out = s.waiting;
  }
  out.insert(out.end(), s.running.begin(), s.running.end());
  out.insert(out.end(), s.swapped.begin(), s.swapped.end());
  return out;
}

/// The ConcreteView request of each resident: its place in arrival order, so that the view's
/// arrival_rank is the residents' arrival order (ties, where the order is not kept, by resident
/// index: the identity).
Refs refs_by_arrival(const std::vector<ResidentRequest>& res) {
  std::vector<std::size_t> order(res.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&res](std::size_t a, std::size_t b) { return res[a].arrival < res[b].arrival; });
  Refs ref(res.size());
  for (std::size_t k = 0; k < order.size(); ++k) ref[order[k]] = static_cast<ConcreteView::Ref>(k);
  return ref;
}

/// Rewrites `w` in place (its size is the residents' plus the arrivals'): residents at their
/// arrival-order index, then the arriving shapes in queue order, all arriving at step 0.
void fill_workload(Workload& w, const std::vector<ResidentRequest>& res, const Refs& ref,
                   std::span<const std::int32_t> arrivals, const ExploreOptions& o) {
  for (std::size_t i = 0; i < res.size(); ++i)
    w.requests[static_cast<std::size_t>(ref[i])] = as_request(res[i]);
  for (std::size_t k = 0; k < arrivals.size(); ++k)
    w.requests[res.size() + k] = as_request(o.shapes[static_cast<std::size_t>(arrivals[k])]);
}

/// The buffers restore_view fills; kept between calls so a step allocates nothing.
struct RestoreBuffers {
  std::vector<RequestState> st;
  Refs waiting, running, swapped;
};

/// Residents [0, n_wait) wait, [n_wait, n_wait + n_run) run, the rest are swapped.
void restore_view(ConcreteView& v, const std::vector<ResidentRequest>& res, const Refs& ref,
                  std::size_t n_wait, std::size_t n_run, RestoreBuffers& b) {
  b.st.assign(res.size(), RequestState{});
  b.waiting.clear();
  b.running.clear();
  b.swapped.clear();
  for (std::size_t i = 0; i < res.size(); ++i) {
    auto& s = b.st[static_cast<std::size_t>(ref[i])];
    s.computed = res[i].computed;
    s.generated = res[i].generated;
    s.blocks = res[i].blocks;
    s.tokens = res[i].tokens;
    s.arrived_step = 0;
    if (i < n_wait) {
      s.status = Status::Waiting;
      b.waiting.push_back(ref[i]);
    } else if (i < n_wait + n_run) {
      s.status = Status::Running;
      s.admit_seq = static_cast<std::int64_t>(i - n_wait + 1);
      b.running.push_back(ref[i]);
    } else {
      s.status = Status::Swapped;  // its admit_seq is unused: a swap in stamps a new one
      b.swapped.push_back(ref[i]);
    }
  }
  v.restore(b.st, b.waiting, b.running, b.swapped);
}

/// Request r as a resident of the next state; `arrival` is its Ref (arrival order) where the
/// order is kept, ranked among the next residents by rank_arrivals.
ResidentRequest read_back(const ConcreteView& v, ConcreteView::Ref r, bool keep_arrival) {
  const auto& in = v.input(r);
  const auto& s = v.state(r);
  return {in.prompt, in.output, in.klass, s.computed, s.generated, s.blocks, s.tokens,
          keep_arrival ? r : 0};
}

/// Replaces the residents' arrival values (Refs) by their ranks 0..n-1: the canonical form.
void rank_arrivals(ExplicitState& s) {
  std::vector<std::int64_t> seen;
  for (const auto* q : {&s.waiting, &s.running, &s.swapped})
    for (const auto& r : *q) seen.push_back(r.arrival);
  std::sort(seen.begin(), seen.end());
  for (auto* q : {&s.waiting, &s.running, &s.swapped})
    for (auto& r : *q)
      r.arrival = std::lower_bound(seen.begin(), seen.end(), r.arrival) - seen.begin();
}

/// Whether waiting request r could be admitted with the pool as it is at the step's start.
bool has_capacity(ConcreteView& v, ConcreteView::Ref r) {
  PolicyView<ConcreteView> pv(v);
  const auto& e = v.params().engine;
  const auto n = e.chunked_prefill ? std::min(pv.prompt(r), e.max_batched_tokens) : pv.prompt(r);
  return pv.free_blocks() >= pv.blocks_after(r, n) && pv.num_running() < e.max_num_seqs;
}

void record_effects(const ConcreteView& v, const Refs& ref, std::size_t n_wait,
                    const ExploreOptions& o, ExpandDetail detail, Transition& t) {
  const bool keep = keeps_arrival(v.params());
  const auto& rec = v.last_step();
  t.next.waiting.clear();
  t.next.running.clear();
  t.next.swapped.clear();
  t.picks.clear();
  t.waiting_next.clear();
  t.violated = 0;
  t.window_exhausted = false;
  t.completions = static_cast<std::int64_t>(rec.completed.size());
  t.admitted = static_cast<std::int64_t>(rec.admitted.size());
  if (detail == ExpandDetail::Full) t.picks.assign(rec.picks.begin(), rec.picks.end());
  for (std::size_t i = 0; i < o.properties.size(); ++i)
    if (!holds(o.properties[i], v)) t.violated |= 1U << i;
  if (o.mode == ExploreMode::Saturated) {
    t.window_exhausted = t.admitted >= o.queue_window;
  } else {
    if (detail == ExpandDetail::Full) t.waiting_next.assign(n_wait, -1);
    for (std::size_t i = 0; i < n_wait && detail == ExpandDetail::Full; ++i) {
      const auto& w = v.waiting();
      const auto at = std::find(w.begin(), w.end(), ref[i]);
      if (at != w.end()) t.waiting_next[i] = static_cast<std::int32_t>(at - w.begin());
    }
    for (auto r : v.waiting()) t.next.waiting.push_back(read_back(v, r, keep));
  }
  for (auto r : v.running()) t.next.running.push_back(read_back(v, r, keep));
  for (auto r : v.swapped()) t.next.swapped.push_back(read_back(v, r, keep));
  if (keep) rank_arrivals(t.next);
}

}  // namespace

/// One reusable engine per request count (residents + arrivals): its workload, its choice
/// enumerator and a view over both. The view reads the workload by reference, so rewriting
/// the workload's entries in place and restoring the view is a fresh engine without a malloc.
struct SuccessorGenerator::Scratch {
  Scratch(const ModelParams& p, const TimeModel& time, std::size_t n)
      : workload{std::vector<Request>(n)}, view(p, workload, time, choices) {}
  Workload workload;
  ChoiceEnumerator choices;
  ConcreteView view;
  RestoreBuffers buffers;
  Transition t;
};

SuccessorGenerator::~SuccessorGenerator() = default;

bool SuccessorGenerator::keeps_arrival_order() const { return keeps_arrival(params_); }

SuccessorGenerator::Scratch& SuccessorGenerator::scratch(std::size_t n) const {
  if (scratch_.size() <= n) scratch_.resize(n + 1);
  if (!scratch_[n]) scratch_[n] = std::make_unique<Scratch>(params_, time_, n);
  return *scratch_[n];
}

ArrivalSequences::ArrivalSequences(std::int64_t n_shapes, std::int64_t max_len)
    : n_shapes_(n_shapes) {
  std::int64_t count = 1;  // sequences of the current length
  for (std::int64_t k = 0; k <= max_len; ++k) {
    offset_.push_back(flat_.size());
    count_.push_back(count);
    std::vector<std::int32_t> digits(static_cast<std::size_t>(k), 0);
    for (std::int64_t i = 0; i < count; ++i) {  // base-n_shapes odometer, first digit major
      flat_.insert(flat_.end(), digits.begin(), digits.end());
      for (auto d = digits.rbegin(); d != digits.rend(); ++d) {
        if (++*d < n_shapes_) break;
        *d = 0;
      }
    }
    count *= n_shapes_;
    if (k < max_len && count > kMaxSequences)  // read_explore_options rejects such bounds
      throw std::logic_error("ArrivalSequences: more than 10^6 sequences of one length");
  }
}

SuccessorGenerator::SuccessorGenerator(const ModelParams& params, const TimeModel& time,
                                       const ExploreOptions& opts)
    : params_(params), time_(time), opts_(opts),
      arrivals_(opts.mode == ExploreMode::Saturated ? 0 : static_cast<std::int64_t>(opts.shapes.size()),
                opts.mode == ExploreMode::Saturated ? 0 : opts.max_arrivals) {
  if (opts.in_flight.empty()) return;
  // The in-flight requests as the concrete engine starts them (models/concrete_view.cpp,
  // place_in_flight), read back as residents, so the explorer and simulate share one rule.
  Workload w;
  w.requests = opts.in_flight;
  ChoiceEnumerator choices;
  const ConcreteView v(params, w, time, choices);
  const bool keep = keeps_arrival(params);
  for (auto r : v.running()) initial_.running.push_back(read_back(v, r, keep));
  if (keep) rank_arrivals(initial_);
}

std::int64_t SuccessorGenerator::arrival_cap(const ExplicitState& s) const {
  std::int64_t cap = opts_.max_arrivals;
  if (opts_.max_requests > 0) cap = std::min(cap, opts_.max_requests - s.arrived);
  if (opts_.max_waiting > 0)
    cap = std::min(cap, opts_.max_waiting - static_cast<std::int64_t>(s.waiting.size()));
  return std::max<std::int64_t>(cap, 0);
}

void SuccessorGenerator::visit_with(const ExplicitState& s, const Residents& res,
                                    std::span<const std::int32_t> arrivals,
                                    ExpandDetail detail, const Visitor& visit) const {
  auto& x = scratch(res.requests.size() + arrivals.size());
  fill_workload(x.workload, res.requests, res.ref, arrivals, opts_);
  x.choices = ChoiceEnumerator{};
  const bool full = detail == ExpandDetail::Full;
  do {
    auto& v = x.view;
    restore_view(v, res.requests, res.ref, res.n_wait, res.n_run, x.buffers);
    auto& t = x.t;
    t.capacity.clear();
    for (std::size_t i = 0; i < res.n_wait && opts_.mode == ExploreMode::Bounded && full; ++i)
      t.capacity.push_back(has_capacity(v, res.ref[i]));
    engine_step(v);
    t.arrivals.clear();
    if (full) t.arrivals.assign(arrivals.begin(), arrivals.end());
    t.arrival_count = static_cast<std::int64_t>(arrivals.size());
    t.next.arrived = opts_.max_requests > 0 && opts_.mode == ExploreMode::Bounded
                         ? s.arrived + t.arrival_count : 0;
    record_effects(v, res.ref, res.n_wait, opts_, detail, t);
    visit(t);
  } while (x.choices.advance());
}

void SuccessorGenerator::visit(const ExplicitState& s, ExpandDetail detail,
                               const Visitor& visit) const {
  Residents res;
  res.requests = residents(s, opts_, keeps_arrival(params_));
  res.n_run = s.running.size();
  res.n_wait = res.requests.size() - s.running.size() - s.swapped.size();
  res.ref = refs_by_arrival(res.requests);
  if (opts_.mode != ExploreMode::Saturated) {
    // every sequence of k arriving shapes, min(min_arrivals, cap) <= k <= cap, shorter first
    const auto cap = arrival_cap(s);
    for (auto k = std::min(opts_.min_arrivals, cap); k <= cap; ++k)
      for (std::int64_t i = 0; i < arrivals_.count(k); ++i)
        visit_with(s, res, arrivals_.at(k, i), detail, visit);
    return;
  }
  // Saturated: the step does not depend on the arrival count; each step is emitted once per
  // count, all steps with min_arrivals first, then all with min_arrivals + 1, ...
  std::vector<Transition> base;
  visit_with(s, res, {}, detail, [&base](const Transition& t) { base.push_back(t); });
  for (std::int64_t k = opts_.min_arrivals; k <= opts_.max_arrivals; ++k)
    for (auto& t : base) {
      t.arrival_count = k;
      visit(t);
    }
}

void SuccessorGenerator::expand(const ExplicitState& s, std::vector<Transition>& out,
                                ExpandDetail detail) const {
  visit(s, detail, [&out](const Transition& t) { out.push_back(t); });
}

}  // namespace kvcheck::explicit_state
