#pragma once
/// \file cluster_config.h
/// `kvcheck cluster`'s options from a config's [cluster] and [[classes]] (io/config.h); the
/// policy by its name in cluster_policy.h's table.
#include "cluster/cluster_policy.h"
#include "cluster/cluster_sim.h"
#include "io/config.h"
#include "theory/p3_config.h"

namespace kvcheck::cluster {

inline ClusterOptions cluster_options(const Config& cfg) {
  const auto& c = cfg.cluster;
  ClusterOptions o;
  o.instance = theory::p3_instance(cfg);
  o.charging = theory::p3_charging(cfg);
  // The schema lists exactly named_policies()' names (tests/cluster/cluster_config_test.cpp).
  if (const auto p = find_policy(c.policy)) o.policy = *p;
  o.service = c.service == "deterministic" ? Service::Deterministic : Service::Exponential;
  o.horizon = c.horizon;
  o.warmup = c.warmup;
  o.seed = c.seed;
  return o;
}

}  // namespace kvcheck::cluster
