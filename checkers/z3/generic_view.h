#pragma once
/// \file generic_view.h
/// `GenericView`: the SchedulerView of one engine step over an *abstract* system, for the
/// every-N allocation proof (generic_proof.h, docs/z3-backend.md "Every N").
///
/// Every position holds a generic request: fresh constants for its inputs and fields, which a
/// proof constrains only by the per-request invariant (sizes >= 0, prompt and output >= 1).
/// The rest of the system is summarised by the pool counter, and the counter is known only
/// through the induction hypothesis "it is <= the pool":
///  - every read (`free_blocks()`, `used_blocks()`) returns a fresh constant u_r;
///  - after every action the counter is re-based to a fresh constant u_b; when every action
///    since the last read released blocks, u_b <= u_r is known (`Obligation::since_read_releases`);
///  - at every read, each field a request's actions changed since the last read becomes a fresh
///    constant (a snapshot) that the proof constrains by the per-request invariant only: what
///    earlier loop iterations did to a request is forgotten, so an obligation does not grow
///    with the request's position, while what happens between a read and the next action (a
///    guard, then the action it guards) stays exact;
///  - each action records an Obligation: the counter after it is <= the pool, and for a
///    release also that it released (delta <= 0); each value stored into a size field
///    records that it is >= 0.
/// Positions are fresh at begin_step and again after commit (the post-commit running set is
/// some set of requests satisfying the per-request invariant). The engine step and the policy
/// are the same templates every backend runs (models/engine_step.h).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkers/z3/symbolic_domain.h"
#include "models/params.h"

namespace kvcheck {

/// A generic request's constants (what a proof constrains by the per-request invariant).
struct GenericRequest {
  SymInt prompt, output, klass, rank, computed, generated, blocks, tokens, sched;
  SymBool valid;
  /// Fresh constants that replaced a changed field at a counter read (`GenericView` above):
  /// each satisfies the per-request invariant (a size >= 0).
  std::vector<SymInt> snapshots;
  /// The constants the generalisation keeps: all but `valid` (an action's condition already
  /// includes it, and keeping it would keep the conditions of other positions' loop iterations
  /// that name this request, e.g. as a candidate victim).
  std::vector<z3::expr> constants() const;
};

/// One proof obligation of the step: `claim` must hold (valid) under the acting request's
/// invariant and the counter hypotheses.
struct Obligation {
  std::string action;   ///< "schedule (running 2)", "release (evict, running 0)", ...
  int who = -1;         ///< index into GenericView::requests()
  int read = -1;        ///< the last counter read before the action (index into reads())
  int base = -1;        ///< the counter's base at the action (index into reads())
  bool since_read_releases = true;  ///< every action since `read` released: base <= read
  SymBool claim;
};

/// Knob terms by params.h `Knob` index.
using KnobTerms = std::array<SymInt, kNumKnobs>;

/// Every knob at its configured value (numerals; a proof replaces the ranged ones).
inline KnobTerms configured_knobs(const ModelParams& p) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    static_assert(((static_cast<std::size_t>(kKnobs[I]) == I) && ...), "kKnobs in Knob order");
    return KnobTerms{Symbolic::lit(knob_value(p, kKnobs[I]))...};
  }(std::make_index_sequence<kNumKnobs>{});
}

class GenericView {
 public:
  using Domain = Symbolic;
  using Int = SymInt;
  using Bool = SymBool;
  struct Ref {
    int id;  ///< index into requests()
  };

  /// `knobs[k]`: the value of params.h Knob k (a numeral, or a ranged constant);
  /// `positions`: running and waiting positions per table.
  GenericView(const ModelParams& params, const KnobTerms& knobs, int positions,
              std::string tag);

  // --- SchedulerView -----------------------------------------------------------------------
  int running_bound() const { return static_cast<int>(run_.size()); }
  Ref running_at(int k) const { return {run_[static_cast<std::size_t>(k)]}; }
  Bool running_valid(int k) const { return c(running_at(k)).valid; }
  int waiting_bound() const { return static_cast<int>(wait_.size()); }
  Ref waiting_at(int k) const { return {wait_[static_cast<std::size_t>(k)]}; }
  Bool waiting_valid(int k) const { return c(waiting_at(k)).valid; }
  Int prompt(Ref r) const { return c(r).prompt; }
  Int output(Ref r) const { return c(r).output; }
  Int klass(Ref r) const { return c(r).klass; }
  Int arrival_rank(Ref r) const { return c(r).rank; }
  Int computed(Ref r) const { return f(r).computed; }
  Int generated(Ref r) const { return f(r).generated; }
  Int held_blocks(Ref r) const { return f(r).blocks; }
  Int sched(Ref r) const { return f(r).sched; }
  /// A read: a fresh counter constant (const for the SchedulerView concept; it records).
  Int free_blocks() const;
  Int used_blocks() const;
  Int num_running() const { return num_running_; }
  Int knob(Knob k) const { return knobs_[static_cast<std::size_t>(k)]; }
  const ModelParams& params() const { return params_; }

  void schedule(Ref r, Int n, Bool when);
  void admit(Ref r, Bool when);
  void preempt(Ref r, Bool when) { release(r, when, "preempt", false); }
  Int choose(int id, std::int64_t lo, std::int64_t hi);

  // --- engine step hooks -------------------------------------------------------------------
  void begin_step();
  void commit();
  void evict(Ref r, Bool when) { release(r, when, "evict", false); }
  void note_overflow(Bool over);
  void batch_ready() {}
  void finish(Ref r, Int computed, Int generated, Bool done, Bool when);
  void end_step() {}

  // --- results -----------------------------------------------------------------------------
  const std::vector<GenericRequest>& requests() const { return req_; }
  /// Counter constants: reads and re-bases, in order.
  const std::vector<SymInt>& reads() const { return reads_; }
  const std::vector<Obligation>& obligations() const { return obl_; }

  // --- the exact step, for the differential test (tests/checkers/generic_view_test.cpp) ---------
  /// Equalities that tie every fresh counter constant and every snapshot to the exact value it
  /// abstracts (the counter at the step's first read plus the changes since). With them and the
  /// before-commit requests' constants fixed, the step is the concrete one.
  const std::vector<SymBool>& links() const { return links_; }
  /// The exact counter and the before-commit requests' fields when commit() ran (the plan).
  const SymInt& plan_counter() const { return plan_counter_; }
  struct PlanFields {
    SymInt computed, generated, blocks, tokens, sched;
  };
  const std::vector<PlanFields>& plan_fields() const { return plan_fields_; }
  /// The request ids of the running and waiting positions before commit.
  const std::vector<int>& running_before_commit() const { return run_before_; }
  const std::vector<int>& waiting_before_commit() const { return wait_before_; }
  /// The running count the step started from (a fresh constant).
  const SymInt& num_running_at_start() const { return num_running_start_; }

 private:
  struct Fields {
    SymInt computed, generated, blocks, tokens, sched;
  };
  const GenericRequest& c(Ref r) const { return req_[static_cast<std::size_t>(r.id)]; }
  const Fields& f(Ref r) const { return cur_[static_cast<std::size_t>(r.id)]; }
  int fresh_request(const std::string& where);
  void fresh_tables(const std::string& phase);
  SymInt fresh_counter() const;
  void after_action(const std::string& action, Ref r, const Int& delta, bool release);
  void store(const std::string& what, Ref r, const Bool& when, const Int& value);
  /// Frees r's blocks where `when` holds; a preemption or eviction also loses its progress
  /// (recompute), a completion (`keeps_progress`) keeps it.
  void release(Ref r, Bool when, const char* why, bool keeps_progress);
  std::string where(Ref r) const;

  const ModelParams& params_;
  KnobTerms knobs_;
  int positions_;
  std::string tag_;
  void snapshot() const;

  mutable std::vector<GenericRequest> req_;
  mutable std::vector<Fields> cur_;
  std::vector<std::string> names_;  ///< "running 2 (after commit)" per request
  std::vector<int> run_, wait_;
  mutable std::vector<SymInt> reads_;
  mutable std::vector<SymBool> links_;
  mutable std::optional<SymInt> exact_;  ///< the exact counter, from the step's first read on
  SymInt plan_counter_;
  std::vector<PlanFields> plan_fields_;
  std::vector<int> run_before_, wait_before_;
  SymInt num_running_start_;
  std::vector<Obligation> obl_;
  mutable int read_ = -1, base_ = -1;
  mutable bool since_read_releases_ = true;
  Int num_running_;
  int choices_ = 0;
};

}  // namespace kvcheck
