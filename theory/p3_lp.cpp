#include "theory/p3_lp.h"

#include <algorithm>
#include <cmath>

#include "theory/tolerance.h"

namespace kvcheck::theory {
namespace {

/// Column indices of one class's variables.
struct Cols {
  int x, y_m, y_s, q_p, q_d;
};

/// Objective coefficients of (x, y_m, y_s) for class i.
struct Coefs {
  double x, y_m, y_s;
};

Coefs objective(const P3Instance& inst, const P3Rates& r, std::size_t i, P3Charging ch) {
  if (ch == P3Charging::Bundled) {
    const double w = p3_weight(inst, i);
    return {0.0, w * r.mu_m[i], w * r.mu_s[i]};
  }
  // LP (42): c_p (C / tau) x + (c_d / tau) y_m + c_d gamma y_s, the same for every class.
  return {inst.c_p * inst.C / r.tau, inst.c_d / r.tau, inst.c_d * inst.gamma};
}

std::vector<Cols> add_columns(LinearProgram& lp, const P3Instance& inst, const P3Rates& r,
                              P3Charging ch) {
  std::vector<Cols> cols;
  for (std::size_t i = 0; i < inst.classes.size(); ++i) {
    const auto o = objective(inst, r, i, ch);
    // Without abandonment there is no queue mass in the balance (theta q = 0): fix it at 0.
    const LpBounds q = inst.classes[i].abandon > 0.0 ? LpBounds{} : LpBounds{0.0, 0.0};
    const auto& n = inst.classes[i].name;
    cols.push_back({lp.add_column(o.x, {}, "x[" + n + "]"),
                    lp.add_column(o.y_m, {}, "y_m[" + n + "]"),
                    lp.add_column(o.y_s, {}, "y_s[" + n + "]"),
                    lp.add_column(0.0, q, "q_p[" + n + "]"),
                    lp.add_column(0.0, q, "q_d[" + n + "]")});
  }
  return cols;
}

void add_capacity_rows(LinearProgram& lp, const std::vector<Cols>& cols, double B) {
  const int prefill = lp.add_row({-kLpInf, 1.0});  // sum x <= 1
  const int mixed = lp.add_row({-kLpInf, 0.0});    // sum y_m - (B - 1) sum x <= 0
  const int solo = lp.add_row({-kLpInf, B});       // sum y_s + B sum x <= B
  for (const auto& c : cols) {
    lp.set(prefill, c.x, 1.0);
    lp.set(mixed, c.y_m, 1.0);
    lp.set(mixed, c.x, -(B - 1.0));
    lp.set(solo, c.y_s, 1.0);
    lp.set(solo, c.x, B);
  }
}

void add_balance_rows(LinearProgram& lp, const std::vector<Cols>& cols, const P3Instance& inst,
                      const P3Rates& r) {
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const auto& c = cols[i];
    const double theta = inst.classes[i].abandon, lambda = inst.classes[i].rate;
    const int pre = lp.add_row({lambda, lambda});  // mu_p x + theta q_p = lambda
    lp.set(pre, c.x, r.mu_p[i]);
    if (theta > 0.0) lp.set(pre, c.q_p, theta);
    const int dec = lp.add_row({0.0, 0.0});  // mu_p x - theta q_d - mu_m y_m - mu_s y_s = 0
    lp.set(dec, c.x, r.mu_p[i]);
    if (theta > 0.0) lp.set(dec, c.q_d, -theta);
    lp.set(dec, c.y_m, -r.mu_m[i]);
    lp.set(dec, c.y_s, -r.mu_s[i]);
  }
}

/// GLPK's vertex values can be -1e-17 for a zero; the plan is nonnegative.
double clean(double v) { return v < 0.0 && v > -1e-9 ? 0.0 : v; }

}  // namespace

const char* to_string(P3Charging c) { return c == P3Charging::Bundled ? "bundled" : "separate"; }

P3Rates p3_service_rates(const P3Instance& inst) {
  P3Rates r;
  r.tau = inst.alpha + inst.beta * inst.C;
  for (const auto& c : inst.classes) {
    r.mu_p.push_back(inst.C / (c.prompt * r.tau));
    r.mu_m.push_back(1.0 / (c.output * r.tau));
    r.mu_s.push_back(inst.gamma / c.output);
  }
  return r;
}

double p3_weight(const P3Instance& inst, std::size_t i) {
  return inst.c_p * inst.classes[i].prompt + inst.c_d * inst.classes[i].output;
}

P3Instance p3_section62_instance() {
  P3Instance inst;
  inst.B = 16;
  inst.C = 256;
  inst.alpha = 0.0174;
  inst.beta = 6.2e-5;
  inst.gamma = 45.45;
  inst.c_p = 0.1;
  inst.c_d = 0.2;
  inst.classes = {{"decode_heavy", 300, 1000, 0.5, 0.1}, {"prefill_heavy", 3000, 400, 0.5, 0.1}};
  return inst;
}

P3LpResult solve_p3_lp(const P3Instance& inst, P3Charging charging) {
  const auto r = p3_service_rates(inst);
  LinearProgram lp;
  const auto cols = add_columns(lp, inst, r, charging);
  add_capacity_rows(lp, cols, static_cast<double>(inst.B));
  add_balance_rows(lp, cols, inst, r);
  const auto sol = solve_lp(lp);
  P3LpResult out;
  out.charging = charging;
  out.status = sol.status;
  out.message = sol.message;
  if (!out.optimal()) return out;
  out.objective = sol.objective;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const auto& c = cols[i];
    P3ClassPlan p{clean(sol.x[static_cast<std::size_t>(c.x)]),
                  clean(sol.x[static_cast<std::size_t>(c.y_m)]),
                  clean(sol.x[static_cast<std::size_t>(c.y_s)]),
                  clean(sol.x[static_cast<std::size_t>(c.q_p)]),
                  clean(sol.x[static_cast<std::size_t>(c.q_d)]), 0.0};
    p.throughput = r.mu_m[i] * p.y_m + r.mu_s[i] * p.y_s;
    out.sum_x += p.x;
    out.classes.push_back(p);
  }
  return out;
}

std::int64_t p3_mixed_gpus(double sum_x, std::int64_t n) {
  const double v = static_cast<double>(n) * sum_x;
  const double nearest = std::round(v);
  const double m = std::abs(v - nearest) <= 1e-9 * std::max(1.0, std::abs(v)) ? nearest
                                                                             : std::ceil(v);
  return std::clamp(static_cast<std::int64_t>(m), std::int64_t{0}, n);
}

P3Prop32 p3_prop32(const P3Instance& inst) {
  const auto tau = inst.alpha + inst.beta * inst.C;
  const auto B = static_cast<double>(inst.B);
  P3Prop32 p{inst.gamma * tau, (B - 1.0) / B, false};
  p.holds = approx_leq(p.bound, p.gamma_tau);
  return p;
}

}  // namespace kvcheck::theory
