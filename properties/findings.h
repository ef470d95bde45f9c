#pragma once
/// \file findings.h
/// What a checker can find beyond the [check] properties (property.h): a run that stops
/// making progress, a request that starves, a backlog that grows. Each is a name a config may
/// give as `[meta] expect_property` and a rule in the gate's SARIF; stated once here.
#include <array>
#include <string_view>

#include "properties/property.h"

namespace kvcheck {

struct FindingInfo {
  std::string_view name;
  PropertyKind kind;
  std::string_view found_by;  ///< the checker that reports it
  std::string_view description;
};

inline constexpr std::array<FindingInfo, 4> kFindings{{
    {"stalled", PropertyKind::Liveness, "simulate",
     "the run stopped making progress: max_idle_steps empty iterations in a row with requests "
     "left"},
    {"livelock", PropertyKind::Liveness, "simulate",
     "the engine state recurred with work done in between and no request completing "
     "(preemption thrash): the run repeats that cycle for ever"},
    {"starvation", PropertyKind::Liveness, "fuzz / explore",
     "a request waited while it would fit, past the starvation watch's limit"},
    {"instability", PropertyKind::Liveness, "explore",
     "a reachable cycle on which the backlog grows (the queue is unstable at this load)"},
}};

}  // namespace kvcheck
