#include "checkers/explicit/successors.h"

#include "checkers/explicit/choice_enumerator.h"
#include "models/concrete_view.h"
#include "models/engine_step.h"
#include "properties/predicates.h"

namespace kvcheck::explicit_state {
namespace {

Request as_request(const ResidentRequest& r) { return {0, 0.0, r.prompt, r.output, r.klass}; }
Request as_request(const ArrivalShape& a) { return {0, 0.0, a.prompt, a.output, a.klass}; }

/// The pre-step residents in ConcreteView order: waiting (queue order), then running.
std::vector<ResidentRequest> residents(const ExplicitState& s, const ExploreOptions& o) {
  std::vector<ResidentRequest> out;
  if (o.mode == ExploreMode::Saturated) {
    const auto& a = o.shapes.front();
    out.assign(static_cast<std::size_t>(o.queue_window), {a.prompt, a.output, a.klass});
  } else {
    out = s.waiting;
  }
  out.insert(out.end(), s.running.begin(), s.running.end());
  return out;
}

Workload make_workload(const std::vector<ResidentRequest>& res,
                       const std::vector<std::int32_t>& arrivals, const ExploreOptions& o) {
  Workload w;
  for (const auto& r : res) w.requests.push_back(as_request(r));
  for (auto a : arrivals) w.requests.push_back(as_request(o.shapes[static_cast<std::size_t>(a)]));
  return w;
}

void restore_view(ConcreteView& v, const std::vector<ResidentRequest>& res, std::size_t n_wait) {
  std::vector<RequestState> st(res.size());
  std::vector<ConcreteView::Ref> waiting, running;
  for (std::size_t i = 0; i < res.size(); ++i) {
    auto& s = st[i];
    s.computed = res[i].computed;
    s.generated = res[i].generated;
    s.blocks = res[i].blocks;
    s.tokens = res[i].tokens;
    s.arrived_step = 0;
    const auto ref = static_cast<ConcreteView::Ref>(i);
    if (i < n_wait) {
      s.status = Status::Waiting;
      waiting.push_back(ref);
    } else {
      s.status = Status::Running;
      s.admit_seq = static_cast<std::int64_t>(i - n_wait + 1);
      running.push_back(ref);
    }
  }
  v.restore(st, waiting, running);
}

ResidentRequest read_back(const ConcreteView& v, ConcreteView::Ref r) {
  const auto& in = v.input(r);
  const auto& s = v.state(r);
  return {in.prompt, in.output, in.klass, s.computed, s.generated, s.blocks, s.tokens};
}

/// Whether waiting request r could be admitted with the pool as it is at the step's start.
bool has_capacity(ConcreteView& v, ConcreteView::Ref r) {
  PolicyView<ConcreteView> pv(v);
  const auto& e = v.params().engine;
  const auto n = e.chunked_prefill ? std::min(pv.prompt(r), e.max_batched_tokens) : pv.prompt(r);
  return pv.free_blocks() >= pv.blocks_after(r, n) && pv.num_running() < e.max_num_seqs;
}

void record_effects(const ConcreteView& v, std::size_t n_wait, const ExploreOptions& o,
                    Transition& t) {
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
    for (std::size_t k = 0; k < v.waiting().size(); ++k)
      if (static_cast<std::size_t>(v.waiting()[k]) < n_wait)
        t.waiting_next[static_cast<std::size_t>(v.waiting()[k])] = static_cast<std::int32_t>(k);
    for (auto r : v.waiting()) t.next.waiting.push_back(read_back(v, r));
  }
  for (auto r : v.running()) t.next.running.push_back(read_back(v, r));
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
  const auto res = residents(s, opts_);
  const auto n_wait = res.size() - s.running.size();
  const auto workload = make_workload(res, arrivals, opts_);
  ChoiceEnumerator choices;
  do {
    ConcreteView v(params_, workload, time_, choices);
    restore_view(v, res, n_wait);
    Transition t;
    for (std::size_t i = 0; i < n_wait && opts_.mode == ExploreMode::Bounded; ++i)
      t.capacity.push_back(has_capacity(v, static_cast<ConcreteView::Ref>(i)));
    engine_step(v);
    t.arrivals = arrivals;
    t.arrival_count = static_cast<std::int64_t>(arrivals.size());
    t.next.arrived = opts_.max_requests > 0 && opts_.mode == ExploreMode::Bounded
                         ? s.arrived + t.arrival_count : 0;
    record_effects(v, n_wait, opts_, t);
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
