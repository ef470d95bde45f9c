#pragma once
/// \file vllm_v0.h
/// vLLM V0's default scheduler (the PagedAttention-era engine, papers.md 5.1: the "vanilla
/// vLLM" of P4 and the vLLM baseline of P2), `Scheduler._schedule_default` with chunked prefill
/// off. Source read (vllm-project/vllm): `vllm/core/scheduler.py` @ 0dce2b29aaaa (v0.5/v0.6 era),
/// `vllm/core/block_manager.py` @ 9a4b60a4c91d (`SelfAttnBlockSpaceManager`, v0.6.4+ era),
/// `vllm/core/block/block_table.py` @ 47c0ebf2e764, `vllm/core/block_manager_v1.py` @
/// a02da52a6cdd. Rule by rule (docs/vllm.md, "vLLM V0"):
///  1. Prefills first, no mixing (`_schedule_default`): the waiting queue is scheduled first
///     (`_schedule_prefills`, swapped queue empty); "Don't schedule decodes if prefills are
///     scheduled": `_schedule_running` runs only if no prompt was admitted. A step is all
///     prefill or all decode.
///  2. Whole prompts (`_schedule_prefills`, enable_chunking=False): a waiting request computes
///     all its tokens (prompt, plus the output so far after a recompute: `get_len()`) at once.
///  3. FCFS with head-of-line blocking (`_schedule_prefills`): from the queue head, stop at the
///     first request that `can_allocate` answers LATER or that `budget.can_schedule` refuses
///     (token budget `max_num_batched_tokens`, `max_num_seqs` counting the running requests,
///     pre-counted in `_schedule_default`).
///  4. Watermark (`block_manager.py` `can_allocate`; same in `block_manager_v1.py`): OK iff
///     free - required >= watermark_blocks, at every admission (never only when busy);
///     watermark_blocks = int(watermark x num_gpu_blocks), watermark = 0.01 by default (the
///     config's `watermark_fraction`, or `watermark_blocks`).
///  5. Decodes FCFS over running (`_schedule_running`), no token budget check in this path
///     (vLLM's `SchedulerConfig._verify_args` demands max_num_batched_tokens >= max_num_seqs).
///     Growth check `can_append_slots`: the blocks the appended token "touches" must be free,
///     and `BlockTable.get_num_blocks_touched_by_append_slots` is 1 for one token (no lookahead)
///     whether or not it crosses a block boundary, so a decode needs >= 1 free block
///     (`block_manager_v1.py`: "at least one free block for each sequence"); a block is
///     allocated only when the token crosses a boundary. No watermark for running requests.
///  6. Preemption (`_schedule_running`): when the head cannot append, preempt
///     `running_queue.pop()` (the LAST running request, the newest admitted) and retry; when no
///     other request is left, preempt the head itself (the loop then ends: the queue is empty).
///  7. Recompute (`_preempt` / `_preempt_by_recompute`): blocks freed, status WAITING, output
///     kept (a new prefill of prompt + output so far: `[engine] recompute_keeps_output = true`),
///     re-queued at the FRONT of waiting in admission order (`self.waiting.extendleft(preempted)`
///     reverses the pop order back; `[engine] requeue = "front"`).
/// Recompute is V0's choice here: `_preempt` chooses RECOMPUTE whenever the user did not force a
/// mode and `seq_group.get_max_num_running_seqs() == 1`; kvcheck's requests are single sequences
/// (n = 1, no beam search), so SWAP arises only with a user-forced `preemption_mode = "swap"`
/// (`SchedulerConfig.preemption_mode`), kvcheck's `[policy] preemption_mode = "swap"` with
/// `[engine] cpu_blocks` (V0's `num_cpu_blocks` = `swap_space` GiB x 2^30 / the KV block's
/// bytes, `Worker.determine_num_available_blocks`). The views that represent swap
/// (`PolicyView::kCanSwap`: ConcreteView for simulate, fuzz, replay and explore; SymbolicView
/// for check and prove's unrolling) run it; the others (the every-N generic view, the population
/// view) must not, and prove never sends a swap config to them. Then (docs/vllm.md
/// V0-11..V0-16):
///  8. No prefill while swapped (`_schedule_default`: `if not self.swapped:` guards
///     `_schedule_prefills`): a non-empty swapped queue stops every admission.
///  9. Swap out (`_schedule_running` -> `_preempt` -> `_preempt_by_swap` -> `_swap_out`): the
///     same LIFO victims as rule 6, but their KV blocks move to the CPU pool (`block_manager.
///     swap_out`: the GPU blocks freed, as many CPU blocks taken), computed tokens and output
///     kept, status SWAPPED; `self.swapped.extend(running_scheduled.swapped_out)` appends them
///     in pop order (newest first, then the head if it preempted itself).
/// 10. CPU pool exhausted (`_swap_out`: `if not self.block_manager.can_swap_out(seq_group):
///     raise RuntimeError("Aborted due to the lack of CPU swap space...")`): `can_swap_out` is OK
///     iff free CPU blocks >= the blocks `_can_swap` counts (engine_rules.h
///     `swap_touched_blocks`), no watermark. Otherwise the whole engine aborts: the view records
///     it and the `swap_space` property fails.
/// 11. Swap in (`_schedule_swapped`, run only if the running loop preempted or swapped out
///     nothing: "If any sequence group is preempted, do not swap in"): FCFS over the swapped
///     queue; stop at the first that `can_swap_in` answers LATER (GPU free - touched <
///     watermark_blocks, the same watermark as admission) or that `budget.can_schedule` refuses
///     (one more token within max_num_batched_tokens after this step's decodes, one more
///     sequence within max_num_seqs). NEVER (touched > the whole pool) is not modelled: a
///     request that ran in the pool can be swapped back unless it filled it exactly.
/// 12. A swapped-in request decodes in the same iteration (`_swap_in` then `_append_slots`,
///     `decode_seq_groups` with token_chunk_size 1) and rejoins running after the decodes
///     (`self.running.extend(swapped_in.decode_seq_groups)`): the newest admission.
/// Not modelled: a prompt `can_allocate` answers NEVER (total - required < watermark) or
/// longer than min(max_model_len, max_num_batched_tokens) is dropped by V0 (FINISHED_IGNORED);
/// here it stays at the queue head, and the `schedulable` property names it (engine_rules.h
/// `never_admissible`, whose every-admission watermark is V0's NEVER test).
#include <stdexcept>

#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

namespace v0 {

/// V0's `can_append_slots` for a one-token decode (rule 5): at least one free block, and at
/// least the blocks the reservation grows by (the same with lookahead 0).
template <class PV>
typename PV::Int append_demand(const PV& v, typename PV::Ref r, typename PV::Int n) {
  using D = typename PV::Domain;
  return D::max(blocks::growth_blocks(v, r, n), D::lit(1));
}

/// Swap-in loop (rule 11): FCFS over the swapped queue where `allowed`; `decoded` tokens are
/// already in this step's batch (max_num_batched_tokens counts them). Each request swapped in
/// decodes one token in this iteration (rule 12).
template <class PV>
void swap_in_fcfs(PV& v, typename PV::Bool allowed, typename PV::Int decoded,
                  typename PV::Int watermark) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  using Bool = typename PV::Bool;
  Int tokens = decoded;
  Bool alive = allowed;
  for (int k = 0; k < v.swapped_bound(); ++k) {
    const Bool live = alive && v.swapped_valid(k);
    if (D::definitely_false(live)) break;
    const auto r = v.swapped_at(k);
    const Int touched = swap_touched_blocks<D>(v.knob(Knob::BlockSize), v.computed(r));
    const Int n = blocks::next_tokens(v, r, D::lit(kUnlimited));
    const Bool fits_memory = v.free_blocks() - touched >= watermark;
    const Bool fits_budget = tokens + n <= v.knob(Knob::MaxBatchedTokens);
    const Bool fits_seqs = v.num_running() < v.knob(Knob::MaxNumSeqs);
    const Bool ok = live && fits_memory && fits_budget && fits_seqs;
    v.swap_in(r, ok);
    v.schedule(r, n, ok);
    tokens = tokens + D::select(ok, n, D::lit(0));
    alive = ok;
  }
}

/// `_schedule_default` with `preemption_mode = "swap"` (rules 1-5 and 8-12).
template <class PV>
void swap_step(PV& v) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  const auto full = v.knob(Knob::MaxBatchedTokens);
  const auto watermark = v.knob(Knob::WatermarkBlocks);
  auto budget = full;
  blocks::admit_fcfs(v, v.num_swapped() == D::lit(0), budget, watermark);  // rules 1, 8
  const auto prefilled = budget < full;
  const Int unlimited = D::lit(kUnlimited);
  auto decode_budget = D::select(prefilled, D::lit(0), unlimited);
  const auto swapped_out = blocks::serve_running_lifo(
      v, decode_budget, [](const PV& pv, auto r, auto n) { return append_demand(pv, r, n); },
      [](PV& pv, typename PV::Ref r, typename PV::Bool when) { pv.swap_out(r, when); });  // 9
  const Int decoded = D::select(prefilled, D::lit(0), unlimited - decode_budget);
  swap_in_fcfs(v, !prefilled && !swapped_out, decoded, watermark);  // rules 11, 12
}

}  // namespace v0

template <class PV>
void vllm_v0_step(PV& v) {
  using D = typename PV::Domain;
  if constexpr (PV::kCanSwap) {
    if (v.params().policy.preemption_mode == PreemptionMode::Swap) return v0::swap_step(v);
  } else if (v.params().policy.preemption_mode == PreemptionMode::Swap) {
    // A view without swap (the every-N generic view, the population view) must never run a
    // swap config as recompute: that would be a verdict about another engine. prove skips
    // those arguments for a swap config (generic_proof.cpp); this guards every other caller.
    throw std::logic_error("vllm_v0: preemption_mode = \"swap\" on a view that cannot swap");
  }
  const auto full = v.knob(Knob::MaxBatchedTokens);
  auto budget = full;
  blocks::admit_fcfs(v, D::truth(true), budget, v.knob(Knob::WatermarkBlocks));
  // Every admission charges its whole (non-empty) prompt, so the budget fell iff a prefill was
  // scheduled; then no decode runs (a budget of 0 serves nobody).
  auto decode_budget = D::select(budget < full, D::lit(0), D::lit(kUnlimited));
  (void)blocks::serve_running_lifo(v, decode_budget, [](const PV& pv, auto r, auto n) {
    return v0::append_demand(pv, r, n);
  });
}

// No steady skip: V0 preempts a decoding request when no block is free even if its next token
// fits in its last block (rule 5), and sim's skipper stops a steady run only at a real
// shortage (plan(): blocks > total), so it would skip over such a preemption.
inline constexpr PolicyTraits vllm_v0_traits{
    .source = "vLLM V0 scheduler, _schedule_default (papers.md 5.1, docs/vllm.md)",
    .summary = "prefill-first, no mixing, whole prompts, FCFS head-of-line, watermark on every admission, LIFO recompute (or swap to a CPU pool), decode needs a free block",
    .needs_classes = false,
    .steady_skip = false};

}  // namespace kvcheck
