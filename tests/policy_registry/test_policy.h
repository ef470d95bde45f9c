#pragma once
/// \file test_policy.h
/// A test-only policy, never part of a product build: running requests first (vLLM's loop,
/// LIFO recompute, no token budget), then at most ONE admission per step, the queue head, when
/// its prompt fits the free blocks. Registered by one line (registration.h); compiled with the
/// product's own sources into this test's binary (CMakeLists.txt).
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

template <class PV>
void one_admission_step(PV& v) {
  using D = typename PV::Domain;
  auto budget = D::lit(kUnlimited);
  (void)blocks::serve_running_lifo(v, budget);
  if (v.waiting_bound() == 0) return;
  const auto r = v.waiting_at(0);
  const auto ok = v.waiting_valid(0) && v.free_blocks() >= v.blocks_after(r, v.prompt(r));
  v.admit(r, ok);
  v.schedule(r, v.prompt(r), ok);
}

inline constexpr PolicyTraits one_admission_traits{
    .source = "tests/policy_registry (test only)",
    .summary = "running first, then at most one admission per step",
    .needs_classes = false,
    .steady_skip = false};

}  // namespace kvcheck
