#pragma once
/// \file population_view.h
/// `PopulationView`: a SchedulerView (models/view.h) whose state is the NUMBER of requests in
/// each (class, stage), for class-based policies with exact per-class lengths (P1 Algorithm 1,
/// `p1_class_budgets`; P2 WAIT, `p2_wait`). Every request of a class is identical, and every
/// running member of one (class, stage) group has the same fields, so a proof over the counts
/// covers any number of requests: the papers' scale is just larger integers. The policy
/// templates and models/engine_step.h run on it unchanged. Design and soundness argument:
/// docs/z3-backend.md, "Population encoding".
///
/// State (`PopState`): wait[k] (class-k requests waiting, not started), run[k][s] (residents of
/// class k at stage s = generated tokens so far, 1 <= s < o_k), and the arrived / done /
/// rejected totals. One instance is ONE step, like SymbolicView: construct it on the pre-state
/// terms and the step's arrival counts, run `engine_step(view)`, then read `post()`,
/// `obligations()` and evaluate `holds(id, view)` (properties/predicates.h).
///
/// Positions (the policy loops over positions):
///  - running: group (k, s) shows `run_cap` member positions, member i valid iff
///    i < run[k][s]; its reads (prompt, computed, generated, klass, held_blocks) are numerals
///    taken from the stage table. Groups follow each other class by class, stage by stage.
///  - waiting: class k shows `wait_cap` member positions (valid iff i < wait[k] after this
///    step's arrivals), classes one after another (per-class FIFO).
///  Whether these positions are enough is not assumed: the proof claims run[k][s] <= run_cap,
///  and `obligations()` says that the last visible waiting member of a class is never
///  admitted (the policy never reaches the end of the visible prefix).
/// Actions are recorded per member; after the step the new counts are sums of booleans: a
/// member leaves its origin through one of three indicator terms (progressed, completed,
/// evicted) that are added where it goes, and `obligations()` also says these are exact
/// ("actions are consistent": each implies a valid position, they exclude each other).
/// What a member's fields become is computed by the engine's own rules (schedule's
/// reservation, models/engine_rules.h progress_after) on numerals, and checked against the
/// stage table: a transition into a stage with other fields throws PopulationNotApplicable.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/symbolic_domain.h"
#include "models/params.h"

namespace kvcheck {

/// The encoding cannot represent this model or this step (a policy action it does not model,
/// a token count that is not a numeral, a stage reached with other fields).
class PopulationNotApplicable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The fields every running member of one (class, stage) group holds.
struct StageFields {
  std::int64_t computed = 0, blocks = 0, tokens = 0;
  bool operator==(const StageFields&) const = default;
};

/// What the encoding needs to know about a model, per class.
struct PopulationClass {
  std::int64_t prompt = 0, output = 0;
  bool unservable = false;  ///< rejected at arrival (models/engine_rules.h unservable)
  /// stage[s] for s = generated in [1, output): the fields of a resident there, or none when
  /// the engine never puts a resident there (no group).
  std::vector<std::optional<StageFields>> stage;
  std::int64_t run_cap = 0;   ///< member positions per running group (proved, not assumed)
  std::int64_t wait_cap = 0;  ///< visible waiting members (the admission bound + 1)
};

struct PopulationLayout {
  std::vector<PopulationClass> classes;
};

/// The layout of `p`, or nullopt with `why` set when the encoding does not apply: no classes,
/// a policy other than p1_class_budgets / p2_wait, chunked prefill, or a stage table the
/// engine cannot produce consistently. Stage fields come from running the concrete engine
/// (models/engine_step.h over ConcreteView) on a stream of one class; caps are the policy's
/// per-class admission bound (b_k for P1, n_k for WAIT). `cap_delta` is added to both caps
/// (tests plant a cap one too small with -1).
std::optional<PopulationLayout> population_layout(const ModelParams& p, std::string& why,
                                                  std::int64_t cap_delta = 0);

/// The counts. run[k] has one entry per stage s in [0, output_k); s = 0 and stages without a
/// group are the numeral 0.
struct PopState {
  std::vector<SymInt> wait;
  std::vector<std::vector<SymInt>> run;
  SymInt arrived, done, rejected;
};

/// The empty engine (all counts 0).
PopState pop_empty(const PopulationLayout& l);
/// Fresh constants named after `tag` for every count (a free state).
PopState pop_fresh(const PopulationLayout& l, const std::string& tag);
/// Counts >= 0, run[k][s] <= run_cap, and arrived = waiting + running + done + rejected: the
/// conjunction, and its named parts.
SymBool pop_well_formed(const PopulationLayout& l, const PopState& s);
std::vector<std::pair<std::string, SymBool>> pop_well_formed_parts(const PopulationLayout& l,
                                                                   const PopState& s);

class PopulationView {
 public:
  using Domain = Symbolic;
  using Int = SymInt;
  using Bool = SymBool;
  using Ref = int;  ///< an index into this step's member records

  /// `arrivals[k]`: class-k requests arriving at this step (terms >= 0). `budgets`: P1's class
  /// budgets b_k as terms (a proof's ranged constants; the layout's caps must cover their
  /// range), or empty for the configured values.
  PopulationView(const ModelParams& params, const PopulationLayout& layout, const PopState& pre,
                 std::vector<SymInt> arrivals, std::vector<SymInt> budgets = {});

  // --- SchedulerView -----------------------------------------------------------------------
  int running_bound() const { return static_cast<int>(run_.size()); }
  Ref running_at(int k) const { return run_[static_cast<std::size_t>(k)]; }
  Bool running_valid(int k) const { return rvalid_[static_cast<std::size_t>(k)]; }
  int waiting_bound() const { return static_cast<int>(wait_.size()); }
  Ref waiting_at(int k) const { return wait_[static_cast<std::size_t>(k)]; }
  Bool waiting_valid(int k) const { return m(wait_[static_cast<std::size_t>(k)]).valid; }

  Int prompt(Ref r) const { return lit(cls(r).prompt); }
  Int output(Ref r) const { return lit(cls(r).output); }
  Int computed(Ref r) const { return m(r).computed; }
  Int generated(Ref r) const { return m(r).generated; }
  Int klass(Ref r) const { return lit(m(r).klass); }
  /// Not modelled: members of a group have no order (throws PopulationNotApplicable).
  Int arrival_rank(Ref r) const;
  Int held_blocks(Ref r) const { return m(r).blocks; }
  Int sched(Ref r) const;
  Int free_blocks() const { return knob(Knob::NumBlocks) - used_blocks_; }
  /// Parameters are the model's values (a population proof ranges over class budgets only).
  Int knob(Knob k) const { return lit(knob_value(params_, k)); }
  /// Class c's budget b_c (p1_class_budgets): the given term, else the configured value.
  Int class_budget(std::size_t c) const {
    return budgets_.empty() ? lit(params_.classes[c].budget) : budgets_[c];
  }
  /// Dong & Cao's bound sum_k b_k w_k (properties/property.h alg1_memory_bound) over
  /// class_budget: a term when the budgets are.
  Int alg1_memory_bound() const;
  Int used_blocks() const { return used_blocks_; }
  Int num_running() const { return num_running_; }
  const ModelParams& params() const { return params_; }

  void schedule(Ref r, Int n, Bool when);
  void admit(Ref r, Bool when);
  /// Not modelled (the policies this encoding takes never preempt): throws.
  void preempt(Ref r, Bool when);
  /// Not modelled: throws.
  Int choose(int id, std::int64_t lo, std::int64_t hi);

  // --- engine step hooks (models/engine_step.h) -------------------------------------------
  void begin_step();
  void commit();
  void evict(Ref r, Bool when);
  void note_overflow(Bool over) { overflow_ = overflow_ || over; }
  void batch_ready();
  void finish(Ref r, Int computed, Int generated, Bool done, Bool when);
  void end_step();

  // --- observations of the step (properties/predicates.h) -----------------------------------
  Bool step_overflow() const { return overflow_; }
  Int step_evictions() const { return evictions_; }
  Int step_preemptions() const { return lit(0); }
  Int step_used_blocks() const { return step_used_blocks_; }
  Int step_used_tokens() const { return step_used_tokens_; }
  Bool step_batch_empty() const { return batch_size_ == lit(0); }
  int completed_bound() const { return static_cast<int>(completed_.size()); }
  Ref completed_at(int k) const { return completed_[static_cast<std::size_t>(k)]; }
  Bool completed_valid(int k) const { return m(completed_[static_cast<std::size_t>(k)]).done; }
  Int count_arrived() const { return post_.arrived; }
  Int count_waiting() const;
  Int count_running() const;
  Int count_done() const { return post_.done; }
  Int count_rejected() const { return post_.rejected; }

  // --- results (valid after end_step) --------------------------------------------------------
  const PopState& post() const { return post_; }
  /// What makes this step an instance of the per-request engine step, beyond the caps of the
  /// post-state: named conditions the proof must show (see the file comment).
  const std::vector<std::pair<std::string, SymBool>>& obligations() const { return oblig_; }
  /// Definitions of the fresh constants the step introduced (`name = term`), to be asserted.
  const std::vector<SymBool>& side() const { return side_; }

 private:
  struct Member {
    Member(int k, std::int64_t s, SymBool v, const StageFields& f)
        : klass(k), stage(s), valid(std::move(v)), computed(Symbolic::lit(f.computed)),
          generated(Symbolic::lit(s)), blocks(Symbolic::lit(f.blocks)),
          tokens(Symbolic::lit(f.tokens)), sched(Symbolic::truth(false)), admitted(sched),
          gone(sched), live(sched), done(sched) {}
    int klass;
    std::int64_t stage;      ///< origin group; 0 = a waiting member
    SymBool valid;           ///< the position holds a request
    SymInt computed, generated, blocks, tokens;
    std::int64_t n = -1;     ///< the one numeral token count its schedule calls use
    SymBool sched, admitted, gone, live, done;
    std::int64_t to_stage = -1;  ///< generated after progress, where live (static)
  };
  static Int lit(std::int64_t v) { return Symbolic::lit(v); }
  const Member& m(Ref r) const { return members_[static_cast<std::size_t>(r)]; }
  Member& m(Ref r) { return members_[static_cast<std::size_t>(r)]; }
  const PopulationClass& cls(Ref r) const {
    return layout_.classes[static_cast<std::size_t>(m(r).klass)];
  }
  Ref add_member(int klass, std::int64_t stage, SymBool valid, const StageFields& f);
  /// The stage x reaches after its scheduled tokens (engine rules on numerals); throws when
  /// the stage table has other fields there.
  std::int64_t target_stage(const Member& x) const;
  void build_post();
  /// `t`, or a fresh constant defined equal to it (side()) when t is a compound term.
  Int named(const Int& t, const char* prefix);

  const ModelParams& params_;
  const PopulationLayout& layout_;
  PopState pre_, post_;
  std::vector<SymInt> arrivals_, wait_total_, budgets_;
  std::vector<Member> members_;
  std::vector<Ref> run_, wait_, completed_;
  std::vector<SymBool> rvalid_;
  Int used_blocks_, used_tokens_, num_running_, evictions_, batch_size_;
  Int step_used_blocks_, step_used_tokens_;
  Bool overflow_;
  std::vector<std::pair<std::string, SymBool>> oblig_;
  std::vector<SymBool> side_;
};

}  // namespace kvcheck
