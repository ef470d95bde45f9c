#pragma once
/// \file concrete_view.h
/// The concrete engine state and its SchedulerView: real containers and running sums, so an
/// iteration costs what its batch costs. Used by the simulator, the explorer, RapidCheck, replay
/// and the decode engine. See view.h for the semantics every view shares.
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "models/choice_source.h"
#include "models/domain.h"
#include "models/params.h"
#include "models/request.h"
#include "models/step_record.h"
#include "models/time_model.h"

namespace kvcheck {

/// Swapped: vLLM V0's swap preemption moved the request's KV blocks to the CPU pool.
enum class Status : std::uint8_t { Pending, Waiting, Running, Done, Rejected, Swapped };

/// The per-request engine state.
struct RequestState {
  std::int64_t computed = 0;   ///< tokens whose KV is stored
  std::int64_t generated = 0;  ///< output tokens produced
  std::int64_t blocks = 0;     ///< KV blocks held (in the CPU pool while Swapped)
  std::int64_t tokens = 0;     ///< KV tokens reserved (computed + scheduled + lookahead)
  std::int64_t sched = 0;      ///< tokens scheduled in the current iteration
  Status status = Status::Pending;
  std::int64_t admit_seq = 0;  ///< admission stamp (orders the running set)
  std::int64_t preemptions = 0, evictions = 0, wasted_tokens = 0;
  std::int64_t swaps = 0;      ///< swap outs (vLLM V0's swap mode)
  std::int64_t arrived_step = -1, first_token_step = -1, finish_step = -1;
  double arrived_time = 0.0, first_token_time = -1.0, finish_time = -1.0;
};

class ConcreteView {
 public:
  using Domain = Concrete;
  using Int = Concrete::Int;
  using Bool = Concrete::Bool;
  using Ref = std::int32_t;

  /// The workload's in-flight prefix (Request::decoded_at_start >= 0) starts in the running
  /// set, holding its blocks from step 0 (place_in_flight).
  ConcreteView(const ModelParams& params, const Workload& workload, const TimeModel& time,
               ChoiceSource& choices);

  // --- SchedulerView -----------------------------------------------------------------------
  int running_bound() const { return static_cast<int>(running_.size()); }
  Ref running_at(int k) const { return running_[static_cast<std::size_t>(k)]; }
  Bool running_valid(int) const { return true; }
  int waiting_bound() const { return static_cast<int>(waiting_.size()); }
  Ref waiting_at(int k) const {
    if (k > max_waiting_pos_) max_waiting_pos_ = k;
    return waiting_[static_cast<std::size_t>(k)];
  }
  Bool waiting_valid(int) const { return true; }

  Int prompt(Ref r) const { return input(r).prompt; }
  Int output(Ref r) const { return input(r).output; }
  Int computed(Ref r) const { return st(r).computed; }
  Int generated(Ref r) const { return st(r).generated; }
  Int klass(Ref r) const { return input(r).klass; }
  Int arrival_rank(Ref r) const { return r; }  ///< the workload index (view.h)
  Int held_blocks(Ref r) const { return st(r).blocks; }
  Int sched(Ref r) const { return st(r).sched; }
  Int free_blocks() const { return params_.engine.num_blocks - used_blocks_; }
  Int used_blocks() const { return used_blocks_; }
  Int num_running() const { return num_running_; }
  // Swap (SwapView, view.h): the swapped queue's snapshot and the CPU pool.
  int swapped_bound() const { return static_cast<int>(swapped_.size()); }
  Ref swapped_at(int k) const { return swapped_[static_cast<std::size_t>(k)]; }
  Bool swapped_valid(int) const { return true; }
  Int num_swapped() const { return static_cast<Int>(swapped_.size()); }
  Int free_cpu_blocks() const { return params_.engine.cpu_blocks - cpu_used_; }
  Int cpu_used_blocks() const { return cpu_used_; }
  Int knob(Knob k) const { return knob_value(params_, k); }
  const ModelParams& params() const { return params_; }

  // The conditional actions test `when` inline: policies call them for every position with a
  // mostly false condition, so the common no-op costs no call.
  void schedule(Ref r, Int n, Bool when) {
    if (when) do_schedule(r, n);
  }
  void admit(Ref r, Bool when) {
    if (when) do_admit(r);
  }
  void preempt(Ref r, Bool when) {
    if (when) do_preempt(r);
  }
  void swap_out(Ref r, Bool when) {
    if (when) do_swap_out(r);
  }
  void swap_in(Ref r, Bool when) {
    if (when) do_swap_in(r);
  }
  Int choose(int id, std::int64_t lo, std::int64_t hi);

  // --- engine step hooks (models/engine_step.h) -------------------------------------------
  void begin_step();                 ///< arrivals and rejections; positions snapshot
  void commit();                     ///< apply admissions and requeues; new positions
  void evict(Ref r, Bool when) {    ///< engine fallback on overflow (recorded as eviction)
    if (when) do_evict(r);
  }
  void note_overflow(Bool over) { rec_.overflow = rec_.overflow || over; }
  void batch_ready();                ///< the batch is final: record KV usage
  void finish(Ref r, Int computed, Int generated, Bool done, Bool when) {
    if (when) do_finish(r, computed, generated, done);
  }
  void end_step();                   ///< compaction, time, counters

  // --- observations of the last iteration (properties/ reads these) ----------------------
  Bool step_overflow() const { return rec_.overflow; }
  Int step_evictions() const { return static_cast<Int>(rec_.evicted.size()); }
  /// Preemptions of either kind: recompute and (vLLM V0's swap mode) swap out.
  Int step_preemptions() const {
    return static_cast<Int>(rec_.preempted.size() + rec_.swapped_out.size());
  }
  Bool step_swap_abort() const { return rec_.swap_abort; }
  Int step_used_blocks() const { return rec_.used_blocks; }
  Int step_used_tokens() const { return rec_.used_tokens; }
  Bool step_batch_empty() const { return rec_.batch.empty(); }
  int completed_bound() const { return static_cast<int>(rec_.completed.size()); }
  Ref completed_at(int k) const { return rec_.completed[static_cast<std::size_t>(k)]; }
  Bool completed_valid(int) const { return true; }
  Int count_arrived() const { return static_cast<Int>(next_arrival_); }
  Int count_waiting() const { return static_cast<Int>(waiting_.size()); }
  Int count_running() const { return static_cast<Int>(running_.size()); }
  Int count_swapped() const { return static_cast<Int>(swapped_.size()); }
  Int count_done() const { return done_; }
  Int count_rejected() const { return rejected_; }

  // --- inspection --------------------------------------------------------------------------
  const StepRecord& last_step() const { return rec_; }
  std::int64_t step() const { return step_; }
  double now() const { return now_; }
  const RequestState& state(Ref r) const { return st(r); }
  const Request& input(Ref r) const { return workload_.requests[static_cast<std::size_t>(r)]; }
  const std::deque<Ref>& waiting() const { return waiting_; }
  const std::vector<Ref>& running() const { return running_; }
  const std::deque<Ref>& swapped() const { return swapped_; }
  std::int64_t num_requests() const { return static_cast<std::int64_t>(req_.size()); }
  std::int64_t arrived() const { return static_cast<std::int64_t>(next_arrival_); }
  std::int64_t done() const { return done_; }
  std::int64_t rejected() const { return rejected_; }
  std::int64_t used_tokens() const { return used_tokens_; }
  /// True when every request has arrived and left (done or rejected).
  bool finished() const { return done_ + rejected_ == num_requests(); }
  /// Start of the next pending arrival, or a negative value if none is left.
  double next_arrival_time() const;
  std::int64_t next_arrival_step() const;
  /// Jump the clock forward over an idle period to the next arrival (nothing running/waiting).
  void skip_idle();
  /// Requests in flight: arrived and neither completed nor rejected (waiting, running or
  /// swapped).
  std::int64_t in_flight() const {
    return static_cast<std::int64_t>(waiting_.size() + running_.size() + swapped_.size());
  }
  /// Closed loop with every slot taken: no request can enter before a completion, so pending
  /// arrivals are no event for a run of steady iterations (sim/steady_skip.cpp).
  bool arrivals_gated() const {
    return workload_.max_concurrency > 0 && in_flight() >= workload_.max_concurrency;
  }

  /// The workload grew at its end (sim/network.h forwards a finished task to the next server
  /// as a new request, arriving at a step >= step()): state for the new entries. Requests
  /// already there are untouched; the workload stays in arrival order.
  void workload_grew() { req_.resize(workload_.requests.size()); }

  // --- bulk stepping (sim/steady_skip.h) ----------------------------------------------------
  /// Applies `n` >= 1 *steady* iterations at once: iterations in which every running request
  /// (each past its prompt) processes exactly one decode token and nothing else happens (no
  /// arrival, admission, preemption, eviction, completion or overflow). The result equals what
  /// `n` such engine steps leave: computed and generated grow by n, each reservation becomes
  /// blocks_for(computed + lookahead), usage sums follow, step() advances by n and now() becomes
  /// `end_time`. last_step() then describes the n-th iteration, which started at `last_start`
  /// and took `last_duration`. The caller (sim/steady_skip.cpp) guarantees the premise.
  void apply_steady_run(std::int64_t n, double end_time, double last_start, double last_duration);

  // --- explorer support (checkers/explicit) ------------------------------------------------
  /// Replaces the engine state by a given resident state, at step 0 and time 0 whatever the view
  /// did before (so one view serves many restores: the explorer reuses it per transition, with
  /// the workload's entries rewritten in place). The first `resident.size()` workload requests
  /// are the residents and `resident[i]` is request i's state (status Waiting, Running or, in
  /// vLLM V0's swap mode, Swapped); `waiting` (queue order), `running` (admission order,
  /// increasing admit_seq) and `swapped` (the swapped queue, head first) partition them. Later
  /// workload requests are reset to pending and arrive by their arrival_step as usual. GPU usage
  /// (blocks/tokens of the waiting and running residents), the CPU pool's usage (the swapped
  /// residents' blocks) and counters are recomputed from the residents; done/rejected counts
  /// restart at 0. Read the state back with waiting(), running(), swapped(), state() and
  /// input().
  void restore(std::span<const RequestState> resident, std::span<const Ref> waiting,
               std::span<const Ref> running, std::span<const Ref> swapped = {});

 private:
  RequestState& st(Ref r) { return req_[static_cast<std::size_t>(r)]; }
  const RequestState& st(Ref r) const { return req_[static_cast<std::size_t>(r)]; }
  void place_in_flight();
  void do_schedule(Ref r, Int n);
  void do_admit(Ref r);
  void do_preempt(Ref r);
  void do_evict(Ref r);
  void do_swap_out(Ref r);
  void do_swap_in(Ref r);
  void commit_swaps();
  void do_finish(Ref r, Int computed, Int generated, bool done);
  /// ceil(tokens / block_size), by a shift when block_size is a power of two.
  Int blocks_for_tokens(Int tokens) const {
    return block_shift_ >= 0 && tokens >= 0
               ? (tokens + params_.engine.block_size - 1) >> block_shift_
               : Concrete::ceil_div(tokens, params_.engine.block_size);
  }
  void release(RequestState& s);
  void reset_progress(Ref r);
  void apply_requeues();
  void remove_admitted_from_waiting();
  void compact_running();
  bool due(const Request& in) const;
  double entry_time(const Request& in);
  void arrive(Ref r);
  void admit_arrivals();

  const ModelParams& params_;
  const Workload& workload_;
  const TimeModel& time_;
  ChoiceSource& choices_;
  std::vector<RequestState> req_;
  std::deque<Ref> waiting_;
  std::vector<Ref> running_;
  std::deque<Ref> swapped_;        ///< vLLM V0's swapped queue (swap in from its head)
  std::int64_t cpu_used_ = 0;      ///< CPU swap blocks held by swapped requests
  std::vector<Ref> requeue_front_, requeue_back_, scratch_;
  std::vector<Ref> first_tokens_;  ///< requests that got their first token in this iteration
  int block_shift_ = -1;           ///< log2(block_size) if a power of two, else -1
  mutable int max_waiting_pos_ = -1;
  std::size_t next_arrival_ = 0;
  /// Closed loop, timed clock: the start of the last iteration and the slots that were free
  /// during it, for entry_time().
  double window_start_ = -1.0;
  std::int64_t window_free_ = 0;
  std::int64_t step_ = 0;
  double now_ = 0.0;
  std::int64_t used_blocks_ = 0, used_tokens_ = 0;
  std::int64_t num_running_ = 0, done_ = 0, rejected_ = 0, admit_counter_ = 0;
  StepRecord rec_;
};

}  // namespace kvcheck
