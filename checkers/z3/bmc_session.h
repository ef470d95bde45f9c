#pragma once
/// \file bmc_session.h
/// One incremental unrolling in one solver, shared by `check` (BMC from the initial state) and
/// `prove` (the k-induction base from the initial state, the step case from an arbitrary
/// well-formed state). Owns the solver options: per-query timeout (a timeout is UNKNOWN, never a
/// pass), SMT-LIB2 dumps of every query, and a progress line per query.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "checkers/z3/deadline.h"
#include "checkers/z3/property_terms.h"
#include "checkers/z3/unroller.h"
#include "models/request.h"

namespace kvcheck {

/// How queries are run and reported.
struct SolverOptions {
  std::int64_t timeout_ms = 0;          ///< per query; 0 = none
  std::filesystem::path dump_dir;       ///< empty = no SMT-LIB2 dumps
  std::ostream* progress = nullptr;     ///< one line per query when set
  /// Every decision inside the algorithm is taken on Z3 resource units (QueryResult::work,
  /// "rlimit count"), never on elapsed time, so the same input takes the same path on a loaded
  /// and an idle machine. On this project's 2-core machine 10^6 units took 2 to 4 s
  /// (docs/perf.md).
  /// `check`: once a depth's query consumes >= `lemma_after_work` units, the well-formedness
  /// lemmas are proved (BmcSession::prove_lemmas, per-query / total budgets below) and assumed
  /// from then on; < 0 = never.
  std::int64_t lemma_after_work = 5'000'000;  ///< the proof is costly: only for slow depths
  /// `check`: once a depth's query consumes >= `alloc_after_work` units, the allocation
  /// invariant (BmcSession::implied_by_allocation_invariant) is tried once, before the lemmas;
  /// it costs a fraction of the lemma proof. < 0 = never.
  std::int64_t alloc_after_work = 1'000'000;
  std::int64_t lemma_query_work = 20'000'000;   ///< per lemma / invariant query (Z3 rlimit)
  std::int64_t lemma_total_work = 240'000'000;  ///< the whole lemma proof
  /// `check`: random concrete workloads inside the [bmc] bounds simulated before the solver
  /// runs (checkers/z3/seed_search.h); a violation found is confirmed by the solver at its step
  /// with the inputs fixed, after every shallower depth was proved unsat. 0 = off.
  std::int64_t seed_runs = 2000;
  std::uint64_t seed = 1;
  /// Z3 resource units per query (Z3's `rlimit`; 0 = none): a deterministic budget, the same
  /// on a loaded and an idle machine; exhausted is UNKNOWN.
  std::uint64_t rlimit = 0;
  /// The outer wall-clock guard (checkers/z3/deadline.h): past it every query is UNKNOWN.
  Deadline deadline;
  /// Buffer assertions and preprocess them at each check (a tactic solver) instead of the
  /// incremental kernel, which preprocesses every assertion as it comes: BMC from a simulated
  /// prefix (checkers/z3/prefix_bmc.h) has few, large steps, where asserting one step's pool
  /// counter took minutes in the kernel and a second in one pass.
  bool buffered = false;
  /// Where a line goes every 5 s while one query runs (checkers/z3/deadline.h Heartbeat); null:
  /// none. Printing only.
  std::ostream* heartbeat = nullptr;
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
  /// Z3 resource units the query consumed ("rlimit count" before and after): the same on any
  /// machine, so decisions taken on it do not depend on the machine's load.
  std::uint64_t work = 0;
};

/// The cumulative Z3 resource units `s` has consumed ("rlimit count"; 0 before any check).
std::uint64_t resource_count(const z3::solver& s);

class BmcSession {
 public:
  /// `free_start`: start from an arbitrary well-formed state (k-induction step case) instead
  /// of the initial state. `params` and `spec` must outlive the session. With `start` (and not
  /// `free_start`) the unrolling begins in that concrete state (Unroller's constructor); it
  /// must outlive the session too.
  BmcSession(const ModelParams& params, const BmcSpec& spec, const SolverOptions& opts,
             bool free_start, const ConcreteStart* start = nullptr);

  /// Adds step `depth()`; returns the per-property terms (in spec.properties order) and, when
  /// `invariants` is set, the well-formedness + user invariants of the post-state last.
  std::vector<SymBool> extend(bool invariants);
  /// Checks whether `bad` can hold (pushed and popped); `name` labels dumps and progress.
  QueryResult query(const SymBool& bad, const std::string& name);
  /// Proves which parts of the built-in well-formedness invariant (Unroller::well_formed_parts)
  /// are inductive together, once per model: each holds in the initial state, and the
  /// conjunction of the surviving parts in an arbitrary state implies each of them after one
  /// step (any inputs within the [bmc] bounds, any choices). A part whose query is sat or
  /// unknown (per-query resource limit `per_query_work`, and the session's timeout) is dropped,
  /// and every proof whose unsat core assumed a dropped part is redone (Houdini), so only
  /// parts proved from proved parts remain.
  /// From then on `extend` asserts the proved parts of every new state (sound: they hold in
  /// every reachable state). Returns the names of the proved parts.
  /// Past `total_work` units (0 = no limit) the unproved parts are dropped, and with them every part
  /// whose proof assumed one of them. The proved parts are also asserted of the states
  /// unrolled so far.
  std::vector<std::string> prove_lemmas(std::int64_t per_query_work, std::int64_t total_work);
  /// After prove_lemmas: whether one step from ANY state satisfying the proved lemmas keeps
  /// every property (unsat query within `per_query_work` units). The lemmas hold in every reachable
  /// state, so then no reachable step violates a property, at any depth. False when unknown.
  bool implied_by_lemmas(std::int64_t per_query_work);
  /// Whether the allocation invariant (checkers/z3/allocation_invariant.h: pool counter <= pool,
  /// sizes >= 0, checked action by action) is inductive and implies every property in one
  /// step, each query within `per_query_work` units. True means no depth can violate a property.
  bool implied_by_allocation_invariant(std::int64_t per_query_work);
  /// Extra lemma candidates (tests: a deliberately non-inductive one must not be assumed).
  void add_lemma_candidates(std::function<std::vector<Unroller::Part>(const SymState&)> fn) {
    extra_ = std::move(fn);
  }
  /// Whether prove_lemmas has run.
  bool lemmas_proved() const { return lemmas_proved_; }
  /// Asserts a fact permanently (e.g. properties shown to hold at an earlier depth).
  void assume(const SymBool& fact) { solver_.add(fact.e); }
  /// Steps unrolled so far.
  std::int64_t depth() const { return static_cast<std::int64_t>(steps_.size()); }
  /// The counterexample a model describes, violating `prop` at step `step`.
  Counterexample counterexample(const z3::model& m, PropertyId prop, std::int64_t step) const;
  /// Well-formedness (the parts not proved as lemmas) and the spec's user invariants over `s`
  /// (throws InputError on a bad one).
  SymBool invariant(const SymState& s) const;
  z3::context& ctx() { return ctx_; }
  const Unroller& unroller() const { return unroller_; }
  const std::vector<Unroller::Step>& steps() const { return steps_; }

 private:
  mutable z3::context ctx_;  // term construction is not logically mutating
  DeadlineGuard guard_;      // interrupts ctx_ past opts.deadline (destroyed before ctx_)
  const BmcSpec& spec_;
  SolverOptions opts_;
  Unroller unroller_;
  z3::solver solver_;
  SymState state_;
  std::vector<Unroller::Step> steps_;
  std::vector<SymState> states_;     ///< the start state, then the cut state after every step
  std::vector<std::size_t> lemmas_;  ///< indices into well_formed_parts proved inductive
  bool lemmas_proved_ = false;
  std::size_t queries_ = 0;  ///< names each query's assumption literal uniquely
  std::function<std::vector<Unroller::Part>(const SymState&)> extra_;
  /// A separate solver for lemma and closure queries: the input constraints, a per-query
  /// resource limit of `per_query_work` units (and the session's timeout, if any).
  z3::solver side_solver(std::int64_t per_query_work);
  /// The lemma candidates over `s`: well_formed_parts, then extra_'s.
  std::vector<Unroller::Part> candidates(const SymState& s) const;
};

}  // namespace kvcheck
