#pragma once
/// \file p2_nested_wait.h
/// Ao et al. (arXiv 2504.11320) §5, Nested WAIT (Algorithm 3, App. H.1): WAIT for UNKNOWN output
/// lengths. The policy never reads a request's class (that would reveal its output length); it
/// sees stages (`generated`), residency, admission order and held blocks only.
///
/// Policy parameters, from `[[classes]]` listed by increasing output length o_1 < ... < o_m
/// (the config reader enforces it): class k's output gives the segment boundary l'_k = o_k - 1
/// (p2_wait.h: kvcheck's stage is `generated`, and a class of output o has l' = o - 1 decode
/// stages) and its `threshold` the segment's n_k (n_1 > n_2 > ... > n_m >= 1).
///  - Segment 1 is stages 0..l'_1, entered from the waiting queue (Q_{1,0}, no KV).
///  - Segment k >= 2 is stages l'_{k-1}+1..l'_k (its delta_k = l'_k - l'_{k-1} stages). kvcheck
///    reveals a completion in the iteration that processes stage l'_{k-1}, so the survivors of
///    segment k-1, the paper's resident boundary queue Q_{k,l'_{k-1}}, are the residents with
///    `generated` = l'_{k-1} + 1 = o_{k-1}; each holds l + l'_{k-1} tokens, as in M_res, and
///    processing one is the first of segment k's delta_k stages, so a full batch uses exactly
///    M^pi = sum_k n_k (l + s_bar_k) delta_k tokens (Eq. 13; theory/p2_nested_wait.h).
///  - Ready prefix: segment 1 is ready when >= n_1 prompts wait; segment k >= 2 when segment k-1
///    is ready and its boundary queue holds >= n_k survivors. Segments after the first unready
///    one are paused (their residents keep their KV).
///  - Selection: a_{k,s} = min(n_k, Q_{k,s}) for every stage s of every ready segment: the
///    oldest residents of each stage (admission order), the first n_1 waiting prompts at stage 0.
///  - Pre-launch repair (repair 2): while the conservative projected post-iteration memory
///    (every selected prompt at its new reservation, none assumed to complete; every unselected
///    resident at its held blocks) exceeds the pool, preempt (recompute) the most recently
///    admitted unselected resident boundary prompt. Repair 1 (after a completion) folds into it:
///    kvcheck launches the next batch in the same step that follows a completion, and this
///    projection counts every resident the post-completion state holds, so whatever repair 1
///    would evict is evicted here, before the launch, by the same LIFO rule.
/// Memory is in blocks (free_blocks, blocks_after, held_blocks, the NumBlocks knob), so
/// block_size 1 gives the paper's token counts. Under (12) and (14) no overflow-induced
/// eviction happens with probability >= 1 - delta (Theorem 7); a pool below M^pi overflows.
#include <vector>

#include "models/domain.h"
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

namespace nested_wait_detail {

/// Plain per-segment constants: o_k (the stage after the segment's last one) and n_k.
struct Segments {
  std::vector<std::int64_t> end;        ///< o_k = l'_k + 1
  std::vector<std::int64_t> threshold;  ///< n_k
  std::int64_t last() const { return end.empty() ? 0 : end.back(); }
};

inline Segments segments(const ModelParams& p) {
  Segments s;
  for (const auto& c : p.classes) {
    s.end.push_back(c.output);
    s.threshold.push_back(c.threshold);
  }
  return s;
}

/// The (0-based) segment of a resident at stage g >= 1: the number of boundaries o_k <= g,
/// capped at the last segment (a length beyond every class stays in it).
template <class D>
typename D::Int segment_of(const Segments& s, typename D::Int g) {
  auto seg = D::lit(0);
  for (std::size_t k = 0; k + 1 < s.end.size(); ++k)
    seg = seg + D::select(g >= D::lit(s.end[k]), D::lit(1), D::lit(0));
  return seg;
}

/// True for a boundary stage: g = o_k for some k < m (a survivor of segment k, waiting at
/// segment k+1's entry).
template <class D>
typename D::Bool at_boundary(const Segments& s, typename D::Int g) {
  auto b = D::truth(false);
  for (std::size_t k = 0; k + 1 < s.end.size(); ++k) b = b || g == D::lit(s.end[k]);
  return b;
}

/// Ready prefix as 0/1 integers: ready[0] = (#waiting >= n_1), ready[k] = ready[k-1] and
/// (#residents at boundary o_{k-1} >= n_k).
template <class PV>
std::vector<typename PV::Int> ready_prefix(const PV& v, const Segments& s) {
  using D = typename PV::Domain;
  std::vector<typename PV::Int> queue(s.end.size(), D::lit(0));
  for (int k = 0; k < v.waiting_bound(); ++k)
    queue[0] = queue[0] + D::select(v.waiting_valid(k), D::lit(1), D::lit(0));
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto g = v.generated(v.running_at(k));
    for (std::size_t j = 1; j < s.end.size(); ++j)
      queue[j] = queue[j] + D::select(v.running_valid(k) && g == D::lit(s.end[j - 1]),
                                      D::lit(1), D::lit(0));
  }
  std::vector<typename PV::Int> ready;
  auto prev = D::truth(true);
  for (std::size_t j = 0; j < s.end.size(); ++j) {
    prev = prev && queue[j] >= D::lit(s.threshold[j]);
    ready.push_back(D::select(prev, D::lit(1), D::lit(0)));
  }
  return ready;
}

/// a_{k,s} = min(n_k, Q_{k,s}) for the residents (stages s >= 1) of ready segments, oldest
/// first per stage. Returns who is selected, by running position.
template <class PV>
std::vector<typename PV::Bool> select_residents(const PV& v, const Segments& s,
                                                const std::vector<typename PV::Int>& ready) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  std::vector<Int> threshold;
  for (auto n : s.threshold) threshold.push_back(D::lit(n));
  std::vector<Int> taken(static_cast<std::size_t>(s.last() + 1), D::lit(0));
  std::vector<typename PV::Bool> sel;
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto g = v.generated(v.running_at(k));
    const auto seg = segment_of<D>(s, g);
    const auto slot = D::min(g, D::lit(s.last()));
    const auto ok = v.running_valid(k) && g > D::lit(0) && lookup<D>(ready, seg) == D::lit(1) &&
                    lookup<D>(taken, slot) < lookup<D>(threshold, seg);
    add_at<D>(taken, slot, D::lit(1), ok);
    sel.push_back(ok);
  }
  return sel;
}

/// Blocks every resident holds after the planned iteration (selected: grown by one decode
/// token; unselected: unchanged), plus the admitted prompts' prefill reservations. No selected
/// prompt is assumed to complete (its output length is unrevealed).
template <class PV>
typename PV::Int projected_blocks(const PV& v, const std::vector<typename PV::Bool>& sel,
                                  typename PV::Int admitted_blocks) {
  using D = typename PV::Domain;
  auto total = admitted_blocks;
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto r = v.running_at(k);
    const auto grown = D::max(v.held_blocks(r), v.blocks_after(r, D::lit(1)));
    const auto mine = D::select(sel[static_cast<std::size_t>(k)], grown, v.held_blocks(r));
    total = total + D::select(v.running_valid(k), mine, D::lit(0));
  }
  return total;
}

/// Repair 2: while the projection exceeds the pool, preempt the most recently admitted
/// unselected resident boundary prompt (LIFO over admission order).
template <class PV>
void repair_lifo(PV& v, const Segments& s, const std::vector<typename PV::Bool>& sel,
                 typename PV::Int projected) {
  using D = typename PV::Domain;
  const auto pool = v.total_blocks();
  for (int k = v.running_bound() - 1; k >= 0; --k) {
    if (D::definitely_false(projected > pool)) break;
    const auto r = v.running_at(k);
    const auto evict = v.running_valid(k) && !sel[static_cast<std::size_t>(k)] &&
                       at_boundary<D>(s, v.generated(r)) && projected > pool;
    projected = projected - D::select(evict, v.held_blocks(r), D::lit(0));
    v.preempt(r, evict);
  }
}

}  // namespace nested_wait_detail

template <class PV>
void p2_nested_wait_step(PV& v) {
  using D = typename PV::Domain;
  namespace nw = nested_wait_detail;
  const auto s = nw::segments(v.params());
  if (s.end.empty()) return;
  const auto ready = nw::ready_prefix(v, s);
  const auto sel = nw::select_residents(v, s, ready);
  std::vector<typename PV::Bool> admit;  // stage 0: the first n_1 waiting prompts
  auto left = D::select(ready[0] == D::lit(1), D::lit(s.threshold[0]), D::lit(0));
  auto admitted_blocks = D::lit(0);
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const auto r = v.waiting_at(k);
    const auto ok = v.waiting_valid(k) && left > D::lit(0);
    admitted_blocks = admitted_blocks +
                      D::select(ok, v.blocks_after(r, v.known_tokens(r)), D::lit(0));
    left = left - D::select(ok, D::lit(1), D::lit(0));
    admit.push_back(ok);
  }
  nw::repair_lifo(v, s, sel, nw::projected_blocks(v, sel, admitted_blocks));
  for (int k = 0; k < v.running_bound(); ++k)
    v.schedule(v.running_at(k), D::lit(1), sel[static_cast<std::size_t>(k)]);
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const auto r = v.waiting_at(k);
    v.admit(r, admit[static_cast<std::size_t>(k)]);
    v.schedule(r, v.known_tokens(r), admit[static_cast<std::size_t>(k)]);
  }
}

// No steady skip: the ready prefix is re-decided every iteration from the waiting queue and the
// boundary queues, and a ready segment 1 admits prompts, so a steady iteration hardly exists;
// the repair's evictions depend on the projection. Not worth a proof.
inline constexpr PolicyTraits p2_nested_wait_traits{
    .source = "Ao et al. §5, Alg. 3",
    .summary = "nested segments, LIFO boundary repair (Nested WAIT)",
    .needs_classes = true,
    .steady_skip = false};

}  // namespace kvcheck
