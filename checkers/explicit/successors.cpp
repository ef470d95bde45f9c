#include "checkers/explicit/successors.h"

#include <algorithm>
#include <numeric>

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

/// The pre-step residents: waiting (queue order), then running. In saturated mode the window
/// stands for a backlog that arrived after the running requests (they were admitted from it).
std::vector<ResidentRequest> residents(const ExplicitState& s, const ExploreOptions& o,
                                       bool keep_arrival) {
  std::vector<ResidentRequest> out;
  if (o.mode == ExploreMode::Saturated) {
    const auto& a = o.shapes.front();
    out.assign(static_cast<std::size_t>(o.queue_window), {a.prompt, a.output, a.klass});
    for (std::size_t i = 0; i < out.size() && keep_arrival; ++i)
      out[i].arrival = static_cast<std::int64_t>(s.running.size() + i);
  } else {
    out = s.waiting;
  }
  out.insert(out.end(), s.running.begin(), s.running.end());
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

Workload make_workload(const std::vector<ResidentRequest>& res, const Refs& ref,
                       const std::vector<std::int32_t>& arrivals, const ExploreOptions& o) {
  Workload w;
  w.requests.resize(res.size());
  for (std::size_t i = 0; i < res.size(); ++i)
    w.requests[static_cast<std::size_t>(ref[i])] = as_request(res[i]);
  for (auto a : arrivals) w.requests.push_back(as_request(o.shapes[static_cast<std::size_t>(a)]));
  return w;
}

void restore_view(ConcreteView& v, const std::vector<ResidentRequest>& res, const Refs& ref,
                  std::size_t n_wait) {
  std::vector<RequestState> st(res.size());
  Refs waiting, running;
  for (std::size_t i = 0; i < res.size(); ++i) {
    auto& s = st[static_cast<std::size_t>(ref[i])];
    s.computed = res[i].computed;
    s.generated = res[i].generated;
    s.blocks = res[i].blocks;
    s.tokens = res[i].tokens;
    s.arrived_step = 0;
    if (i < n_wait) {
      s.status = Status::Waiting;
      waiting.push_back(ref[i]);
    } else {
      s.status = Status::Running;
      s.admit_seq = static_cast<std::int64_t>(i - n_wait + 1);
      running.push_back(ref[i]);
    }
  }
  v.restore(st, waiting, running);
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
  for (const auto* q : {&s.waiting, &s.running})
    for (const auto& r : *q) seen.push_back(r.arrival);
  std::sort(seen.begin(), seen.end());
  for (auto* q : {&s.waiting, &s.running})
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
                    const ExploreOptions& o, Transition& t) {
  const bool keep = keeps_arrival(v.params());
  const auto& rec = v.last_step();
  t.completions = static_cast<std::int64_t>(rec.completed.size());
  t.admitted = static_cast<std::int64_t>(rec.admitted.size());
  t.picks = rec.picks;
  for (std::size_t i = 0; i < o.properties.size(); ++i)
    if (!holds(o.properties[i], v)) t.violated |= 1U << i;
  if (o.mode == ExploreMode::Saturated) {
    t.window_exhausted = t.admitted >= o.queue_window;
  } else {
    t.waiting_next.assign(n_wait, -1);
    for (std::size_t i = 0; i < n_wait; ++i) {
      const auto& w = v.waiting();
      const auto at = std::find(w.begin(), w.end(), ref[i]);
      if (at != w.end()) t.waiting_next[i] = static_cast<std::int32_t>(at - w.begin());
    }
    for (auto r : v.waiting()) t.next.waiting.push_back(read_back(v, r, keep));
  }
  for (auto r : v.running()) t.next.running.push_back(read_back(v, r, keep));
  if (keep) rank_arrivals(t.next);
}

}  // namespace

SuccessorGenerator::SuccessorGenerator(const ModelParams& params, const TimeModel& time,
                                       const ExploreOptions& opts)
    : params_(params), time_(time), opts_(opts) {}

std::vector<std::vector<std::int32_t>> SuccessorGenerator::arrival_options(
    const ExplicitState& s) const {
  if (opts_.mode == ExploreMode::Saturated) return {{}};  // arrivals are off the state
  std::int64_t cap = opts_.max_arrivals;
  if (opts_.max_requests > 0) cap = std::min(cap, opts_.max_requests - s.arrived);
  if (opts_.max_waiting > 0)
    cap = std::min(cap, opts_.max_waiting - static_cast<std::int64_t>(s.waiting.size()));
  cap = std::max<std::int64_t>(cap, 0);
  const auto lo = std::min(opts_.min_arrivals, cap);
  std::vector<std::vector<std::int32_t>> out, layer{{}};
  const auto n_shapes = static_cast<std::int32_t>(opts_.shapes.size());
  for (std::int64_t k = 0; k <= cap; ++k) {
    if (k >= lo) out.insert(out.end(), layer.begin(), layer.end());
    std::vector<std::vector<std::int32_t>> next;
    for (const auto& seq : layer)
      for (std::int32_t a = 0; a < n_shapes; ++a) {
        next.push_back(seq);
        next.back().push_back(a);
      }
    layer = std::move(next);
  }
  return out;
}

void SuccessorGenerator::expand_with(const ExplicitState& s,
                                     const std::vector<std::int32_t>& arrivals,
                                     std::vector<Transition>& out) const {
  const auto res = residents(s, opts_, keeps_arrival(params_));
  const auto n_wait = res.size() - s.running.size();
  const auto ref = refs_by_arrival(res);
  const auto workload = make_workload(res, ref, arrivals, opts_);
  ChoiceEnumerator choices;
  do {
    ConcreteView v(params_, workload, time_, choices);
    restore_view(v, res, ref, n_wait);
    Transition t;
    for (std::size_t i = 0; i < n_wait && opts_.mode == ExploreMode::Bounded; ++i)
      t.capacity.push_back(has_capacity(v, ref[i]));
    engine_step(v);
    t.arrivals = arrivals;
    t.arrival_count = static_cast<std::int64_t>(arrivals.size());
    t.next.arrived = opts_.max_requests > 0 && opts_.mode == ExploreMode::Bounded
                         ? s.arrived + t.arrival_count : 0;
    record_effects(v, ref, n_wait, opts_, t);
    out.push_back(std::move(t));
  } while (choices.advance());
}

void SuccessorGenerator::expand(const ExplicitState& s, std::vector<Transition>& out) const {
  const auto first = out.size();
  for (const auto& arrivals : arrival_options(s)) expand_with(s, arrivals, out);
  if (opts_.mode != ExploreMode::Saturated) return;
  // Saturated: the step does not depend on the arrival count; copy each step per count.
  const auto base = out.size();
  for (std::int64_t k = opts_.min_arrivals; k <= opts_.max_arrivals; ++k)
    for (std::size_t i = first; i < base; ++i) {
      if (k == opts_.min_arrivals) continue;
      out.push_back(out[i]);
      out.back().arrival_count = k;
    }
  for (std::size_t i = first; i < base; ++i) out[i].arrival_count = opts_.min_arrivals;
}

}  // namespace kvcheck::explicit_state
