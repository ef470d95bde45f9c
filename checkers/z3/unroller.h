#pragma once
/// \file unroller.h
/// The relational unrolling of the engine model over N symbolic request slots: the workload
/// inputs (fresh constants, constrained by the [bmc] bounds, fixed over time), the initial
/// state, one step (SymbolicView running models/engine_step.h, properties from
/// properties/predicates.h), the cut that gives every step fresh constants `x@t` tied to the
/// step function by equalities, the built-in well-formedness invariant used by `prove`, and
/// the extraction of a concrete workload from a model.
#include <cstdint>
#include <string>
#include <vector>

#include "checkers/z3/bmc_spec.h"
#include "checkers/z3/prefix_run.h"
#include "checkers/z3/symbolic_state.h"
#include "models/params.h"
#include "models/request.h"

namespace kvcheck {

class Unroller {
 public:
  /// Result of one symbolic step.
  struct Step {
    SymState post;               ///< post-state terms (over the pre-state and the inputs)
    std::vector<SymBool> props;  ///< one per requested property: holds after this step
    StepObs obs;
    std::vector<SymBool> side;   ///< constraints the step introduced (choice ranges)
    PoolTrace pool;              ///< the pool counter through the step, values stored
  };

  /// Creates the input constants in `ctx`. `params`, `spec` and `start` must outlive the
  /// unroller.
  ///
  /// With a `start` (BMC from a simulated prefix, checkers/z3/prefix_bmc.h) the first
  /// `start->residents.size()` slots are the prefix's residents: their inputs are numerals and
  /// `initial()` is `from_concrete(*start)`; the `spec.slots` symbolic slots follow them and
  /// arrive at steps start->step + [arrival_lo, arrival_hi] (the [bmc] ranges, shifted to the
  /// start). Slots stay in arrival order (residents arrived before start->step).
  Unroller(z3::context& ctx, const ModelParams& params, const BmcSpec& spec,
           const ConcreteStart* start = nullptr);

  const std::vector<SlotInput>& inputs() const { return inputs_; }
  /// The slots whose inputs are numerals (a prefix's residents); the symbolic ones follow.
  std::size_t fixed_slots() const { return fixed_; }
  /// Ranges, per-class shapes, arrival order (a_i <= a_{i+1}), max arrivals per step.
  std::vector<SymBool> input_constraints() const;
  /// The KV pool size in blocks.
  std::int64_t num_blocks() const { return params_.engine.num_blocks; }
  /// The first step after which time no longer matters (one past the last arrival step).
  std::int64_t horizon() const { return offset() + spec_.arrival_hi + 1; }
  /// Every slot pending, nothing held, time 0; with a start, from_concrete(start).
  SymState initial() const;
  /// The state `start` describes, every field a numeral: slot i < fixed_slots() holds resident
  /// i (its status, queue position, progress and KV), the symbolic slots are pending, time is
  /// start.step and the pool counter start.used.
  SymState from_concrete(const ConcreteStart& start) const;
  /// Fresh constants for every state field, named `<field>_<slot>@<tag>`.
  SymState fresh_state(const std::string& tag) const;
  /// One engine step from `pre`; `tag` names its choice constants.
  Step step(const SymState& pre, const std::string& tag,
            const std::vector<PropertyId>& props) const;
  /// Relational cut: numerals stay, every other field becomes a fresh constant `x@tag`; the
  /// defining equalities are appended to `eqs`.
  SymState cut(const SymState& s, const std::string& tag, std::vector<SymBool>& eqs) const;
  /// Facts true in every reachable state (statuses vs. time, per-status field values,
  /// queue positions a permutation, reserved blocks <= pool). `prove` checks them as part of
  /// the inductive claim, so a wrong one costs completeness, never soundness.
  SymBool well_formed(const SymState& s) const;
  /// One named conjunct of `well_formed` (per slot or per pair of slots).
  struct Part {
    std::string name;  ///< e.g. "run_blocks_2", "distinct_0_3", "pool"
    SymBool holds;
  };
  /// `well_formed` split into small conjuncts, in a fixed order (the same names and order for
  /// every state): `well_formed(s)` is their conjunction. BmcSession proves which of them are
  /// 1-inductive together (base + step from an arbitrary state) and assumes only those.
  std::vector<Part> well_formed_parts(const SymState& s) const;
  /// Queue-order facts that hold for FCFS-like policies only (not part of `well_formed`):
  /// a running or waiting request's position is its rank by slot index among the requests
  /// of its status, and no running request has a larger index than a waiting one. Lemma
  /// candidates only: BmcSession keeps those it proves inductive for the model at hand
  /// (FCFS with front requeue: all of them; policies that reorder: none).
  std::vector<Part> order_candidates(const SymState& s) const;
  /// The built-in lemma candidates: well_formed_parts, then order_candidates.
  std::vector<Part> lemma_candidates(const SymState& s) const;
  /// Pairs (name, term) of the state and input fields, for user invariants and dumps.
  std::vector<std::pair<std::string, SymInt>> named_fields(const SymState& s) const;

  /// The inputs of the symbolic slots fixed to `w` (request i in symbolic slot i, the remaining
  /// slots absent); `w` must be within the [bmc] bounds (seed_search.h `within_spec`; with a
  /// start, its arrival steps are absolute, >= start.step).
  SymBool fixes(const Workload& w) const;
  /// The concrete workload a model assigns to the symbolic slots (absent slots dropped).
  Workload workload(const z3::model& m) const;
  /// The concrete values of terms in a model.
  static std::int64_t value(const z3::model& m, const SymInt& x);
  static bool value(const z3::model& m, const SymBool& x);

 private:
  z3::context& ctx_;
  const ModelParams& params_;
  const BmcSpec& spec_;
  const ConcreteStart* start_;
  std::size_t fixed_ = 0;
  std::vector<SlotInput> inputs_;
  /// Added to the [bmc] arrival range: the start's step (0 from the empty engine).
  std::int64_t offset() const { return start_ ? start_->step : 0; }
};

}  // namespace kvcheck
