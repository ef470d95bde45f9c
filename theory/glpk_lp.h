#pragma once
/// \file glpk_lp.h
/// The one layer around GLPK's C API (glpk.h is included by glpk_lp.cpp only). A linear
/// program is a value (columns with bounds and objective coefficients, rows with bounds,
/// sparse coefficients), and so is its answer: optimal, infeasible, unbounded, or a solver
/// failure with GLPK's return code in words. GLPK never prints (glp_term_out(GLP_OFF)), and
/// an LP that GLPK cannot solve never aborts the process: every return code is checked, and
/// GLPK's own fatal errors (glp_error, which would call abort) are routed to an exception by
/// glp_error_hook.
#include <limits>
#include <string>
#include <vector>

namespace kvcheck::theory {

inline constexpr double kLpInf = std::numeric_limits<double>::infinity();

/// A variable or row bound lo <= v <= hi; -inf / +inf for none.
struct LpBounds {
  double lo = 0.0, hi = kLpInf;
};

struct LinearProgram {
  bool maximize = true;
  std::vector<double> objective;       ///< one coefficient per column
  std::vector<LpBounds> columns;       ///< one per column
  std::vector<LpBounds> rows;          ///< one per row (lo == hi: an equality)
  struct Entry {
    int row = 0, col = 0;
    double value = 0.0;
  };
  std::vector<Entry> entries;          ///< the constraint matrix, sparse (0-based)
  std::vector<std::string> column_names;  ///< optional, for error messages
  int add_column(double objective_coef, LpBounds b, std::string name = "");
  int add_row(LpBounds b);
  void set(int row, int col, double value) { entries.push_back({row, col, value}); }
};

enum class LpStatus { Optimal, Infeasible, Unbounded, SolverError };
const char* to_string(LpStatus s);

struct LpSolution {
  LpStatus status = LpStatus::SolverError;
  double objective = 0.0;              ///< valid when Optimal
  std::vector<double> x;               ///< column values, valid when Optimal
  std::string message;                 ///< why, when not Optimal
};

/// Solves `lp` with GLPK's simplex (presolver on, so an infeasible or unbounded LP is reported
/// as such rather than as a failed basis). Never throws for a well-formed LP; throws
/// std::invalid_argument for a malformed one (an entry outside the matrix, a size mismatch).
LpSolution solve_lp(const LinearProgram& lp);

}  // namespace kvcheck::theory
