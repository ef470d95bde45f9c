#pragma once
/// \file bmc_session.h
/// One incremental unrolling in one solver, shared by `check` (BMC from the initial state) and
/// `prove` (the k-induction base from the initial state, the step case from an arbitrary
/// well-formed state). Owns the solver options: per-query timeout (a timeout is UNKNOWN, never a
/// pass), SMT-LIB2 dumps of every query, and a progress line per query.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "checkers/unroller.h"
#include "models/request.h"

namespace kvcheck {

/// How queries are run and reported.
struct SolverOptions {
  std::int64_t timeout_ms = 0;          ///< per query; 0 = none
  std::filesystem::path dump_dir;       ///< empty = no SMT-LIB2 dumps
  std::ostream* progress = nullptr;     ///< one line per query when set
};

/// A violation found symbolically, as concrete inputs.
struct Counterexample {
  Workload workload;
  std::vector<std::vector<std::int64_t>> picks;  ///< per step, in call order
  PropertyId property = PropertyId::KvNoOverflow;
  std::int64_t step = 0;
};

/// The outcome of one query.
struct QueryResult {
  z3::check_result result = z3::unknown;
  std::optional<z3::model> model;
  std::string reason;  ///< solver's reason when unknown
  double seconds = 0.0;
};

class BmcSession {
 public:
  /// `free_start`: start from an arbitrary well-formed state (k-induction step case) instead
  /// of the initial state. `params` and `spec` must outlive the session.
  BmcSession(const ModelParams& params, const BmcSpec& spec, const SolverOptions& opts,
             bool free_start);

  /// Adds step `depth()`; returns the per-property terms (in spec.properties order) and, when
  /// `invariants` is set, the well-formedness + user invariants of the post-state last.
  std::vector<SymBool> extend(bool invariants);
  /// Checks whether `bad` can hold (pushed and popped); `name` labels dumps and progress.
  QueryResult query(const SymBool& bad, const std::string& name);
  /// Asserts a fact permanently (e.g. properties shown to hold at an earlier depth).
  void assume(const SymBool& fact) { solver_.add(fact.e); }
  /// Steps unrolled so far.
  std::int64_t depth() const { return static_cast<std::int64_t>(steps_.size()); }
  /// The counterexample a model describes, violating `prop` at step `step`.
  Counterexample counterexample(const z3::model& m, PropertyId prop, std::int64_t step) const;
  /// Well-formedness and the spec's user invariants over `s` (throws InputError on a bad one).
  SymBool invariant(const SymState& s) const;
  z3::context& ctx() { return ctx_; }
  const Unroller& unroller() const { return unroller_; }
  const std::vector<Unroller::Step>& steps() const { return steps_; }

 private:
  mutable z3::context ctx_;  // term construction is not logically mutating
  const BmcSpec& spec_;
  SolverOptions opts_;
  Unroller unroller_;
  z3::solver solver_;
  SymState state_;
  std::vector<Unroller::Step> steps_;
};

}  // namespace kvcheck
