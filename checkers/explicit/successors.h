#pragma once
/// \file successors.h
/// The explorer's transition relation: every successor of a canonical state, computed by the
/// one engine step (models/engine_step.h) on a ConcreteView restored to that state. Nothing of
/// the engine or of any policy is re-implemented here.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "checkers/explicit/explicit_state.h"
#include "checkers/explicit/explore_options.h"
#include "models/params.h"
#include "models/time_model.h"

namespace kvcheck::explicit_state {

/// One transition: the environment's and the policy's choices, and what the step did.
struct Transition {
  ExplicitState next;
  std::vector<std::int32_t> arrivals;   ///< bounded: arriving shape indices, in queue order
  std::int64_t arrival_count = 0;       ///< requests arriving (saturated: off the state)
  std::vector<std::int64_t> picks;      ///< the policy's choose() values, in call order
  std::int64_t completions = 0;         ///< requests completed in the step
  std::int64_t admitted = 0;            ///< admissions in the step
  std::uint32_t violated = 0;           ///< bit i: options.properties[i] fails after the step
  /// Per pre-step waiting position: its post-step waiting position, or -1 when it left the
  /// queue (bounded mode only).
  std::vector<std::int32_t> waiting_next;
  /// Per pre-step waiting position: the pool had room to admit it at the step's start
  /// (PolicyView::blocks_after of its first chunk <= free blocks, below max_num_seqs).
  std::vector<bool> capacity;
  bool window_exhausted = false;        ///< saturated: the policy admitted the whole window
};

/// How much of a Transition expand() fills in.
enum class ExpandDetail {
  Full,            ///< everything (graph analyses, witnesses)
  NextAndVerdict,  ///< `next`, `violated` and the counts only (the safety pass)
};

/// Every sequence of arriving shapes up to a length, stored flat: length k's sequences are
/// `count(k)` runs of k shape indices, in lexicographic order (the first arrival major).
class ArrivalSequences {
 public:
  static constexpr std::int64_t kMaxSequences = 1'000'000;  ///< per length
  ArrivalSequences(std::int64_t n_shapes, std::int64_t max_len);
  std::int64_t count(std::int64_t k) const { return count_[static_cast<std::size_t>(k)]; }
  std::span<const std::int32_t> at(std::int64_t k, std::int64_t i) const {
    return {flat_.data() + offset_[static_cast<std::size_t>(k)] + static_cast<std::size_t>(i * k),
            static_cast<std::size_t>(k)};
  }

 private:
  std::int64_t n_shapes_;
  std::vector<std::int32_t> flat_;
  std::vector<std::size_t> offset_;
  std::vector<std::int64_t> count_;
};

class SuccessorGenerator {
 public:
  /// `params`, `time` and `opts` must outlive the generator.
  SuccessorGenerator(const ModelParams& params, const TimeModel& time, const ExploreOptions& opts);

  /// The initial state: an empty engine (saturated: an empty running set before the window),
  /// or the config's in-flight requests running as ConcreteView places them.
  ExplicitState initial() const { return initial_; }
  /// Whether states carry the residents' arrival ranks (the policy orders by arrival).
  bool keeps_arrival_order() const;
  const ExploreOptions& options() const { return opts_; }
  /// Calls `visit` with every transition out of `s`: each allowed arrival choice times each
  /// sequence of the policy's picks. The Transition passed is reused between calls: copy what
  /// you keep. Not thread-safe (the generator keeps one reusable engine per request count).
  using Visitor = std::function<void(const Transition&)>;
  void visit(const ExplicitState& s, ExpandDetail detail, const Visitor& visit) const;
  /// Appends to `out` every transition out of `s`, in visit()'s order.
  void expand(const ExplicitState& s, std::vector<Transition>& out,
              ExpandDetail detail = ExpandDetail::Full) const;

  SuccessorGenerator(const SuccessorGenerator&) = delete;
  SuccessorGenerator& operator=(const SuccessorGenerator&) = delete;
  ~SuccessorGenerator();

 private:
  struct Scratch;
  /// The residents of a state as the view sees them (computed once per state).
  struct Residents {
    /// waiting (queue order), then running (admission order), then swapped (swap-out order)
    std::vector<ResidentRequest> requests;
    std::size_t n_wait = 0, n_run = 0;
    std::vector<std::int32_t> ref;          ///< each resident's request index (arrival order)
  };
  Scratch& scratch(std::size_t n_requests) const;
  /// The most requests that may arrive in the next step from `s` (bounded mode).
  std::int64_t arrival_cap(const ExplicitState& s) const;
  void visit_with(const ExplicitState& s, const Residents& res,
                  std::span<const std::int32_t> arrivals, ExpandDetail detail,
                  const Visitor& visit) const;

  const ModelParams& params_;
  const TimeModel& time_;
  const ExploreOptions& opts_;
  ArrivalSequences arrivals_;                                            ///< bounded mode
  ExplicitState initial_;                                                ///< in-flight residents
  mutable std::vector<std::unique_ptr<Scratch>> scratch_;                ///< by request count
};

}  // namespace kvcheck::explicit_state
