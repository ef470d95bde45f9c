#pragma once
// Helpers shared by the cluster/ tests: an event recorder and the tiny hand-computable instance.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cluster/cluster_sim.h"

namespace kvcheck::cluster::testing {

/// Records (job, kind) -> time and gpu (the last such event), and every event in order.
struct Recorder final : ClusterObserver {
  std::map<std::pair<std::int64_t, int>, std::pair<double, std::int64_t>> at;
  std::vector<ClusterEvent> all;
  void on_event(const ClusterEvent& e) override {
    at[{e.job, e.kind}] = {e.time, e.gpu};
    all.push_back(e);
  }
  double time(std::int64_t job, ClusterEvent::Kind k) const { return at.at({job, k}).first; }
  std::int64_t gpu(std::int64_t job, ClusterEvent::Kind k) const { return at.at({job, k}).second; }
  bool saw(std::int64_t job, ClusterEvent::Kind k) const { return at.count({job, k}) > 0; }
};

/// tau = 0.5 + 0.25 x 2 = 1, gamma = 2 (so gamma tau = 2), B = 2: one class P = 4 (prefill
/// 4 x 1 / 2 = 2 s), D as given (mixed decode D x tau = D s, solo D / gamma s), no abandonment.
inline theory::P3Instance small(double D) {
  theory::P3Instance inst;
  inst.B = 2;
  inst.C = 2;
  inst.alpha = 0.5;
  inst.beta = 0.25;
  inst.gamma = 2;
  inst.c_p = 1;
  inst.c_d = 1;
  inst.classes = {{"c", 4, D, 0.1, 0.0}};
  return inst;
}

/// Deterministic service, scripted arrivals, horizon 100 s, every GPU checked at every event.
inline ClusterOptions deterministic(theory::P3Instance inst,
                                    std::vector<std::pair<double, int>> arr) {
  ClusterOptions o;
  o.instance = std::move(inst);
  o.service = Service::Deterministic;
  o.horizon = 100;
  o.arrivals = std::move(arr);
  o.check = InvariantCheck::Full;
  return o;
}

/// A random P3 instance for the invariant runs: B 2..5, C 1..64, alpha, beta, gamma and the
/// prices on small grids, 1-3 classes with P, D in 1..400, lambda in (0, 1], theta in [0, 0.5].
/// `draw(lo, hi)` is the caller's seeded uniform integer in [lo, hi].
template <class Draw>
theory::P3Instance random_instance(Draw& draw) {
  theory::P3Instance inst;
  inst.B = draw(2, 5);
  inst.C = draw(1, 64);
  inst.alpha = 0.01 * draw(1, 5);
  inst.beta = 1e-4 * draw(0, 5);
  inst.gamma = draw(5, 60);
  inst.c_p = 0.1 * draw(0, 3);
  inst.c_d = 0.1 * draw(1, 3);
  const int classes = draw(1, 3);
  for (int i = 0; i < classes; ++i)
    inst.classes.push_back({"k" + std::to_string(i), static_cast<double>(draw(1, 400)),
                            static_cast<double>(draw(1, 400)), 0.05 * draw(1, 20),
                            0.05 * draw(0, 10)});
  return inst;
}

}  // namespace kvcheck::cluster::testing
