#pragma once
/// \file cluster_config.h
/// `kvcheck cluster`'s options from a config's [cluster] and [[classes]] (io/config.h).
#include "cluster/cluster_sim.h"
#include "io/config.h"
#include "theory/p3_config.h"

namespace kvcheck::cluster {

inline ClusterOptions cluster_options(const Config& cfg) {
  const auto& c = cfg.cluster;
  ClusterOptions o;
  o.instance = theory::p3_instance(cfg);
  o.charging = theory::p3_charging(cfg);
  o.policy = c.policy == "prioritize_and_route" ? GatePolicy::PrioritizeAndRoute
                                                : GatePolicy::GateAndRoute;
  o.service = c.service == "deterministic" ? Service::Deterministic : Service::Exponential;
  o.horizon = c.horizon;
  o.warmup = c.warmup;
  o.seed = c.seed;
  return o;
}

}  // namespace kvcheck::cluster
