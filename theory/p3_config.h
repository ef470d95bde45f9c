#pragma once
/// \file p3_config.h
/// P3's instance and charging from a config's [cluster] and [[classes]] (io/config.h).
#include "io/config.h"
#include "theory/p3_lp.h"

namespace kvcheck::theory {

inline P3Instance p3_instance(const Config& cfg) {
  const auto& c = cfg.cluster;
  P3Instance inst;
  inst.B = c.batch;
  inst.C = static_cast<double>(c.chunk);
  inst.alpha = c.alpha;
  inst.beta = c.beta;
  inst.gamma = c.gamma;
  inst.c_p = c.c_p;
  inst.c_d = c.c_d;
  for (const auto& k : cfg.model.classes)
    inst.classes.push_back({k.name, static_cast<double>(k.prompt), static_cast<double>(k.output),
                            k.rate, k.abandon_rate});
  return inst;
}

inline P3Charging p3_charging(const Config& cfg) {
  return cfg.cluster.charging == "separate" ? P3Charging::Separate : P3Charging::Bundled;
}

}  // namespace kvcheck::theory
