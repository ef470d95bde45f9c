#include "checkers/bmc_session.h"

#include <fstream>

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

BmcSession::BmcSession(const ModelParams& params, const BmcSpec& spec, const SolverOptions& opts,
                       bool free_start)
    : spec_(spec), opts_(opts), unroller_(ctx_, params, spec), solver_(ctx_),
      state_(free_start ? unroller_.fresh_state("0") : unroller_.initial()) {
  if (opts_.timeout_ms > 0) solver_.set("timeout", static_cast<unsigned>(opts_.timeout_ms));
  for (const auto& c : unroller_.input_constraints()) solver_.add(c.e);
  if (free_start) solver_.add(invariant(state_).e);
}

SymBool BmcSession::invariant(const SymState& s) const {
  SymbolicScope scope(ctx_);
  SymBool ok = unroller_.well_formed(s);
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
  return out;
}

QueryResult BmcSession::query(const SymBool& bad, const std::string& name) {
  const auto start = std::chrono::steady_clock::now();
  solver_.push();
  solver_.add(bad.e);
  if (!opts_.dump_dir.empty()) {
    std::filesystem::create_directories(opts_.dump_dir);
    const auto path = opts_.dump_dir / (name + ".smt2");
    std::ofstream f(path);
    if (!f) throw InputError(ExitCode::ConfigError, path.string(), "--dump-smt2", "cannot write");
    f << "(set-logic ALL)\n" << solver_.to_smt2();  // cvc5 wants a logic; Z3 accepts ALL
  }
  QueryResult r;
  r.result = solver_.check();
  if (r.result == z3::sat) r.model = solver_.get_model();
  if (r.result == z3::unknown) r.reason = solver_.reason_unknown();
  const auto stats = brief_stats(solver_);
  solver_.pop();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (opts_.progress)
    *opts_.progress << name << ": " << (r.result == z3::sat     ? "sat"
                                        : r.result == z3::unsat ? "unsat"
                                                                : "unknown")
                    << " in " << r.seconds << " s" << stats << "\n" << std::flush;
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
