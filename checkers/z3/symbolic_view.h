#pragma once
/// \file symbolic_view.h
/// `SymbolicView`: the SchedulerView (models/view.h) of N request slots as Z3 terms, plus the
/// engine hooks and observations models/engine_step.h and properties/predicates.h call on
/// ConcreteView. One instance is ONE step: construct it on the pre-state terms, run
/// `engine_step(view)`, then read `post()`, `obs()` and evaluate `holds(id, view)`.
///
/// Semantics mirror ConcreteView exactly (the differential test checks them step by step):
///  - positions: running_at(k) = the slot with status Running and pos k (admission order);
///    waiting_at(k) = the slot with status Waiting and pos k (queue order). Tables are taken at
///    begin_step (after arrivals), commit and end_step.
///  - position-major within a step: a table is a list of position records, each holding the
///    one-hot selector of its slot, the slot's inputs and its mutable fields. A Ref names a
///    position (running k / waiting k) statically, so reads are plain record reads and an action
///    rewrites that one record, not N slots. commit / end_step write the records back to the
///    slots (one N-way ite per slot and field) and compute the new positions by prefix counts
///    over the positions (no pairwise re-ranking): running survivors move down by the number of
///    removed requests before them, admitted requests follow in admission-call order; front
///    requeue puts the removed ones at the head in position order, back requeue at the tail in
///    call order.
///  - swap (vLLM V0's `preemption_mode = "swap"` only; otherwise the swapped table is empty and
///    no term of it is built): swapped_at(k) = the slot with status Swapped and pos k (the
///    swapped queue, head first). swap_out(r) moves a running record's blocks and tokens off
///    the GPU counter onto the CPU counter (the sum of the Swapped slots' blocks, taken at
///    begin_step), checking V0's can_swap_out against it; swap_in(r) moves them back. At
///    commit the swapped-in requests follow the admitted ones in running (swap-in call order),
///    the rest of the swapped queue moves down by the swapped-in prefix, and the swapped-out
///    requests join its tail in swap-out call order, as ConcreteView's commit_swaps does.
///  - arrivals at step t: pending slots with arrival <= t, in index order, join the tail;
///    unservable<D> ones are rejected instead. Under a closed loop (`max_concurrency` c > 0) a
///    slot enters only when every earlier slot has entered and fewer than c requests are in
///    flight (models/arrival_rules.h, the rule ConcreteView applies).
///  - choose(id, lo, hi) = a fresh constant per call in [lo, hi] (recorded in obs().picks).
/// Bounds: running_bound() = waiting_bound() = N; `*_valid(k)` says whether position k is used.
#include <cstdint>
#include <string>
#include <vector>

#include "checkers/z3/symbolic_domain.h"
#include "checkers/z3/symbolic_state.h"
#include "models/params.h"

namespace kvcheck {

/// A request reference: a one-hot selector over the N slots (all false = no request), with the
/// slot inputs it selects read once (`arrival` is the slot index: slots are in arrival order), and
/// the position it names (`kind`: 0 = a slot (completed_at), 1 = running position `k`, 2 =
/// waiting position `k`, 3 = swapped position `k`) in table generation `gen`.
struct SymRef {
  std::vector<SymBool> sel;
  SymBool any;
  SymInt prompt, output, klass;
  int kind, k, gen;
};

class SymbolicView {
 public:
  using Domain = Symbolic;
  using Int = SymInt;
  using Bool = SymBool;
  using Ref = SymRef;

  /// `tag` names the fresh constants this step creates (choices), e.g. "t3";
  /// `max_concurrency` is Workload::max_concurrency (0 = open loop).
  SymbolicView(const ModelParams& params, const std::vector<SlotInput>& inputs,
               const SymState& pre, std::string tag, std::int64_t max_concurrency = 0);

  // --- SchedulerView -----------------------------------------------------------------------
  int running_bound() const { return n_; }
  Ref running_at(int k) const { return run_[static_cast<std::size_t>(k)]; }
  Bool running_valid(int k) const { return run_[static_cast<std::size_t>(k)].any; }
  int waiting_bound() const { return n_; }
  Ref waiting_at(int k) const { return wait_[static_cast<std::size_t>(k)]; }
  Bool waiting_valid(int k) const { return wait_[static_cast<std::size_t>(k)].any; }

  Int prompt(const Ref& r) const { return r.prompt; }
  Int output(const Ref& r) const { return r.output; }
  Int klass(const Ref& r) const { return r.klass; }
  /// The slot index of r (slots are in arrival order), built only when a policy asks for it:
  /// terms built for nothing perturb Z3's term ids, and with them its search on the proofs of
  /// policies that never read this (bmc_vllm_fcfs_n8's allocation invariant timed out).
  Int arrival_rank(const Ref& r) const;
  Int computed(const Ref& r) const { return read(r, kComputed); }
  Int generated(const Ref& r) const { return read(r, kGenerated); }
  Int held_blocks(const Ref& r) const { return read(r, kBlocks); }
  Int sched(const Ref& r) const { return read(r, kSched); }
  Int free_blocks() const { return Symbolic::lit(params_.engine.num_blocks) - used_blocks_; }
  Int used_blocks() const { return used_blocks_; }
  Int num_running() const { return num_running_; }
  Int knob(Knob k) const { return Symbolic::lit(knob_value(params_, k)); }
  const ModelParams& params() const { return params_; }

  void schedule(const Ref& r, Int n, Bool when);
  void admit(const Ref& r, Bool when);
  void preempt(const Ref& r, Bool when) { reset(r, when, preemptions_); }
  Int choose(int id, std::int64_t lo, std::int64_t hi);

  // --- swap (SwapView, models/view.h): empty unless the config swaps ------------------------
  int swapped_bound() const { return swap_ ? n_ : 0; }
  Ref swapped_at(int k) const { return swp_[static_cast<std::size_t>(k)]; }
  Bool swapped_valid(int k) const { return swp_[static_cast<std::size_t>(k)].any; }
  /// The swapped queue's length (before commit: as at begin_step, as ConcreteView's).
  Int num_swapped() const { return count_swapped(); }
  Int free_cpu_blocks() const { return Symbolic::lit(params_.engine.cpu_blocks) - cpu_used_; }
  void swap_out(const Ref& r, Bool when);
  void swap_in(const Ref& r, Bool when);

  // --- engine step hooks -------------------------------------------------------------------
  void begin_step();
  void commit();
  void evict(const Ref& r, Bool when) { reset(r, when, evictions_); }
  void note_overflow(Bool over) { overflow_ = overflow_ || over; }
  void batch_ready();
  void finish(const Ref& r, Int computed, Int generated, Bool done, Bool when);
  void end_step();

  // --- observations of the step (properties/predicates.h) -----------------------------------
  Bool step_overflow() const { return overflow_; }
  Int step_evictions() const { return evictions_; }
  Int step_preemptions() const { return preemptions_; }
  Int step_used_blocks() const { return step_used_blocks_; }
  Int step_used_tokens() const { return step_used_tokens_; }
  Bool step_batch_empty() const { return batch_size_ == Symbolic::lit(0); }
  int completed_bound() const { return n_; }
  Ref completed_at(int k) const;
  Bool completed_valid(int k) const { return slots_[static_cast<std::size_t>(k)].completed; }
  Int count_arrived() const { return count_not(Status::Pending); }
  Int count_waiting() const { return count(Status::Waiting); }
  Int count_running() const { return count(Status::Running); }
  Int count_done() const { return count(Status::Done); }
  Int count_rejected() const { return count(Status::Rejected); }
  Int count_swapped() const { return swap_ ? count(Status::Swapped) : Symbolic::lit(0); }
  Bool step_swap_abort() const { return swap_abort_; }

  // --- results -----------------------------------------------------------------------------
  /// The post-step state (valid after end_step).
  SymState post() const;
  /// The step's observations (valid after end_step).
  StepObs obs() const;
  /// Side constraints the step introduced (ranges of its choice constants).
  const std::vector<SymBool>& side() const { return side_; }
  /// The pool counter after every change and the values stored (valid after end_step).
  const PoolTrace& pool_trace() const { return trace_; }

 private:
  /// The mutable per-request fields, as indices into Slot::f / Rec::f.
  enum Field : std::size_t { kComputed, kGenerated, kBlocks, kTokens, kSched, kBatch, kFields };
  /// A slot: the state fields plus in-step values (sched, batch), authoritative between tables.
  struct Slot {
    SymInt status, pos;
    std::vector<SymInt> f;  ///< indexed by Field
    SymBool completed;
  };
  /// A position record of a table: the fields of the slot at that position, as read when the
  /// table was taken (`f0`) and as changed since (`f`), and what happened to the request.
  struct Rec {
    std::vector<SymInt> f, f0;
    SymBool gone;      ///< preempted / evicted (running records)
    SymBool admitted;  ///< admitted (waiting records)
    SymBool done;      ///< completed (running records)
    SymInt order;      ///< admission-call index (waiting), back-requeue index (running) or
                       ///< swap-in call index (swapped)
    SymBool sout;      ///< swapped out (running records)
    SymInt sorder;     ///< swap-out call index (running records)
  };
  Int read(const Ref& r, Field field) const;
  const Rec& rec_of(const Ref& r) const;
  Rec& rec(const Ref& r, int kind);
  SymBool is(std::size_t i, Status s) const;
  Int count(Status s) const;
  Int count_not(Status s) const;
  void reset(const Ref& r, Bool when, Int& counter);
  /// The GPU counters (blocks, tokens) lose (or, `onto_gpu`, gain) x's blocks and tokens when
  /// `w`, with the pool trace; x's fields are left as they are.
  void move_kv(const Rec& x, const Bool& w, bool onto_gpu);
  /// move_kv off the GPU, then x holds nothing (blocks, tokens, this step's tokens = 0).
  void release(Rec& x, const Bool& w);
  /// New status and position of each record of one table; a null vector leaves that value
  /// unchanged.
  struct Moves {
    const std::vector<SymInt>* status = nullptr;
    const std::vector<SymInt>* pos = nullptr;
  };
  /// Writes the records back into the slots, with the running, waiting and swapped moves.
  void flush(Moves run, Moves wait, Moves swp);
  /// commit()'s moves of the swapped table and of the swapped-out running records.
  void swap_moves(const Int& survivors, std::vector<SymInt>& rstatus, std::vector<SymInt>& rpos,
                  std::vector<SymInt>& sstatus, std::vector<SymInt>& spos) const;
  void snapshot();
  std::vector<Ref> table(Status s, std::vector<Rec>& recs) const;

  const ModelParams& params_;
  const std::vector<SlotInput>& in_;
  int n_;
  std::string tag_;
  std::int64_t max_concurrency_;
  SymInt now_, pre_used_;
  std::vector<Slot> slots_;
  bool swap_;  ///< the config swaps (vLLM V0's preemption_mode = "swap")
  std::vector<Ref> run_, wait_, swp_;
  std::vector<Rec> rrec_, wrec_, srec_;
  int gen_ = 0;
  Int used_blocks_, used_tokens_, num_running_, num_waiting_, adm_ctr_, bseq_;
  Int preemptions_, evictions_, batch_size_, step_used_blocks_, step_used_tokens_, demand_;
  Bool overflow_;
  Int cpu_used_, swin_ctr_, sout_ctr_;  ///< CPU pool counter, this table's swap ins / outs
  Bool swap_abort_;
  std::vector<SymInt> picks_;
  std::vector<SymBool> side_;
  PoolTrace trace_;
};

}  // namespace kvcheck
