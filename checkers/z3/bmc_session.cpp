#include "checkers/z3/bmc_session.h"

#include <algorithm>
#include <limits>
#include <fstream>
#include <optional>

#include "checkers/z3/allocation_invariant.h"
#include "checkers/z3/solver_limits.h"
#include "io/input_error.h"

namespace kvcheck {
namespace {

using D = Symbolic;

/// Z3's statistics as "key=value" for the few counters worth a progress line.
std::string brief_stats(const z3::solver& s) {
  std::string out;
  const auto st = s.statistics();
  for (unsigned i = 0; i < st.size(); ++i) {
    const auto key = st.key(i);
    if (key != "conflicts" && key != "decisions" && key != "memory") continue;
    out += " " + key + "=" +
           (st.is_uint(i) ? std::to_string(st.uint_value(i)) : std::to_string(st.double_value(i)));
  }
  return out;
}

}  // namespace

std::uint64_t resource_count(const z3::solver& s) {
  const auto st = s.statistics();
  for (unsigned i = 0; i < st.size(); ++i)
    if (st.key(i) == "rlimit count")
      return st.is_uint(i) ? st.uint_value(i) : static_cast<std::uint64_t>(st.double_value(i));
  return 0;
}

z3::solver BmcSession::side_solver(std::int64_t per_query_work) {
  z3::solver s(ctx_);
  if (opts_.timeout_ms > 0) s.set("timeout", z3_millis(opts_.timeout_ms));
  std::uint64_t units = per_query_work > 0 ? static_cast<std::uint64_t>(per_query_work) : 0;
  if (opts_.rlimit > 0 && (units == 0 || opts_.rlimit < units)) units = opts_.rlimit;
  if (units > 0) s.set("rlimit", z3_units(units));
  for (const auto& c : unroller_.input_constraints()) s.add(c.e);
  return s;
}

BmcSession::BmcSession(const ModelParams& params, const BmcSpec& spec, const SolverOptions& opts,
                       bool free_start, const ConcreteStart* start)
    : guard_(ctx_, opts.deadline), spec_(spec), opts_(opts),
      unroller_(ctx_, params, spec, start), solver_(ctx_),
      state_(free_start ? unroller_.fresh_state("0") : unroller_.initial()) {
  states_.push_back(state_);
  if (opts_.buffered) solver_ = z3::tactic(ctx_, "smt").mk_solver();
  if (opts_.timeout_ms > 0) solver_.set("timeout", z3_millis(opts_.timeout_ms));
  if (opts_.rlimit > 0) solver_.set("rlimit", z3_units(opts_.rlimit));
  for (const auto& c : unroller_.input_constraints()) solver_.add(c.e);
  if (free_start) solver_.add(invariant(state_).e);
}

SymBool BmcSession::invariant(const SymState& s) const {
  SymbolicScope scope(ctx_);
  // Parts proved inductive (prove_lemmas) hold in every reachable state and are assumed of
  // every state already; only the others remain to be shown.
  SymBool ok = D::truth(true);
  const auto parts = unroller_.well_formed_parts(s);
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (std::find(lemmas_.begin(), lemmas_.end(), i) == lemmas_.end()) ok = ok && parts[i].holds;
  if (spec_.invariants.empty()) return ok;
  // User invariants are SMT-LIB2 over template names; substitute this state's terms.
  auto& ctx = ctx_;
  const auto fields = unroller_.named_fields(s);
  z3::sort_vector sorts(ctx);
  z3::func_decl_vector decls(ctx);
  z3::expr_vector from(ctx), to(ctx);
  for (const auto& [name, term] : fields) {
    decls.push_back(ctx.function(name.c_str(), 0, nullptr, ctx.int_sort()));
    from.push_back(ctx.constant(name.c_str(), ctx.int_sort()));
    to.push_back(term.e);
  }
  for (std::size_t i = 0; i < spec_.invariants.size(); ++i) {
    try {
      auto parsed = ctx.parse_string(("(assert " + spec_.invariants[i] + ")").c_str(), sorts, decls);
      for (int j = 0; j < static_cast<int>(parsed.size()); ++j)
        ok = ok && SymBool{parsed[j].substitute(from, to)};
    } catch (const z3::exception& e) {
      throw config_error("", "bmc.invariants[" + std::to_string(i) + "]",
                         std::string("not an SMT-LIB2 boolean over the state names: ") + e.msg());
    }
  }
  return ok;
}

std::vector<SymBool> BmcSession::extend(bool invariants) {
  const auto t = depth();
  std::string tag = "t";  // built by append: GCC 12 warns (-Wrestrict) on "t" + to_string
  tag += std::to_string(t);
  steps_.push_back(unroller_.step(state_, tag, spec_.properties));
  for (const auto& c : steps_.back().side) solver_.add(c.e);
  auto out = steps_.back().props;
  if (invariants) out.push_back(invariant(steps_.back().post));
  std::vector<SymBool> eqs;
  state_ = unroller_.cut(steps_.back().post, std::to_string(t + 1), eqs);
  for (const auto& e : eqs) solver_.add(e.e);
  states_.push_back(state_);
  if (!lemmas_.empty()) {
    const auto parts = candidates(state_);
    for (const auto i : lemmas_) solver_.add(parts[i].holds.e);
  }
  return out;
}

std::vector<Unroller::Part> BmcSession::candidates(const SymState& s) const {
  auto out = unroller_.lemma_candidates(s);
  if (extra_)
    for (auto& p : extra_(s)) out.push_back(std::move(p));
  return out;
}

std::vector<std::string> BmcSession::prove_lemmas(std::int64_t per_query_work,
                                                  std::int64_t total_work) {
  SymbolicScope scope(ctx_);
  const Heartbeat beat(opts_.heartbeat, "lemma proof");
  const auto start = std::chrono::steady_clock::now();
  auto ind = side_solver(per_query_work);
  // Base: each part in the initial state (under the input constraints).
  const auto init = candidates(unroller_.initial());
  std::vector<std::size_t> alive;
  for (std::size_t i = 0; i < init.size(); ++i) {
    ind.push();
    ind.add(!init[i].holds.e);
    if (ind.check() == z3::unsat) alive.push_back(i);
    ind.pop();
  }
  // Step: an arbitrary state satisfying the alive parts (guarded by indicator literals), one
  // step; every alive part must hold after it.
  const auto pre_state = unroller_.fresh_state("lemma0");
  const auto pre = candidates(pre_state);
  std::vector<z3::expr> guard;
  for (std::size_t i = 0; i < pre.size(); ++i) {
    guard.push_back(ctx_.bool_const(("lemma_guard_" + pre[i].name).c_str()));
    ind.add(z3::implies(guard.back(), pre[i].holds.e));
  }
  const auto step = unroller_.step(pre_state, "lemma", {});
  for (const auto& c : step.side) ind.add(c.e);
  const auto post = candidates(step.post);
  std::size_t queries = 0;
  const auto assumptions = [&](const std::vector<std::size_t>& set) {
    z3::expr_vector v(ctx_);
    for (const auto j : set) v.push_back(guard[j]);
    return v;
  };
  // Drops `drop` from `alive`.
  const auto remove = [&](const std::vector<std::size_t>& drop) {
    std::vector<std::size_t> keep;
    for (const auto j : alive)
      if (std::find(drop.begin(), drop.end(), j) == drop.end()) keep.push_back(j);
    alive = std::move(keep);
  };
  // One part at a time, last first (the pool bound, the part most likely to fail, comes last).
  // A proved part records the guards its proof used (unsat core); when a part is dropped, only
  // the proofs that used its guard are redone. Past the total budget, unproved parts are
  // dropped along with every part whose proof needed them. The same happens once the solver
  // has timed out at least 3 times and more often than it proved a part (large N: the proof
  // would only burn the budget; N = 8 kept 1 of 150 parts even with 900 s).
  std::vector<std::optional<std::vector<std::size_t>>> core(pre.size());
  std::size_t proved = 0, timeouts = 0;
  const auto hopeless = [&] {
    return (timeouts >= 3 && timeouts > proved) || expired(opts_.deadline);
  };
  const auto over_budget = [&] {
    return hopeless() ||
           (total_work > 0 && resource_count(ind) >= static_cast<std::uint64_t>(total_work));
  };
  for (bool done = false; !done;) {
    done = true;
    const auto order = std::vector<std::size_t>(alive.rbegin(), alive.rend());
    for (const auto i : order) {
      if (std::find(alive.begin(), alive.end(), i) == alive.end()) continue;
      if (core[i]) continue;
      if (over_budget()) {
        done = true;
        break;
      }
      ind.push();
      ind.add(!post[i].holds.e);
      const auto r = ind.check(assumptions(alive));
      ++queries;
      if (r == z3::unknown) ++timeouts;
      std::vector<std::size_t> drop{i};
      if (r == z3::unsat) {
        ++proved;
        std::vector<std::size_t> used;
        const auto uc = ind.unsat_core();
        for (const auto j : alive)
          for (unsigned u = 0; u < uc.size(); ++u)
            if (z3::eq(uc[static_cast<int>(u)], guard[j])) used.push_back(j);
        core[i] = used;
      } else if (r == z3::sat) {  // every alive part the model falsifies fails too
        const auto m = ind.get_model();
        for (const auto j : alive)
          if (j != i && !Unroller::value(m, post[j].holds)) drop.push_back(j);
      }
      ind.pop();
      if (r == z3::unsat) continue;
      remove(drop);
      for (auto& c : core)
        if (c && std::any_of(c->begin(), c->end(), [&](std::size_t j) {
              return std::find(drop.begin(), drop.end(), j) != drop.end();
            })) {
          c.reset();
          done = false;
        }
    }
  }
  for (bool changed = true; changed;) {  // keep only parts whose proofs used kept parts
    changed = false;
    for (const auto i : std::vector<std::size_t>(alive))
      if (!core[i] || std::any_of(core[i]->begin(), core[i]->end(), [&](std::size_t j) {
            return std::find(alive.begin(), alive.end(), j) == alive.end();
          })) {
        remove({i});
        changed = true;
      }
  }
  lemmas_ = alive;
  lemmas_proved_ = true;
  for (const auto& st : states_) {
    const auto parts = candidates(st);
    for (const auto i : lemmas_) solver_.add(parts[i].holds.e);
  }
  std::vector<std::string> names;
  for (const auto i : alive) names.push_back(pre[i].name);
  if (opts_.progress) {
    const auto secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto gave_up =
        hopeless() ? "gave up after " + std::to_string(timeouts) + " solver timeouts, " : "";
    *opts_.progress << "lemmas: " << alive.size() << " of " << pre.size()
                    << " lemma candidates (well-formedness parts, queue-order facts) proved "
                    << "inductive in " << secs << " s (" << gave_up << queries << " queries)\n";
    for (std::size_t i = 0; i < pre.size(); ++i)
      if (std::find(alive.begin(), alive.end(), i) == alive.end())
        *opts_.progress << "  not assumed: " << pre[i].name << "\n";
    *opts_.progress << std::flush;
  }
  return names;
}

bool BmcSession::implied_by_allocation_invariant(std::int64_t per_query_work) {
  SymbolicScope scope(ctx_);
  const Heartbeat beat(opts_.heartbeat, "allocation invariant");
  auto s = side_solver(per_query_work);
  const auto start = std::chrono::steady_clock::now();
  const auto r = prove_allocation_invariant(unroller_, s, spec_.properties);
  if (opts_.progress) {
    const auto secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    *opts_.progress << "allocation invariant (pool counter <= " << unroller_.num_blocks()
                    << " blocks, sizes >= 0, checked action by action): "
                    << (r.holds ? "inductive and implies the properties" : "not shown: " + r.reason)
                    << " (" << r.queries << " queries, " << secs << " s)\n" << std::flush;
  }
  return r.holds;
}

bool BmcSession::implied_by_lemmas(std::int64_t per_query_work) {
  if (!lemmas_proved_ || lemmas_.empty()) return false;
  SymbolicScope scope(ctx_);
  auto s = side_solver(per_query_work);
  const auto pre = unroller_.fresh_state("closure0");
  const auto parts = candidates(pre);
  for (const auto i : lemmas_) s.add(parts[i].holds.e);
  const auto step = unroller_.step(pre, "closure", spec_.properties);
  for (const auto& c : step.side) s.add(c.e);
  s.add(any_false(step.props).e);
  const auto start = std::chrono::steady_clock::now();
  const auto r = s.check();
  if (opts_.progress) {
    const auto secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    *opts_.progress << "closure: one step from any state satisfying the proved lemmas "
                    << (r == z3::unsat ? "cannot" : "may") << " violate a property ("
                    << (r == z3::unsat ? "unsat" : r == z3::sat ? "sat" : "unknown") << " in "
                    << secs << " s)\n" << std::flush;
  }
  return r == z3::unsat;
}

QueryResult BmcSession::query(const SymBool& bad, const std::string& name) {
  const auto start = std::chrono::steady_clock::now();
  if (expired(opts_.deadline)) {
    QueryResult r;
    r.reason = "time limit reached before " + name;
    if (opts_.progress) *opts_.progress << name << ": unknown (time limit reached)\n" << std::flush;
    return r;
  }
  // A query is `bad` under a fresh assumption literal, retired (asserted false) afterwards, so
  // the clauses the solver learns survive into the next depth's query (push/pop would drop
  // them: 3-5x slower at depth >= 8, docs/perf.md). Dumps keep push/pop so that each file is
  // a self-contained query.
  const bool assume = opts_.dump_dir.empty();
  const auto lit = ctx_.bool_const(("query#" + std::to_string(++queries_) + "_" + name).c_str());
  if (assume) {
    solver_.add(z3::implies(lit, bad.e));
  } else {
    solver_.push();
    solver_.add(bad.e);
  }
  if (!opts_.dump_dir.empty()) {
    std::filesystem::create_directories(opts_.dump_dir);
    const auto path = opts_.dump_dir / (name + ".smt2");
    std::ofstream f(path);
    if (!f) throw InputError(ExitCode::ConfigError, path.string(), "--dump-smt2", "cannot write");
    f << "(set-logic ALL)\n" << solver_.to_smt2();  // cvc5 wants a logic; Z3 accepts ALL
  }
  QueryResult r;
  const auto before = resource_count(solver_);
  const Heartbeat beat(opts_.heartbeat, name);
  if (assume) {
    z3::expr_vector a(ctx_);
    a.push_back(lit);
    r.result = solver_.check(a);
  } else {
    r.result = solver_.check();
  }
  if (r.result == z3::sat) r.model = solver_.get_model();
  if (r.result == z3::unknown) r.reason = solver_.reason_unknown();
  const auto stats = brief_stats(solver_);
  const auto after = resource_count(solver_);
  r.work = after - before;
  if (assume) solver_.add(!lit);
  else solver_.pop();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (opts_.progress)
    *opts_.progress << name << ": " << (r.result == z3::sat     ? "sat"
                                        : r.result == z3::unsat ? "unsat"
                                                                : "unknown")
                    << " in " << r.seconds << " s, " << r.work << " units (" << after
                    << " in this session)" << stats << "\n"
                    << std::flush;
  return r;
}

Counterexample BmcSession::counterexample(const z3::model& m, PropertyId prop,
                                          std::int64_t step) const {
  Counterexample c;
  c.workload = unroller_.workload(m);
  c.property = prop;
  c.step = step;
  for (std::int64_t t = 0; t <= step; ++t) {
    std::vector<std::int64_t> picks;
    for (const auto& p : steps_[static_cast<std::size_t>(t)].obs.picks)
      picks.push_back(Unroller::value(m, p));
    c.picks.push_back(picks);
  }
  return c;
}

}  // namespace kvcheck
