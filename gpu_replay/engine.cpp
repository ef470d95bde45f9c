#include "gpu_replay/engine.h"

#include <algorithm>
#include <string>

#include "models/domain.h"
#include "models/engine_rules.h"

namespace kvcheck::engine {
namespace {

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string who(std::int32_t id) { return "request " + std::to_string(id); }

}  // namespace

std::vector<std::int32_t> prompt_tokens(std::uint64_t seed, std::int32_t id, std::int64_t length,
                                        int vocab) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(length));
  std::uint64_t state = mix(seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(id) + 1U)));
  for (auto& t : out) {
    state += 0x9E3779B97F4A7C15ULL;
    t = static_cast<std::int32_t>(mix(state) % static_cast<std::uint64_t>(vocab));
  }
  return out;
}

Engine::Engine(const EngineParams& params, const Workload& workload, Backend& backend, int vocab,
               EngineOptions opts)
    : params_(params), backend_(backend), opts_(opts),
      pool_(static_cast<std::int32_t>(params.num_blocks)), seqs_(workload.requests.size()) {
  for (std::size_t i = 0; i < seqs_.size(); ++i) {
    auto& s = seqs_[i];
    const auto& in = workload.requests[i];
    s.id = static_cast<std::int32_t>(i);
    s.prompt = prompt_tokens(opts.token_seed, s.id, in.prompt, vocab);
    s.output_len = in.output;
  }
  warm_up(workload);
}

void Engine::warm_up(const Workload& workload) {
  // The workload's in-flight prefix (models/request.h) must hold real KV before step 0: the
  // engine runs what the model assumes happened, untraced: one prefill iteration of every
  // in-flight request together (samples token 1), then decode iterations, each of the requests
  // with decode iterations left, until request i has done its decoded_at_start of them. Its KV
  // then covers prompt + k positions in blocks_for(prompt + k + lookahead) blocks, the
  // reservation the model places (models/concrete_view.cpp, place_in_flight).
  const auto n = workload.in_flight_count();
  if (n == 0) return;
  StepState plan;
  plan.step = -1;
  for (std::size_t i = 0; i < n; ++i) {
    auto& s = seqs_[i];
    s.status = SeqStatus::Running;
    plan.batch.emplace_back(s.id, static_cast<std::int64_t>(s.prompt.size()));
  }
  for (std::int64_t round = 0;; ++round) {
    EngineStepResult r;
    allocate_plan(plan, r);
    if (r.oom) throw PlanError("the in-flight requests do not fit the pool");
    run_batch(plan, r);
    plan.batch.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (workload.requests[i].decoded_at_start > round) plan.batch.emplace_back(seqs_[i].id, 1);
    if (plan.batch.empty()) break;
  }
  events_.clear();
}

void Engine::arrive(std::int32_t id, std::int64_t step, EngineStepResult& r) {
  auto& s = seq(id);
  if (s.status != SeqStatus::Pending) throw PlanError(who(id) + " arrives twice");
  const auto prompt = static_cast<std::int64_t>(s.prompt.size());
  // The engine's own admission check (the shared rule): a request whose footprint can never
  // fit the pool is rejected, never queued.
  if (unservable<Concrete>(params_, prompt, s.output_len)) {
    s.status = SeqStatus::Rejected;
    r.rejected.push_back(id);
    events_.push_back({step, EventKind::Reject, id, 0});
    return;
  }
  s.status = SeqStatus::Waiting;
}

void Engine::release(Sequence& s) {
  scratch_.clear();
  pool_.free(s.blocks, &scratch_);
  if (opts_.poison_freed && !scratch_.empty()) backend_.poison_blocks(scratch_);
  s.blocks.clear();
}

void Engine::restart(std::int32_t id, std::int64_t step, EventKind kind) {
  auto& s = seq(id);
  if (s.status != SeqStatus::Running)
    throw PlanError(who(id) + (kind == EventKind::Evict ? " evicted" : " preempted") + " while not running");
  events_.push_back({step, kind, id, static_cast<std::int64_t>(s.blocks.size())});
  release(s);
  ++s.preemptions;
  s.computed = 0;
  s.status = SeqStatus::Waiting;
  // vLLM's recompute keeps the sampled tokens and computes prompt + output again as a prefill;
  // the papers' restart drops them, and must then sample the same tokens again (run_batch).
  if (params_.recompute_keeps_output) return;
  if (s.generated.size() > s.first_run.size()) s.first_run = s.generated;
  s.generated.clear();
}

void Engine::swap_out(std::int32_t id, std::int64_t step, EngineStepResult& r) {
  auto& s = seq(id);
  if (s.status != SeqStatus::Running) throw PlanError(who(id) + " swapped out while not running");
  const int layers = backend_.swap_layers();
  if (layers <= 0) throw PlanError("backend " + std::string(backend_.name()) + " cannot swap KV blocks");
  // The engine's own can_swap_out (vLLM V0 `_can_swap`: full blocks + the block the unseen
  // token touches); V0 aborts when it fails, the blocks are copied regardless.
  if (params_.cpu_blocks - cpu_used_ < swap_touched_blocks<Concrete>(params_, s.computed))
    r.swap_abort = true;
  s.host_kv.clear();
  std::vector<float> k, v;
  for (const auto b : s.blocks)
    for (int l = 0; l < layers; ++l) {
      backend_.read_block(l, b, k, v);
      s.host_kv.push_back(k);
      s.host_kv.push_back(v);
    }
  s.host_blocks = static_cast<std::int64_t>(s.blocks.size());
  events_.push_back({step, EventKind::SwapOut, id, s.host_blocks});
  release(s);  // GPU blocks freed (and poisoned)
  cpu_used_ += s.host_blocks;
  s.status = SeqStatus::Swapped;
  r.swapped_out.push_back(id);
}

void Engine::swap_in(std::int32_t id, std::int64_t step, EngineStepResult& r) {
  auto& s = seq(id);
  if (s.status != SeqStatus::Swapped) throw PlanError(who(id) + " swapped in while not swapped");
  const int layers = backend_.swap_layers();
  if (!pool_.allocate(s.host_blocks, s.blocks))
    throw PlanError(who(id) + " has no GPU blocks to swap in");
  std::size_t i = 0;
  for (const auto b : s.blocks)
    for (int l = 0; l < layers; ++l, i += 2) backend_.write_block(l, b, s.host_kv[i], s.host_kv[i + 1]);
  events_.push_back({step, EventKind::SwapIn, id, s.host_blocks});
  cpu_used_ -= s.host_blocks;
  s.host_blocks = 0;
  s.host_kv.clear();
  s.status = SeqStatus::Running;
  r.swapped_in.push_back(id);
}

std::int64_t Engine::target_blocks(const Sequence& s, std::int64_t n) const {
  return Concrete::ceil_div(s.computed + n + params_.lookahead, params_.block_size);
}

void Engine::allocate_plan(const StepState& plan, EngineStepResult& r) {
  std::vector<std::pair<Sequence*, std::int64_t>> failed;
  std::int64_t need = 0;
  for (const auto& [id, n] : plan.batch) {
    auto& s = seq(id);
    if (s.status != SeqStatus::Running) throw PlanError(who(id) + " scheduled while not running");
    need += std::max<std::int64_t>(0, target_blocks(s, n) - static_cast<std::int64_t>(s.blocks.size()));
  }
  r.demand_blocks = pool_.num_used() + need;
  // The evicted requests' share of the plan: what the model reserved beyond the surviving batch.
  const std::int64_t evicted_growth = std::max<std::int64_t>(0, plan.demand_blocks - r.demand_blocks);
  for (const auto& [id, n] : plan.batch) {
    auto& s = seq(id);
    const auto grow = target_blocks(s, n) - static_cast<std::int64_t>(s.blocks.size());
    if (grow > 0 && !pool_.allocate(grow, s.blocks)) failed.emplace_back(&s, grow);
  }
  std::vector<std::int32_t> reservation;
  const bool evictees_fit = plan.evicted.empty() || pool_.allocate(evicted_growth, reservation);
  r.oom = !failed.empty() || !evictees_fit;
  for (const auto& [s, grow] : failed) events_.push_back({plan.step, EventKind::Oom, s->id, grow});
  if (!evictees_fit) events_.push_back({plan.step, EventKind::Oom, -1, evicted_growth});
  pool_.free(reservation);
  if (!r.oom) return;
  // Out of blocks: the engine's fallback, as the model prescribes, evicts (recompute) the
  // requests the model named, newest first, then retries the refused allocations.
  for (const auto id : plan.evicted) {
    restart(id, plan.step, EventKind::Evict);
    r.evicted.push_back(id);
  }
  for (const auto& [s, grow] : failed)
    if (!pool_.allocate(grow, s->blocks))
      throw PlanError(who(s->id) + " has no blocks even after the evictions");
}

void Engine::run_batch(const StepState& plan, EngineStepResult& r) {
  BatchBuilder b(static_cast<std::int32_t>(params_.block_size));
  std::vector<std::int32_t> tokens;
  std::vector<Sequence*> sampled;
  for (const auto& [id, n] : plan.batch) {
    auto& s = seq(id);
    const auto prompt = static_cast<std::int64_t>(s.prompt.size());
    tokens.clear();
    for (std::int64_t p = s.computed; p < s.computed + n; ++p) {
      const auto g = p - prompt;
      if (g >= static_cast<std::int64_t>(s.generated.size()))
        throw PlanError(who(id) + " scheduled past its last sampled token");
      tokens.push_back(p < prompt ? s.prompt[static_cast<std::size_t>(p)] : s.generated[static_cast<std::size_t>(g)]);
    }
    // The step that computes the last known token (prompt, then each sampled one) samples.
    const bool sample = s.computed + n >= prompt + static_cast<std::int64_t>(s.generated.size());
    b.add(tokens, static_cast<std::int32_t>(s.computed), s.blocks, sample);
    if (sample) sampled.push_back(&s);
    r.batch.emplace_back(id, n);
    r.tokens += n;
  }
  if (r.batch.empty()) return;
  const auto out = backend_.forward(b.finish(), false);
  r.seconds = out.seconds;
  for (const auto& [id, n] : plan.batch) seq(id).computed += n;
  for (std::size_t i = 0; i < sampled.size(); ++i) {
    auto& s = *sampled[i];
    const auto k = s.generated.size();
    if (k < s.first_run.size() && s.first_run[k] != out.tokens[i]) r.recompute_mismatch.push_back(s.id);
    s.generated.push_back(out.tokens[i]);
  }
}

void Engine::complete(std::int64_t step, EngineStepResult& r) {
  for (const auto& [id, n] : r.batch) {
    auto& s = seq(id);
    if (static_cast<std::int64_t>(s.generated.size()) < s.output_len) continue;
    events_.push_back({step, EventKind::Complete, id, static_cast<std::int64_t>(s.blocks.size())});
    release(s);
    s.status = SeqStatus::Done;
    r.completed.push_back(id);
  }
}

EngineStepResult Engine::execute(const StepState& plan) {
  EngineStepResult r;
  r.step = plan.step;
  for (const auto id : plan.arrived) arrive(id, plan.step, r);
  for (const auto id : plan.rejected) arrive(id, plan.step, r);
  for (const auto id : plan.preempted) {
    restart(id, plan.step, EventKind::Preempt);
    r.preempted.push_back(id);
  }
  for (const auto id : plan.admitted) {
    auto& s = seq(id);
    if (s.status != SeqStatus::Waiting) throw PlanError(who(id) + " admitted while not waiting");
    s.status = SeqStatus::Running;
  }
  // vLLM V0's swap mode: swap outs (the running loop's victims), then swap ins (the swapped
  // loop), before the batch's blocks are allocated, as in `_schedule_default`.
  for (const auto id : plan.swapped_out) swap_out(id, plan.step, r);
  for (const auto id : plan.swapped_in) swap_in(id, plan.step, r);
  r.cpu_used_blocks = cpu_used_;
  allocate_plan(plan, r);
  r.used_blocks = pool_.num_used();
  run_batch(plan, r);
  complete(plan.step, r);
  return r;
}

}  // namespace kvcheck::engine
