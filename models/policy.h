#pragma once
/// \file policy.h
/// Dispatch from the configured PolicyKind to the one definition of each policy, generated
/// from the registry (models/policies/registry.h). A new policy's header is included here.
#include "models/policies/p1_class_budgets.h"
#include "models/policies/p1_flow_control.h"
#include "models/policies/p2_fcfs.h"
#include "models/policies/p2_nested_wait.h"
#include "models/policies/p2_wait.h"
#include "models/policies/p4_policies.h"
#include "models/policies/vllm_fcfs.h"
#include "models/policies/vllm_priority.h"
#include "models/policies/vllm_v0.h"
#ifdef KVCHECK_EXTRA_POLICY_HEADER  // a registration header's policies (see registry.h)
#include KVCHECK_EXTRA_POLICY_HEADER
#endif

namespace kvcheck {

/// Runs the configured policy's plan for one iteration on a PolicyView.
template <class PV>
void run_policy(PV& v) {
  switch (v.params().policy.kind) {
#define KVCHECK_POLICY_CASE(kind, name) \
  case PolicyKind::kind: name##_step(v); return;
    KVCHECK_POLICIES(KVCHECK_POLICY_CASE)
#undef KVCHECK_POLICY_CASE
  }
}

}  // namespace kvcheck
