#pragma once
/// \file engine.h
/// The decode engine: executes the scheduling decisions of one iteration (as the shared model
/// records them in a StepState: admissions, preemptions, the batch, evictions) against its own
/// BlockPool and a compute backend. It decides nothing about scheduling itself; what it
/// observes (allocation failures, blocks in use, completions, tokens) is compared with the
/// model by replay.h.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "counterexamples/trace.h"
#include "gpu_replay/backend.h"
#include "gpu_replay/block_pool.h"
#include "models/params.h"
#include "models/request.h"

namespace kvcheck::engine {

/// Swapped: vLLM V0's swap mode moved the request's KV to the engine's host-side CPU pool.
enum class SeqStatus : std::uint8_t { Pending, Waiting, Running, Done, Rejected, Swapped };

/// One request's engine state: tokens, KV block table and progress.
struct Sequence {
  std::int32_t id = 0;
  std::vector<std::int32_t> prompt;     ///< prompt token ids (seeded)
  std::int64_t output_len = 1;          ///< forced output length (the workload's)
  std::vector<std::int32_t> generated;  ///< sampled tokens
  std::int64_t computed = 0;            ///< positions whose KV is in the pool
  std::vector<std::int32_t> blocks;     ///< block table
  SeqStatus status = SeqStatus::Pending;
  std::int64_t preemptions = 0;
  std::vector<std::int32_t> first_run;  ///< longest token run sampled before a preemption
  /// While Swapped: its KV copied to the host, per block, per layer, K then V.
  std::vector<std::vector<float>> host_kv;
  std::int64_t host_blocks = 0;         ///< CPU pool blocks it holds while Swapped
};

enum class EventKind : std::uint8_t { Reject, Preempt, Oom, Evict, Complete, SwapOut, SwapIn };

/// Something the engine did or suffered in an iteration.
struct EngineEvent {
  std::int64_t step = 0;
  EventKind kind = EventKind::Oom;
  std::int32_t request = -1;  ///< -1 for an OOM of the overflow reservation
  std::int64_t blocks = 0;    ///< blocks requested (Oom) or released (others)
};

/// What one executed iteration produced.
struct EngineStepResult {
  std::int64_t step = 0;
  std::vector<std::pair<std::int32_t, std::int64_t>> batch;  ///< executed (request, tokens)
  std::vector<std::int32_t> rejected, preempted, evicted, completed;
  std::vector<std::int32_t> swapped_out, swapped_in;  ///< vLLM V0's swap mode
  bool swap_abort = false;         ///< a swap out found the CPU pool too small (V0 aborts)
  std::int64_t cpu_used_blocks = 0;  ///< CPU pool blocks in use after the iteration
  bool oom = false;                ///< an allocation of the plan was refused
  std::int64_t demand_blocks = 0;  ///< blocks the plan needs (without the evicted requests)
  std::int64_t used_blocks = 0;    ///< blocks in use while the batch ran
  std::int64_t tokens = 0;         ///< tokens processed
  double seconds = 0.0;            ///< backend forward time
  std::vector<std::int32_t> recompute_mismatch;  ///< requests whose re-run sampled other tokens
};

/// A plan the engine cannot execute (a request in the wrong state, a batch without blocks).
class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EngineOptions {
  bool poison_freed = true;        ///< NaN-fill blocks when they return to the free list
  std::uint64_t token_seed = 7;    ///< seeds the prompt token ids
};

class Engine {
 public:
  /// `vocab` bounds the seeded prompt token ids (the backend's model vocabulary).
  /// The workload's in-flight requests (Request::decoded_at_start >= 0) are prefilled and
  /// decoded here, before step 0 (warm_up): their KV is in the pool when the trace starts.
  Engine(const EngineParams& params, const Workload& workload, Backend& backend, int vocab,
         EngineOptions opts = {});
  /// Executes the iteration the model recorded in `plan` (its arrivals, preemptions,
  /// admissions, batch, evictions). Throws PlanError when the plan is not executable.
  EngineStepResult execute(const StepState& plan);

  const BlockPool& pool() const { return pool_; }
  const Sequence& sequence(std::int32_t id) const { return seqs_.at(static_cast<std::size_t>(id)); }
  const std::vector<EngineEvent>& events() const { return events_; }

 private:
  Sequence& seq(std::int32_t id) { return seqs_.at(static_cast<std::size_t>(id)); }
  void warm_up(const Workload& workload);
  void arrive(std::int32_t id, std::int64_t step, EngineStepResult& r);
  void release(Sequence& s);
  /// Preemption or eviction (recompute): frees and poisons the blocks, resets progress.
  void restart(std::int32_t id, std::int64_t step, EventKind kind);
  /// vLLM V0's swap: copies the blocks' KV to the host and frees them / allocates new blocks
  /// and copies it back (the block table keeps its order).
  void swap_out(std::int32_t id, std::int64_t step, EngineStepResult& r);
  void swap_in(std::int32_t id, std::int64_t step, EngineStepResult& r);
  std::int64_t target_blocks(const Sequence& s, std::int64_t n) const;
  void allocate_plan(const StepState& plan, EngineStepResult& r);
  void run_batch(const StepState& plan, EngineStepResult& r);
  void complete(std::int64_t step, EngineStepResult& r);

  EngineParams params_;
  Backend& backend_;
  EngineOptions opts_;
  BlockPool pool_;
  std::vector<Sequence> seqs_;
  std::vector<EngineEvent> events_;
  std::vector<std::int32_t> scratch_;
  std::int64_t cpu_used_ = 0;  ///< the host-side CPU pool's blocks in use (of params_.cpu_blocks)
};

/// The seeded prompt of request `id`: `length` token ids in [0, vocab).
std::vector<std::int32_t> prompt_tokens(std::uint64_t seed, std::int32_t id, std::int64_t length,
                                        int vocab);

}  // namespace kvcheck::engine
