#pragma once
/// \file property.h
/// The properties kvcheck checks, each a predicate written once over any view (concrete or
/// symbolic) and evaluated after every iteration on the post-iteration state and that
/// iteration's observations. Depends only on models/.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "models/params.h"

namespace kvcheck {

enum class PropertyKind { Safety, Liveness };

enum class PropertyId {
  KvNoOverflow,      ///< the policy's plan never reserves more KV blocks than the pool holds
  KvWithinCapacity,  ///< after the engine's repair, reserved blocks never exceed the pool
  NoEviction,        ///< the engine never evicts on overflow
  NoPreemption,      ///< no request is preempted (recompute)
  Conservation,      ///< arrived = waiting + running + done + rejected
  ExactDelivery,     ///< a completed request delivered exactly o tokens; none exceeds o
  Alg1MemoryBound,   ///< KV tokens <= sum_k b_k w_k (Dong & Cao Algorithm 1)
  Progress,          ///< a non-empty system runs a non-empty batch (no zero-progress state)
  Schedulable,       ///< no waiting request is one that vLLM-style admission can never admit
  SwapSpace,         ///< vLLM V0 swap mode: every swap out finds room in the CPU pool
};

struct PropertyInfo {
  PropertyId id;
  std::string_view name;
  PropertyKind kind;
  std::string_view description;
};

inline constexpr std::array<PropertyInfo, 10> kProperties{{
    {PropertyId::KvNoOverflow, "kv_no_overflow", PropertyKind::Safety,
     "the policy's plan never reserves more KV blocks than the pool holds"},
    {PropertyId::KvWithinCapacity, "kv_within_capacity", PropertyKind::Safety,
     "reserved KV blocks never exceed the pool after the engine's overflow repair"},
    {PropertyId::NoEviction, "no_eviction", PropertyKind::Safety,
     "the engine never evicts a request because the plan overflowed"},
    {PropertyId::NoPreemption, "no_preemption", PropertyKind::Safety,
     "no request is preempted (recompute, or swap out in vllm_v0's swap mode) by the policy"},
    {PropertyId::Conservation, "conservation", PropertyKind::Safety,
     "arrived = waiting + running + done + rejected"},
    {PropertyId::ExactDelivery, "exact_delivery", PropertyKind::Safety,
     "every completed request delivered exactly its o output tokens; no request exceeds o"},
    {PropertyId::Alg1MemoryBound, "alg1_memory_bound", PropertyKind::Safety,
     "KV tokens in use never exceed sum_k b_k * w_k (Dong & Cao Algorithm 1)"},
    {PropertyId::Progress, "progress", PropertyKind::Liveness,
     "whenever requests are waiting or running, the iteration's batch is non-empty"},
    {PropertyId::Schedulable, "schedulable", PropertyKind::Liveness,
     "no waiting request needs more KV blocks to be admitted than the pool can ever give it "
     "(vLLM admission: full sequence or first chunk, watermark); such a request waits forever"},
    {PropertyId::SwapSpace, "swap_space", PropertyKind::Safety,
     "vLLM V0's swap preemption never finds the CPU swap pool too small (V0 raises \"Aborted "
     "due to the lack of CPU swap space\" and the engine stops); holds trivially without swap"},
}};

const PropertyInfo& info(PropertyId id);
std::optional<PropertyId> parse_property(std::string_view name);

/// Dong & Cao's per-request minimum KV workload w = l*o + (o + o^2)/2 (KV-entry x slots).
constexpr std::int64_t kv_workload(std::int64_t prompt, std::int64_t output) {
  return prompt * output + (output + output * output) / 2;
}

/// sum_k b_k * w_k over the configured classes.
std::int64_t alg1_memory_bound(const ModelParams& p);

}  // namespace kvcheck
