#pragma once
/// \file policy.h
/// Dispatch from the configured PolicyKind to the one definition of each policy.
#include "models/policies/p1_class_budgets.h"
#include "models/policies/p1_flow_control.h"
#include "models/policies/p2_fcfs.h"
#include "models/policies/p2_wait.h"
#include "models/policies/p4_policies.h"
#include "models/policies/vllm_fcfs.h"

namespace kvcheck {

/// Runs the configured policy's plan for one iteration on a PolicyView.
template <class PV>
void run_policy(PV& v) {
  switch (v.params().policy.kind) {
    case PolicyKind::VllmFcfs: vllm_fcfs_step(v); return;
    case PolicyKind::P1ClassBudgets: p1_class_budgets_step(v); return;
    case PolicyKind::P1FlowControl: p1_flow_control_step(v); return;
    case PolicyKind::P2Fcfs: p2_fcfs_step(v); return;
    case PolicyKind::P2Wait: p2_wait_step(v); return;
    case PolicyKind::Sarathi: sarathi_step(v); return;
    case PolicyKind::Orca: orca_step(v); return;
    case PolicyKind::FasterTransformer: faster_transformer_step(v); return;
    case PolicyKind::VanillaVllm: vanilla_vllm_step(v); return;
  }
}

}  // namespace kvcheck
