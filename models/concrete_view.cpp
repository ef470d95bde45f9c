#include "models/concrete_view.h"

#include <algorithm>
#include <stdexcept>

#include "models/arrival_rules.h"
#include "models/engine_rules.h"

namespace kvcheck {

ConcreteView::ConcreteView(const ModelParams& params, const Workload& workload,
                           const TimeModel& time, ChoiceSource& choices)
    : params_(params), workload_(workload), time_(time), choices_(choices),
      req_(workload.requests.size()), window_free_(workload.max_concurrency) {
  const auto bs = params.engine.block_size;
  if (bs > 0 && (bs & (bs - 1)) == 0) {
    block_shift_ = 0;
    while ((std::int64_t{1} << block_shift_) < bs) ++block_shift_;
  }
  place_in_flight();
}

void ConcreteView::place_in_flight() {
  // The workload's in-flight prefix (Request::decoded_at_start >= 0) starts running, admitted
  // in workload order, in the state the engine itself leaves after the request's prefill
  // iteration and k decode iterations (models/engine_rules.h, progress_after): the prefill
  // computes the prompt and samples output token 1; each decode computes one token and samples
  // the next, so computed = prompt + k and generated = k + 1. Its reservation is what
  // do_schedule made in the last of those iterations, computed_before + n + lookahead =
  // computed + lookahead tokens, in blocks_for(computed + lookahead) blocks (the state
  // apply_steady_run also leaves).
  const auto& e = params_.engine;
  const auto n = workload_.in_flight_count();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& in = workload_.requests[i];
    const auto k = in.decoded_at_start;
    if (k + 1 >= in.output) throw std::logic_error("in-flight request: decoded + 1 >= output");
    auto& s = req_[i];
    s.computed = in.prompt + k;
    s.generated = k + 1;
    s.tokens = s.computed + e.lookahead;
    s.blocks = blocks_for_tokens(s.tokens);
    s.status = Status::Running;
    s.admit_seq = ++admit_counter_;
    // Arrived at step 0, time 0; the first token is already out (time 0, before step 0: a TTFT
    // of 0 s and 0 iterations).
    s.arrived_step = 0;
    s.arrived_time = 0.0;
    s.first_token_step = -1;
    s.first_token_time = 0.0;
    used_blocks_ += s.blocks;
    used_tokens_ += s.tokens;
    ++num_running_;
    running_.push_back(static_cast<Ref>(i));
  }
  next_arrival_ = n;
  window_free_ = workload_.max_concurrency - in_flight();
}

void ConcreteView::do_schedule(Ref r, Int n) {
  auto& s = st(r);
  const Int tokens = s.computed + n + params_.engine.lookahead;
  const Int blocks = blocks_for_tokens(tokens);
  used_blocks_ += blocks - s.blocks;
  used_tokens_ += tokens - s.tokens;
  s.blocks = blocks;
  s.tokens = tokens;
  s.sched = n;
}

void ConcreteView::do_admit(Ref r) {
  auto& s = st(r);
  if (s.status != Status::Waiting) throw std::logic_error("admit: request is not waiting");
  s.status = Status::Running;
  s.admit_seq = ++admit_counter_;
  ++num_running_;
  rec_.admitted.push_back(r);
}

void ConcreteView::release(RequestState& s) {
  used_blocks_ -= s.blocks;
  used_tokens_ -= s.tokens;
  s.blocks = 0;
  s.tokens = 0;
  s.sched = 0;
}

void ConcreteView::reset_progress(Ref r) {
  auto& s = st(r);
  if (s.status != Status::Running) throw std::logic_error("preempt: request is not running");
  s.wasted_tokens += s.computed;
  release(s);
  s.computed = 0;
  if (!params_.engine.recompute_keeps_output) s.generated = 0;
  s.status = Status::Waiting;
  --num_running_;
  (params_.engine.requeue == Requeue::Front ? requeue_front_ : requeue_back_).push_back(r);
}

void ConcreteView::do_preempt(Ref r) {
  reset_progress(r);
  ++st(r).preemptions;
  rec_.preempted.push_back(r);
}

void ConcreteView::do_evict(Ref r) {
  reset_progress(r);
  ++st(r).evictions;
  rec_.evicted.push_back(r);
}

void ConcreteView::do_swap_out(Ref r) {
  // vLLM V0 `_swap_out`: `can_swap_out` (free CPU blocks >= swap_touched_blocks, no watermark)
  // or "Aborted due to the lack of CPU swap space". The abort is recorded and the blocks moved
  // anyway, so the iteration stays consistent; the `swap_space` property reports it.
  auto& s = st(r);
  if (s.status != Status::Running) throw std::logic_error("swap_out: request is not running");
  if (free_cpu_blocks() < swap_touched_blocks<Concrete>(params_.engine, s.computed))
    rec_.swap_abort = true;
  used_blocks_ -= s.blocks;
  used_tokens_ -= s.tokens;
  cpu_used_ += s.blocks;
  s.sched = 0;
  s.status = Status::Swapped;
  ++s.swaps;
  --num_running_;
  rec_.swapped_out.push_back(r);
}

void ConcreteView::do_swap_in(Ref r) {
  auto& s = st(r);
  if (s.status != Status::Swapped) throw std::logic_error("swap_in: request is not swapped");
  cpu_used_ -= s.blocks;
  used_blocks_ += s.blocks;
  used_tokens_ += s.tokens;
  s.status = Status::Running;
  s.admit_seq = ++admit_counter_;
  ++num_running_;
  rec_.swapped_in.push_back(r);
}

ConcreteView::Int ConcreteView::choose(int id, std::int64_t lo, std::int64_t hi) {
  const auto v = choices_.pick(step_, id, lo, hi);
  rec_.picks.push_back(v);
  return v;
}

bool ConcreteView::due(const Request& in) const {
  return workload_.clock == ArrivalClock::Steps ? in.arrival_step <= step_
                                                : in.arrival_time <= now_;
}

double ConcreteView::entry_time(const Request& in) {
  if (workload_.max_concurrency <= 0) return in.arrival_time;
  // Closed loop: vLLM's bench client starts a request's clock once it holds a semaphore slot
  // (vllm/benchmarks/serve.py, limited_request_func). A request that arrived during the last
  // iteration took a slot at its arrival time while one was free; one that arrived earlier, or
  // found none free, got the slot a completion freed at the iteration's end, now.
  if (in.arrival_time > window_start_ && window_free_ > 0) {
    --window_free_;
    return in.arrival_time;
  }
  return now_;
}

void ConcreteView::arrive(Ref r) {
  auto& s = st(r);
  const auto& in = input(r);
  s.arrived_step = step_;
  s.arrived_time = workload_.clock == ArrivalClock::Timed ? entry_time(in) : now_;
  if (unservable<Concrete>(params_.engine, in.prompt, in.output)) {
    s.status = Status::Rejected;
    ++rejected_;
    rec_.rejected.push_back(r);
    return;
  }
  s.status = Status::Waiting;
  waiting_.push_back(r);
  rec_.arrived.push_back(r);
}

void ConcreteView::begin_step() {
  rec_.clear();
  first_tokens_.clear();
  rec_.step = step_;
  rec_.start_time = now_;
  admit_arrivals();
  max_waiting_pos_ = -1;
}

void ConcreteView::admit_arrivals() {
  // In workload order, each one while models/arrival_rules.h lets it in; the loop stops at
  // the first that may not enter, so later requests never overtake it (FIFO).
  const auto n = workload_.requests.size();
  const auto c = workload_.max_concurrency;
  while (next_arrival_ < n &&
         may_enter<Concrete>(due(workload_.requests[next_arrival_]), true, in_flight(), c))
    arrive(static_cast<Ref>(next_arrival_++));
  window_start_ = now_;
  window_free_ = c - in_flight();
}

void ConcreteView::remove_admitted_from_waiting() {
  if (rec_.admitted.empty()) return;
  // Admitted requests lie within the scanned prefix [0, max_waiting_pos_].
  const auto scanned = static_cast<std::size_t>(max_waiting_pos_ + 1);
  scratch_.clear();
  for (std::size_t i = 0; i < scanned; ++i)
    if (st(waiting_[i]).status == Status::Waiting) scratch_.push_back(waiting_[i]);
  waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<std::ptrdiff_t>(scanned));
  waiting_.insert(waiting_.begin(), scratch_.begin(), scratch_.end());
}

void ConcreteView::apply_requeues() {
  // Front: the requeued requests go to the head in admission order (oldest first), which is
  // what vLLM's one-by-one prepend of newest-first victims produces.
  std::sort(requeue_front_.begin(), requeue_front_.end(),
            [this](Ref a, Ref b) { return st(a).admit_seq < st(b).admit_seq; });
  for (auto it = requeue_front_.rbegin(); it != requeue_front_.rend(); ++it)
    waiting_.push_front(*it);
  for (Ref r : requeue_back_) waiting_.push_back(r);
  requeue_front_.clear();
  requeue_back_.clear();
}

void ConcreteView::compact_running() {
  std::erase_if(running_, [this](Ref r) { return st(r).status != Status::Running; });
}

void ConcreteView::commit_swaps() {
  // Swap-ins are a prefix of the swapped queue (FCFS, stopping at the first that does not fit);
  // they rejoin running after this step's admissions (V0 has none in a swap-in step).
  if (!rec_.swapped_in.empty()) {
    for (std::size_t i = 0; i < rec_.swapped_in.size(); ++i)
      if (swapped_[i] != rec_.swapped_in[i])
        throw std::logic_error("swap_in: not the head of the swapped queue");
    swapped_.erase(swapped_.begin(),
                   swapped_.begin() + static_cast<std::ptrdiff_t>(rec_.swapped_in.size()));
    running_.insert(running_.end(), rec_.swapped_in.begin(), rec_.swapped_in.end());
  }
  swapped_.insert(swapped_.end(), rec_.swapped_out.begin(), rec_.swapped_out.end());
}

void ConcreteView::commit() {
  remove_admitted_from_waiting();
  // Only preemption and swap out (in the policy) have left non-running requests in running_.
  if (!rec_.preempted.empty() || !rec_.swapped_out.empty()) compact_running();
  running_.insert(running_.end(), rec_.admitted.begin(), rec_.admitted.end());
  if (!rec_.swapped_in.empty() || !rec_.swapped_out.empty()) commit_swaps();
  apply_requeues();
  rec_.demand_blocks = used_blocks_;
}

void ConcreteView::batch_ready() {
  rec_.used_blocks = used_blocks_;
  rec_.used_tokens = used_tokens_;
}

void ConcreteView::do_finish(Ref r, Int computed, Int generated, bool done) {
  auto& s = st(r);
  const Int n = s.sched;
  // Prefill tokens: those a request still in prefill (its prompt, or after a recompute that
  // keeps the output, its known tokens) computes; a decode step's one token is not.
  const auto& e = params_.engine;
  const auto prompt = input(r).prompt;
  const Int rest = known_tokens<Concrete>(e, prompt, s.generated) - s.computed;
  const Int prefill =
      in_prefill<Concrete>(e, prompt, s.computed, s.generated) ? std::min(n, rest) : 0;
  rec_.batch.emplace_back(r, n);
  rec_.prefill_tokens += prefill;
  rec_.decode_tokens += n - prefill;
  rec_.kv_tokens += computed;
  if (s.generated == 0 && generated > 0 && s.first_token_step < 0 && s.first_token_time < 0) {
    s.first_token_step = step_;
    first_tokens_.push_back(r);
  }
  s.computed = computed;
  s.generated = generated;
  s.sched = 0;
  if (!done) return;
  release(s);
  s.status = Status::Done;
  s.finish_step = step_;
  --num_running_;
  ++done_;
  rec_.completed.push_back(r);
}

void ConcreteView::end_step() {
  apply_requeues();
  // Since commit() only evictions and completions take requests out of the running set.
  if (!rec_.evicted.empty() || !rec_.completed.empty()) compact_running();
  BatchShape shape{rec_.prefill_tokens, rec_.decode_tokens, rec_.kv_tokens,
                   static_cast<std::int64_t>(rec_.batch.size())};
  const bool system_empty =
      waiting_.empty() && running_.empty() && swapped_.empty() && rec_.completed.empty();
  rec_.duration = !rec_.batch.empty() ? time_.duration(shape) : system_empty ? 0.0 : time_.idle();
  now_ += rec_.duration;
  // Only the requests that got their first token or completed in this iteration get a time.
  for (Ref r : first_tokens_) {
    auto& s = st(r);
    if (s.first_token_time < 0) s.first_token_time = now_;
  }
  first_tokens_.clear();
  for (Ref r : rec_.completed) st(r).finish_time = now_;
  rec_.waiting_after = static_cast<std::int64_t>(waiting_.size());
  rec_.running_after = static_cast<std::int64_t>(running_.size());
  rec_.done_after = done_;
  rec_.swapped_after = static_cast<std::int64_t>(swapped_.size());
  rec_.cpu_used_blocks = cpu_used_;
  ++step_;
}

double ConcreteView::next_arrival_time() const {
  if (next_arrival_ >= workload_.requests.size()) return -1.0;
  return workload_.requests[next_arrival_].arrival_time;
}

std::int64_t ConcreteView::next_arrival_step() const {
  if (next_arrival_ >= workload_.requests.size()) return -1;
  return workload_.requests[next_arrival_].arrival_step;
}

void ConcreteView::skip_idle() {
  if (!waiting_.empty() || !running_.empty() || !swapped_.empty()) return;
  if (next_arrival_ >= workload_.requests.size()) return;
  if (workload_.clock == ArrivalClock::Steps)
    step_ = std::max(step_, next_arrival_step());
  else
    now_ = std::max(now_, next_arrival_time());
}

void ConcreteView::apply_steady_run(std::int64_t n, double end_time, double last_start,
                                    double last_duration) {
  rec_.clear();
  rec_.step = step_ + n - 1;
  rec_.start_time = last_start;
  rec_.duration = last_duration;
  const auto& e = params_.engine;
  for (Ref r : running_) {
    auto& s = st(r);
    s.computed += n;
    s.generated += n;
    const Int tokens = s.computed + e.lookahead;
    const Int blocks = blocks_for_tokens(tokens);
    used_blocks_ += blocks - s.blocks;
    used_tokens_ += tokens - s.tokens;
    s.blocks = blocks;
    s.tokens = tokens;
    rec_.batch.emplace_back(r, 1);
    rec_.kv_tokens += s.computed;
  }
  rec_.decode_tokens = static_cast<Int>(running_.size());
  rec_.demand_blocks = rec_.used_blocks = used_blocks_;
  rec_.used_tokens = used_tokens_;
  rec_.waiting_after = static_cast<std::int64_t>(waiting_.size());
  rec_.running_after = static_cast<std::int64_t>(running_.size());
  rec_.done_after = done_;
  rec_.swapped_after = static_cast<std::int64_t>(swapped_.size());
  rec_.cpu_used_blocks = cpu_used_;
  step_ += n;
  now_ = end_time;
  // What the n-th iteration's begin_step would have left (nothing arrived in the run).
  window_start_ = last_start;
  window_free_ = workload_.max_concurrency - in_flight();
}

void ConcreteView::restore(std::span<const RequestState> resident, std::span<const Ref> waiting,
                           std::span<const Ref> running, std::span<const Ref> swapped) {
  if (resident.size() > req_.size() ||
      waiting.size() + running.size() + swapped.size() != resident.size())
    throw std::logic_error("restore: residents do not match the workload or the orders");
  std::copy(resident.begin(), resident.end(), req_.begin());
  std::fill(req_.begin() + static_cast<std::ptrdiff_t>(resident.size()), req_.end(), RequestState{});
  waiting_.assign(waiting.begin(), waiting.end());
  running_.assign(running.begin(), running.end());
  // Every explorer transition restores, nearly always with no swapped request: a deque's
  // assign of an empty range measured ~4 % of the safety pass, a clear of an empty one nothing.
  if (swapped.empty())
    swapped_.clear();
  else
    swapped_.assign(swapped.begin(), swapped.end());
  for (auto* v : {&requeue_front_, &requeue_back_, &scratch_, &first_tokens_}) v->clear();
  max_waiting_pos_ = -1;
  step_ = 0;
  now_ = 0.0;
  next_arrival_ = resident.size();
  // The GPU pool holds the waiting and running residents' blocks, the CPU pool the swapped
  // ones' (do_swap_out / do_swap_in move a request's blocks and tokens between the two sums).
  used_blocks_ = used_tokens_ = admit_counter_ = cpu_used_ = 0;
  for (const auto& s : resident) {
    if (s.status == Status::Swapped) {
      cpu_used_ += s.blocks;
    } else {
      used_blocks_ += s.blocks;
      used_tokens_ += s.tokens;
    }
    admit_counter_ = std::max(admit_counter_, s.admit_seq);
  }
  for (Ref r : swapped_)
    if (st(r).status != Status::Swapped)
      throw std::logic_error("restore: a request in the swapped queue is not Swapped");
  num_running_ = static_cast<std::int64_t>(running_.size());
  done_ = rejected_ = 0;
  window_start_ = now_;
  window_free_ = workload_.max_concurrency - in_flight();
  rec_.clear();
}

}  // namespace kvcheck
