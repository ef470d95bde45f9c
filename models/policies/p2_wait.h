#pragma once
/// \file p2_wait.h
/// Ao et al. (arXiv 2504.11320) Algorithm 1, WAIT, for known output lengths. Type j (a class
/// with threshold n_j) is eligible when at least n_j of its prompts wait; an iteration then
/// advances, for every eligible type and every stage s, min(n_j, #prompts of type j at stage s):
/// stage 0 = the first n_j waiting prompts of the type (prefill), stage s >= 1 = residents that
/// have produced s tokens. Ineligible types are paused (they keep their KV). Stage s here is
/// kvcheck's `generated`, so P2's l' decode stages correspond to an output length o = l' + 1.
/// Under conditions (11) every full batch uses M^pi <= C and nothing is ever evicted.
/// `policy.wait_force_when_idle` (off by default) adds the released code's forced batches
/// (papers.md 2.8) in their simplest form: see wait_detail::force_when_idle.
#include <vector>

#include "models/domain.h"
#include "models/policies/building_blocks.h"
#include "models/policy_traits.h"

namespace kvcheck {

namespace wait_detail {

/// Offset of class c's stage counters in one flat vector: stages 1..o_c-1 of every class.
inline std::vector<std::int64_t> stage_offsets(const ModelParams& p) {
  std::vector<std::int64_t> off;
  std::int64_t acc = 0;
  for (const auto& c : p.classes) {
    off.push_back(acc - 1);  // stage s of class c lives at off[c] + s, s >= 1
    acc += c.output > 1 ? c.output - 1 : 0;
  }
  off.push_back(acc);  // total size
  return off;
}

/// Per-class waiting counts -> eligibility (count >= n_j > 0), as 0/1 integers.
template <class PV>
std::vector<typename PV::Int> eligible_types(const PV& v) {
  using D = typename PV::Domain;
  const auto& classes = v.params().classes;
  std::vector<typename PV::Int> waiting(classes.size(), D::lit(0));
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const auto r = v.waiting_at(k);
    add_at<D>(waiting, v.klass(r), D::lit(1), v.waiting_valid(k));
  }
  std::vector<typename PV::Int> eligible;
  for (std::size_t j = 0; j < classes.size(); ++j) {
    const auto n = D::lit(classes[j].threshold);
    eligible.push_back(D::select(n > D::lit(0) && waiting[j] >= n, D::lit(1), D::lit(0)));
  }
  return eligible;
}

/// `policy.wait_force_when_idle`: when no type is eligible, every type (n_j > 0) with a waiting
/// prompt or a resident past its prefill is made eligible, so a batch of at most n_j per stage
/// runs instead of an idle iteration. Forced batches are sub-batches of full ones, so M^pi still
/// bounds their memory. Off (strict Algorithm 1): `eligible` unchanged, and no terms are built.
template <class PV>
void force_when_idle(const PV& v, std::vector<typename PV::Int>& eligible) {
  using D = typename PV::Domain;
  if (!v.params().policy.wait_force_when_idle) return;
  const auto& classes = v.params().classes;
  std::vector<typename PV::Int> present(classes.size(), D::lit(0));
  for (int k = 0; k < v.waiting_bound(); ++k)
    add_at<D>(present, v.klass(v.waiting_at(k)), D::lit(1), v.waiting_valid(k));
  for (int k = 0; k < v.running_bound(); ++k) {
    const auto r = v.running_at(k);
    add_at<D>(present, v.klass(r), D::lit(1), v.running_valid(k) && v.generated(r) > D::lit(0));
  }
  auto none = D::truth(true);
  for (const auto& e : eligible) none = none && e == D::lit(0);
  for (std::size_t j = 0; j < classes.size(); ++j) {
    const auto force = none && D::lit(classes[j].threshold) > D::lit(0) && present[j] > D::lit(0);
    eligible[j] = D::select(force, D::lit(1), eligible[j]);
  }
}

}  // namespace wait_detail

template <class PV>
void p2_wait_step(PV& v) {
  using D = typename PV::Domain;
  using Int = typename PV::Int;
  const auto& classes = v.params().classes;
  auto eligible = wait_detail::eligible_types(v);
  wait_detail::force_when_idle(v, eligible);
  std::vector<Int> threshold;
  for (const auto& c : classes) threshold.push_back(D::lit(c.threshold));
  const auto off = wait_detail::stage_offsets(v.params());
  std::vector<Int> offsets;
  for (std::size_t j = 0; j + 1 < off.size(); ++j) offsets.push_back(D::lit(off[j]));
  std::vector<Int> taken(static_cast<std::size_t>(off.back()), D::lit(0));
  for (int k = 0; k < v.running_bound(); ++k) {  // stages s >= 1: residents, FIFO per stage
    const auto r = v.running_at(k);
    const auto cls = v.klass(r);
    const auto slot = lookup<D>(offsets, cls) + v.generated(r);
    const auto ok = v.running_valid(k) && lookup<D>(eligible, cls) == D::lit(1) &&
                    v.generated(r) > D::lit(0) &&
                    lookup<D>(taken, slot) < lookup<D>(threshold, cls);
    v.schedule(r, D::lit(1), ok);
    add_at<D>(taken, slot, D::lit(1), ok);
  }
  std::vector<Int> left;  // stage 0: the first n_j waiting prompts of each eligible type
  for (std::size_t j = 0; j < classes.size(); ++j)
    left.push_back(D::select(eligible[j] == D::lit(1), threshold[j], D::lit(0)));
  for (int k = 0; k < v.waiting_bound(); ++k) {
    const auto r = v.waiting_at(k);
    const auto cls = v.klass(r);
    const auto ok = v.waiting_valid(k) && lookup<D>(left, cls) > D::lit(0);
    v.admit(r, ok);
    v.schedule(r, v.known_tokens(r), ok);
    add_at<D>(left, cls, D::lit(-1), ok);
  }
}

// No steady skip: residents advance only while their type is eligible, and an eligible type
// also admits prompts, so a steady WAIT step hardly exists; eligibility counts are re-decided
// each step from the queue. Not worth a proof.
inline constexpr PolicyTraits p2_wait_traits{
    .source = "Ao et al. Alg. 1",
    .summary = "per-type thresholds (WAIT)",
    .needs_classes = true,
    .steady_skip = false};

}  // namespace kvcheck
