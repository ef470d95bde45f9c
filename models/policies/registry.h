#pragma once
/// \file registry.h
/// THE list of scheduler policies (docs/adding-a-policy.md). One line per policy:
///
///     X(EnumName, name)
///
/// where models/policies/ holds the step template `name_step(PV&)` and its `name_traits`
/// (models/policy_traits.h). From this line follow: the PolicyKind enumerator, the config and
/// ITF name (`[policy] name = "name"`), the dispatch in models/policy.h, the traits every layer
/// asks for (models/params.h: policy_traits), the policy table of docs/architecture.md
/// (`kvcheck schema --update-docs`), and every test that loops over all_policy_kinds().
/// No includes here: models/params.h reads the list to declare the enum.
#define KVCHECK_PRODUCT_POLICIES(X)       \
  X(VllmFcfs, vllm_fcfs)                  \
  X(P1ClassBudgets, p1_class_budgets)     \
  X(P1FlowControl, p1_flow_control)       \
  X(P2Fcfs, p2_fcfs)                      \
  X(P2Wait, p2_wait)                      \
  X(P2NestedWait, p2_nested_wait)         \
  X(Sarathi, sarathi)                     \
  X(SarathiPriority, sarathi_priority)    \
  X(Orca, orca)                           \
  X(FasterTransformer, faster_transformer) \
  X(VanillaVllm, vanilla_vllm)           \
  X(VllmPriority, vllm_priority)           \
  X(VllmV0, vllm_v0)

// More policies from outside this tree: a registration header, force-included into every source
// (cmake: KVCHECK_POLICY_REGISTRATION), defines KVCHECK_EXTRA_POLICIES(X) with the same one
// line per policy and KVCHECK_EXTRA_POLICY_HEADER (models/policy.h includes it). A team's own
// checker is built that way (docs/adding-a-policy.md, "Your own policy, out of tree"), and so is
// tests/policy_registry/. Never defined in the stock build.
#ifdef KVCHECK_EXTRA_POLICIES
#define KVCHECK_POLICIES(X) KVCHECK_PRODUCT_POLICIES(X) KVCHECK_EXTRA_POLICIES(X)
#else
#define KVCHECK_POLICIES(X) KVCHECK_PRODUCT_POLICIES(X)
#endif
