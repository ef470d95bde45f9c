#include "gpu_replay/calibrate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gpu_replay/batch_meta.h"
#include "gpu_replay/block_pool.h"

namespace kvcheck::engine {
namespace {

/// Solves the normal equations over the columns in `active` (Gaussian elimination with partial
/// pivoting on column-scaled data). Inactive coefficients are 0.
std::vector<double> solve_ls(const std::vector<std::vector<double>>& X, const std::vector<double>& y,
                             const std::vector<bool>& active) {
  const std::size_t k = active.size();
  std::vector<std::size_t> cols;
  for (std::size_t j = 0; j < k; ++j) if (active[j]) cols.push_back(j);
  const std::size_t m = cols.size();
  std::vector<double> scale(m, 0.0);
  for (std::size_t a = 0; a < m; ++a)
    for (const auto& row : X) scale[a] = std::max(scale[a], std::abs(row[cols[a]]));
  for (auto& s : scale) s = s > 0.0 ? s : 1.0;
  std::vector<std::vector<double>> A(m, std::vector<double>(m + 1, 0.0));
  for (std::size_t i = 0; i < X.size(); ++i)
    for (std::size_t a = 0; a < m; ++a) {
      const double xa = X[i][cols[a]] / scale[a];
      for (std::size_t b = 0; b < m; ++b) A[a][b] += xa * X[i][cols[b]] / scale[b];
      A[a][m] += xa * y[i];
    }
  for (std::size_t p = 0; p < m; ++p) {
    std::size_t piv = p;
    for (std::size_t r = p + 1; r < m; ++r) if (std::abs(A[r][p]) > std::abs(A[piv][p])) piv = r;
    std::swap(A[p], A[piv]);
    if (std::abs(A[p][p]) < 1e-300) throw std::invalid_argument("fit: singular design (a column is constant or duplicated)");
    for (std::size_t r = 0; r < m; ++r) {
      if (r == p) continue;
      const double f = A[r][p] / A[p][p];
      for (std::size_t c = p; c <= m; ++c) A[r][c] -= f * A[p][c];
    }
  }
  std::vector<double> coef(k, 0.0);
  for (std::size_t a = 0; a < m; ++a) coef[cols[a]] = A[a][m] / A[a][a] / scale[a];
  return coef;
}

void score(FitResult& f, const std::vector<std::vector<double>>& X, const std::vector<double>& y) {
  double mean = 0.0;
  for (const double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double ss_res = 0.0, ss_tot = 0.0, ape = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    double pred = 0.0;
    for (std::size_t j = 0; j < f.coef.size(); ++j) pred += f.coef[j] * X[i][j];
    ss_res += (pred - y[i]) * (pred - y[i]);
    ss_tot += (y[i] - mean) * (y[i] - mean);
    ape += y[i] != 0.0 ? std::abs(pred - y[i]) / std::abs(y[i]) : 0.0;
  }
  f.r2 = ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : (ss_res == 0.0 ? 1.0 : 0.0);
  f.mape = 100.0 * ape / static_cast<double>(y.size());
}

}  // namespace

FitResult fit_nonnegative(const std::vector<std::vector<double>>& X, const std::vector<double>& y) {
  if (X.empty() || X.size() != y.size()) throw std::invalid_argument("fit: need one target per row");
  const std::size_t k = X.front().size();
  for (const auto& row : X)
    if (row.size() != k || k == 0) throw std::invalid_argument("fit: ragged design matrix");
  std::vector<bool> active(k, true);
  FitResult f;
  for (std::size_t round = 0; round < k; ++round) {
    f.coef = solve_ls(X, y, active);
    const auto worst = std::min_element(f.coef.begin(), f.coef.end());
    if (*worst >= 0.0) break;
    const auto j = static_cast<std::size_t>(worst - f.coef.begin());
    active[j] = false;
    f.coef[j] = 0.0;
  }
  for (auto& c : f.coef) c = std::max(c, 0.0);
  score(f, X, y);
  return f;
}

Calibration fit_time_models(std::vector<CalibPoint> points) {
  Calibration c;
  std::vector<std::vector<double>> x2, x4;
  std::vector<double> y;
  for (const auto& p : points) {
    const auto P = static_cast<double>(p.prefill), D = static_cast<double>(p.decode),
               K = static_cast<double>(p.kv);
    x2.push_back({1.0, K});
    x4.push_back({1.0, P, D, K});
    y.push_back(p.seconds);
  }
  c.p2 = fit_nonnegative(x2, y);
  c.linear = fit_nonnegative(x4, y);
  c.points = std::move(points);
  return c;
}

std::string time_toml(const Calibration& c, TimeModelKind kind) {
  const auto& l = c.linear.coef;
  const auto& p = c.p2.coef;
  std::string lin = fmt::format("la = {:.6e}\nlb = {:.6e}\nlc = {:.6e}\nld = {:.6e}\n", l[0], l[1], l[2], l[3]);
  std::string p2 = fmt::format("d0 = {:.6e}\nd1 = {:.6e}\n", p[0], p[1]);
  auto comment = [](const std::string& s) {
    std::string out;
    std::size_t start = 0;
    while (start < s.size()) {
      const auto end = s.find('\n', start);
      out += "# " + s.substr(start, end - start) + "\n";
      start = end + 1;
    }
    return out;
  };
  std::string out = fmt::format(
      "# kvcheck calibrate: {} points; linear R^2 = {:.4f}, MAPE = {:.2f}%; p2_linear R^2 = {:.4f}, MAPE = {:.2f}%\n"
      "# times in seconds; P prefill tokens, D decode tokens, KV = sum of the batch's KV tokens\n[time]\n",
      c.points.size(), c.linear.r2, c.linear.mape, c.p2.r2, c.p2.mape);
  if (kind == TimeModelKind::P2Linear)
    return out + "model = \"p2_linear\"\n" + p2 + "# linear alternative:\n" + comment(lin);
  return out + "model = \"linear\"\n" + lin + "# p2_linear alternative:\n" + comment(p2);
}

std::int32_t sweep_blocks(const SweepSpec& spec, std::int32_t block_size) {
  std::int64_t bmax = 0, cmax = 0, pmax = 0;
  for (auto b : spec.decode_counts) bmax = std::max(bmax, b);
  for (auto c : spec.contexts) cmax = std::max(cmax, c);
  for (auto p : spec.prefills) pmax = std::max(pmax, p);
  const auto per = (cmax + 1 + block_size - 1) / block_size;
  return static_cast<std::int32_t>(bmax * per + (pmax + block_size - 1) / block_size);
}

namespace {

/// Times one composition: `decode` sequences at context `ctx` plus one prefill of `prefill`.
CalibPoint time_point(Backend& be, const ModelConfig& m, std::int32_t bs, std::int64_t decode,
                      std::int64_t ctx, std::int64_t prefill, const SweepSpec& spec, BlockPool& pool) {
  BatchBuilder b(bs);
  std::vector<std::vector<std::int32_t>> tables;
  const std::vector<std::int32_t> one{1 % m.vocab};
  for (std::int64_t s = 0; s < decode; ++s) {
    tables.emplace_back();
    if (!pool.allocate((ctx + 1 + bs - 1) / bs, tables.back())) throw std::logic_error("sweep: pool too small");
    b.add(one, static_cast<std::int32_t>(ctx), tables.back(), true);
  }
  if (prefill > 0) {
    tables.emplace_back();
    if (!pool.allocate((prefill + bs - 1) / bs, tables.back())) throw std::logic_error("sweep: pool too small");
    std::vector<std::int32_t> toks(static_cast<std::size_t>(prefill));
    for (std::size_t i = 0; i < toks.size(); ++i) toks[i] = static_cast<std::int32_t>(i % static_cast<std::size_t>(m.vocab));
    b.add(toks, 0, tables.back(), true);
  }
  const auto meta = b.finish();
  for (int i = 0; i < spec.warmup; ++i) be.forward(meta, false);
  std::vector<double> t;
  for (int i = 0; i < std::max(1, spec.repeats); ++i) t.push_back(be.forward(meta, false).seconds);
  std::sort(t.begin(), t.end());
  for (const auto& tab : tables) pool.free(tab);
  return {prefill, decode, decode * (ctx + 1) + prefill, t[t.size() / 2]};
}

}  // namespace

std::vector<CalibPoint> sweep(Backend& backend, const ModelConfig& model, std::int32_t block_size,
                              const SweepSpec& spec) {
  BlockPool pool(sweep_blocks(spec, block_size));
  std::vector<CalibPoint> out;
  for (auto B : spec.decode_counts)
    for (auto C : spec.contexts) out.push_back(time_point(backend, model, block_size, B, C, 0, spec, pool));
  for (auto P : spec.prefills) out.push_back(time_point(backend, model, block_size, 0, 0, P, spec, pool));
  for (auto P : spec.prefills)  // mixed: separates the prefill, decode and KV terms
    out.push_back(time_point(backend, model, block_size, spec.decode_counts.front(), spec.contexts.back(), P, spec, pool));
  return out;
}

}  // namespace kvcheck::engine
