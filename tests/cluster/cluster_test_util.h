#pragma once
// Helpers shared by the cluster/ tests: an event recorder and the tiny hand-computable instance.
#include <map>
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

}  // namespace kvcheck::cluster::testing
