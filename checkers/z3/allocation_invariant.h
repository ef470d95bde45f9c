#pragma once
/// \file allocation_invariant.h
/// An unbounded argument for memory safety that scales with N where whole-step queries do not
/// (docs/z3-backend.md, "Allocation invariant"). For policies that check free blocks before
/// every reservation (vLLM's running and waiting loops, LIFO repair, ...), the invariant
///
///     I(s) = (pool counter `used` <= num_blocks)
///            and every slot's computed, generated, blocks, tokens >= 0
///
/// is inductive, and it is checked one action at a time instead of in one query that spans the
/// whole step (those cost minutes at N = 8):
///  1. every value the step stores into a request field (PoolTrace::stores) is >= 0 whenever it
///     is stored: one small query each; each proved fact is asserted for the next query;
///  2. every post-state field is then >= 0 by the shape of its term (`nonneg_by_shape`): an
///     if-then-else with such branches, a sum of such terms, a numeral >= 0, a pre-state field,
///     or a value of step 1 in the then-branch of the very condition it was stored under.
///     The blocks a request holds at each reservation or release (PoolTrace::held) pass the
///     same shape check and are asserted >= 0;
///  3. the pool counter stays <= num_blocks from each change to the next (PoolTrace::counter,
///     one query per reservation; a release, `previous - d` with d >= 0 by shape, needs none),
///     so no reservation overflows and the post-state counter is bounded;
///  4. with those facts asserted, one query: no requested property fails in the step.
/// I holds in the initial state (counter 0, fields 0), so it holds in every reachable state and
/// 4 holds at every depth. Any sat or unknown answer means "not shown" (the caller falls back
/// to the lemma proof); it is never a verdict by itself.
#include <string>
#include <vector>

#include "checkers/z3/unroller.h"

namespace kvcheck {

struct AllocationProof {
  bool holds = false;
  std::string reason;  ///< why not, when !holds: which check failed and how
  int queries = 0;
};

/// Runs checks 1-4 in `s` (which must hold the input constraints and set its per-query limit;
/// facts are asserted into it). `props`: the properties of check 4; the pool is u's.
AllocationProof prove_allocation_invariant(const Unroller& u, z3::solver& s,
                                           const std::vector<PropertyId>& props);

/// The invariant I over `s`, as one term (the initial-state check and tests).
SymBool allocation_invariant(const SymState& s, std::int64_t num_blocks);

/// Whether `t` is >= 0 by its shape alone (check 2): `base` are terms known >= 0 (pre-state
/// fields), `stores` the values known >= 0 under their condition.
bool nonneg_by_shape(const SymInt& t, const std::vector<SymInt>& base,
                     const std::vector<GuardedValue>& stores);

}  // namespace kvcheck
