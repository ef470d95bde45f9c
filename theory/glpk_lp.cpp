#include "theory/glpk_lp.h"

#include <glpk.h>

#include <csetjmp>
#include <cmath>
#include <memory>
#include <set>
#include <utility>
#include <stdexcept>

namespace kvcheck::theory {
namespace {

struct ProbDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

int bound_type(const LpBounds& b) {
  const bool lo = std::isfinite(b.lo), hi = std::isfinite(b.hi);
  if (lo && hi) return b.lo == b.hi ? GLP_FX : GLP_DB;
  if (lo) return GLP_LO;
  if (hi) return GLP_UP;
  return GLP_FR;
}

double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

void check_shape(const LinearProgram& lp) {
  if (lp.objective.size() != lp.columns.size())
    throw std::invalid_argument("solve_lp: objective and columns differ in size");
  std::set<std::pair<int, int>> seen;  // GLPK rejects duplicates by aborting
  for (const auto& e : lp.entries)
    if (!seen.insert({e.row, e.col}).second)
      throw std::invalid_argument("solve_lp: two matrix entries at the same (row, column)");
  for (const auto& e : lp.entries)
    if (e.row < 0 || e.col < 0 || static_cast<std::size_t>(e.row) >= lp.rows.size() ||
        static_cast<std::size_t>(e.col) >= lp.columns.size())
      throw std::invalid_argument("solve_lp: a matrix entry outside the rows / columns");
  for (const auto& b : lp.columns)
    if (b.lo > b.hi) throw std::invalid_argument("solve_lp: a column with lo > hi");
  for (const auto& b : lp.rows)
    if (b.lo > b.hi) throw std::invalid_argument("solve_lp: a row with lo > hi");
}

std::unique_ptr<glp_prob, ProbDeleter> build(const LinearProgram& lp) {
  std::unique_ptr<glp_prob, ProbDeleter> p(glp_create_prob());
  glp_set_obj_dir(p.get(), lp.maximize ? GLP_MAX : GLP_MIN);
  if (!lp.rows.empty()) glp_add_rows(p.get(), static_cast<int>(lp.rows.size()));
  for (std::size_t i = 0; i < lp.rows.size(); ++i) {
    const auto& b = lp.rows[i];
    glp_set_row_bnds(p.get(), static_cast<int>(i) + 1, bound_type(b), finite_or_zero(b.lo),
                     finite_or_zero(b.hi));
  }
  if (!lp.columns.empty()) glp_add_cols(p.get(), static_cast<int>(lp.columns.size()));
  for (std::size_t j = 0; j < lp.columns.size(); ++j) {
    const auto& b = lp.columns[j];
    const int c = static_cast<int>(j) + 1;
    glp_set_col_bnds(p.get(), c, bound_type(b), finite_or_zero(b.lo), finite_or_zero(b.hi));
    glp_set_obj_coef(p.get(), c, lp.objective[j]);
  }
  // GLPK's arrays are 1-based; element 0 is unused.
  std::vector<int> ia(lp.entries.size() + 1), ja(lp.entries.size() + 1);
  std::vector<double> ar(lp.entries.size() + 1);
  for (std::size_t k = 0; k < lp.entries.size(); ++k) {
    ia[k + 1] = lp.entries[k].row + 1;
    ja[k + 1] = lp.entries[k].col + 1;
    ar[k + 1] = lp.entries[k].value;
  }
  // check_shape has refused duplicates and out-of-range entries, which GLPK would abort on.
  glp_load_matrix(p.get(), static_cast<int>(lp.entries.size()), ia.data(), ja.data(), ar.data());
  return p;
}

const char* simplex_error(int rc) {
  switch (rc) {
    case GLP_EBOUND: return "GLPK: incorrect bounds (GLP_EBOUND)";
    case GLP_EFAIL: return "GLPK: the problem has no rows or columns (GLP_EFAIL)";
    case GLP_EITLIM: return "GLPK: iteration limit exceeded (GLP_EITLIM)";
    case GLP_ETMLIM: return "GLPK: time limit exceeded (GLP_ETMLIM)";
    case GLP_ENOPFS: return "infeasible: no primal feasible solution (GLPK presolver)";
    case GLP_ENODFS: return "unbounded or infeasible: no dual feasible solution (GLPK presolver)";
    default: return "GLPK: simplex failed";
  }
}

LpSolution from_status(glp_prob* p, std::size_t ncols) {
  LpSolution s;
  const int st = glp_get_status(p);
  if (st == GLP_OPT) {
    s.status = LpStatus::Optimal;
    s.objective = glp_get_obj_val(p);
    s.x.resize(ncols);
    for (std::size_t j = 0; j < ncols; ++j) s.x[j] = glp_get_col_prim(p, static_cast<int>(j) + 1);
  } else if (st == GLP_NOFEAS) {
    s.status = LpStatus::Infeasible;
    s.message = "infeasible: no point satisfies the constraints";
  } else if (st == GLP_UNBND) {
    s.status = LpStatus::Unbounded;
    s.message = "unbounded: the objective grows without limit";
  } else {
    s.message = "GLPK: no optimal solution (status " + std::to_string(st) + ")";
  }
  return s;
}

// glp_error calls this hook before it would abort; jumping out is the documented way to
// recover (GLPK manual, glp_error_hook). GLPK's environment is then freed and rebuilt.
thread_local std::jmp_buf* g_glpk_jump = nullptr;
void on_glpk_error(void*) {
  if (g_glpk_jump) std::longjmp(*g_glpk_jump, 1);
}

/// The simplex call, guarded: a GLPK fatal error returns SolverError instead of aborting.
/// Kept free of objects with destructors (longjmp would skip them).
int guarded_simplex(glp_prob* p, const glp_smcp* parm, bool& fatal) {
  std::jmp_buf buf;
  g_glpk_jump = &buf;
  glp_error_hook(on_glpk_error, nullptr);
  if (setjmp(buf) != 0) {
    g_glpk_jump = nullptr;
    glp_free_env();  // GLPK's state after glp_error is undefined; start over
    fatal = true;
    return -1;
  }
  const int rc = glp_simplex(p, parm);
  glp_error_hook(nullptr, nullptr);
  g_glpk_jump = nullptr;
  return rc;
}

}  // namespace

int LinearProgram::add_column(double objective_coef, LpBounds b, std::string name) {
  objective.push_back(objective_coef);
  columns.push_back(b);
  column_names.push_back(std::move(name));
  return static_cast<int>(columns.size()) - 1;
}

int LinearProgram::add_row(LpBounds b) {
  rows.push_back(b);
  return static_cast<int>(rows.size()) - 1;
}

const char* to_string(LpStatus s) {
  switch (s) {
    case LpStatus::Optimal: return "optimal";
    case LpStatus::Infeasible: return "infeasible";
    case LpStatus::Unbounded: return "unbounded";
    case LpStatus::SolverError: return "solver error";
  }
  return "solver error";
}

LpSolution solve_lp(const LinearProgram& lp) {
  check_shape(lp);
  glp_term_out(GLP_OFF);
  if (lp.columns.empty()) {
    LpSolution s;
    s.status = LpStatus::Optimal;  // the empty LP: objective 0
    return s;
  }
  auto p = build(lp);
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  bool fatal = false;
  const int rc = guarded_simplex(p.get(), &parm, fatal);
  if (fatal) {
    (void)p.release();  // freed with GLPK's environment
    return {LpStatus::SolverError, 0.0, {}, "GLPK: internal error (glp_error)"};
  }
  if (rc == GLP_ENOPFS) return {LpStatus::Infeasible, 0.0, {}, simplex_error(rc)};
  if (rc == GLP_ENODFS) {
    // The presolver cannot tell unbounded from infeasible; rerun without it to decide.
    parm.presolve = GLP_OFF;
    glp_adv_basis(p.get(), 0);
    const int rc2 = guarded_simplex(p.get(), &parm, fatal);
    if (fatal) {
      (void)p.release();
      return {LpStatus::SolverError, 0.0, {}, "GLPK: internal error (glp_error)"};
    }
    if (rc2 != 0) return {LpStatus::SolverError, 0.0, {}, simplex_error(rc2)};
    return from_status(p.get(), lp.columns.size());
  }
  if (rc != 0) return {LpStatus::SolverError, 0.0, {}, simplex_error(rc)};
  return from_status(p.get(), lp.columns.size());
}

}  // namespace kvcheck::theory
