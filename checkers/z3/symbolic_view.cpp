#include "checkers/z3/symbolic_view.h"

#include <stdexcept>

#include "models/arrival_rules.h"
#include "models/engine_rules.h"

namespace kvcheck {
namespace {

using D = Symbolic;

SymInt one_if(const SymBool& b) { return D::select(b, D::lit(1), D::lit(0)); }

SymInt code(Status s) { return D::lit(status_code(s)); }

/// Sum of terms as one n-ary Z3 addition (smaller than a chain of binary +).
SymInt sum(const std::vector<SymInt>& xs) {
  std::int64_t acc = 0;
  z3::expr_vector rest(D::ctx());
  for (const auto& x : xs) {
    std::int64_t v = 0;
    if (x.e.is_numeral_i64(v)) acc += v;
    else rest.push_back(x.e);
  }
  if (rest.empty()) return D::lit(acc);
  SymInt s{rest.size() == 1 ? rest[0] : z3::sum(rest)};
  return acc == 0 ? s : s + D::lit(acc);
}

}  // namespace

SymbolicView::SymbolicView(const ModelParams& params, const std::vector<SlotInput>& inputs,
                           const SymState& pre, std::string tag, std::int64_t max_concurrency)
    : params_(params), in_(inputs), n_(static_cast<int>(inputs.size())), tag_(std::move(tag)),
      max_concurrency_(max_concurrency),
      now_(pre.time), pre_used_(pre.used), used_blocks_(D::lit(0)), used_tokens_(D::lit(0)),
      num_running_(D::lit(0)), num_waiting_(D::lit(0)), adm_ctr_(D::lit(0)), bseq_(D::lit(0)),
      preemptions_(D::lit(0)), evictions_(D::lit(0)), batch_size_(D::lit(0)),
      step_used_blocks_(D::lit(0)), step_used_tokens_(D::lit(0)), demand_(D::lit(0)),
      overflow_(D::truth(false)), cpu_used_(D::lit(0)), swin_ctr_(D::lit(0)),
      sout_ctr_(D::lit(0)), swap_abort_(D::truth(false)) {
  swap_ = swaps(params);
  for (const auto& s : pre.slots)
    slots_.push_back({s.status, s.pos,
                      {s.computed, s.generated, s.blocks, s.tokens, D::lit(0), D::lit(0)},
                      D::truth(false)});
}

SymBool SymbolicView::is(std::size_t i, Status s) const {
  return slots_[i].status == code(s);
}

SymInt SymbolicView::count(Status s) const {
  std::vector<SymInt> xs;
  for (std::size_t i = 0; i < slots_.size(); ++i) xs.push_back(one_if(is(i, s)));
  return sum(xs);
}

SymInt SymbolicView::count_not(Status s) const {
  return D::lit(n_) - count(s);
}

const SymbolicView::Rec& SymbolicView::rec_of(const Ref& r) const {
  if (r.gen != gen_ || r.kind < 1 || r.kind > 3)
    throw std::logic_error("SymbolicView: a Ref used after its position table was replaced");
  return (r.kind == 1 ? rrec_ : r.kind == 2 ? wrec_ : srec_)[static_cast<std::size_t>(r.k)];
}

SymbolicView::Rec& SymbolicView::rec(const Ref& r, int kind) {
  if (r.kind != kind) throw std::logic_error("SymbolicView: action on the wrong kind of Ref");
  return const_cast<Rec&>(rec_of(r));
}

SymInt SymbolicView::read(const Ref& r, Field field) const {
  if (r.kind != 0) return rec_of(r).f[field];
  SymInt out = D::lit(0);
  for (std::size_t i = slots_.size(); i-- > 0;) out = D::select(r.sel[i], slots_[i].f[field], out);
  return out;
}

std::vector<SymRef> SymbolicView::table(Status s, std::vector<Rec>& recs) const {
  std::vector<SymRef> out;
  recs.clear();
  const int kind = s == Status::Running ? 1 : s == Status::Waiting ? 2 : 3;
  for (int k = 0; k < n_; ++k) {
    SymRef r{{}, D::truth(false), D::lit(0), D::lit(0), D::lit(0), kind, k, gen_};
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const auto sel = is(i, s) && slots_[i].pos == D::lit(k);
      r.sel.push_back(sel);
      r.any = r.any || sel;
    }
    Rec x{std::vector<SymInt>(kFields, D::lit(0)), {}, D::truth(false), D::truth(false),
          D::truth(false), D::lit(0), D::truth(false), D::lit(0)};
    for (std::size_t i = slots_.size(); i-- > 0;) {
      r.prompt = D::select(r.sel[i], in_[i].prompt, r.prompt);
      r.output = D::select(r.sel[i], in_[i].output, r.output);
      r.klass = D::select(r.sel[i], in_[i].klass, r.klass);
      for (std::size_t f = 0; f < kFields; ++f)
        x.f[f] = D::select(r.sel[i], slots_[i].f[f], x.f[f]);
    }
    x.f0 = x.f;
    out.push_back(std::move(r));
    recs.push_back(std::move(x));
  }
  return out;
}

void SymbolicView::snapshot() {
  ++gen_;
  run_ = table(Status::Running, rrec_);
  wait_ = table(Status::Waiting, wrec_);
  if (swap_) swp_ = table(Status::Swapped, srec_);
  adm_ctr_ = D::lit(0);
  bseq_ = D::lit(0);
  swin_ctr_ = D::lit(0);
  sout_ctr_ = D::lit(0);
}

void SymbolicView::flush(Moves run, Moves wait, Moves swp) {
  const auto apply = [&](const std::vector<Ref>& refs, const std::vector<Rec>& recs,
                         Moves moves) {
    const auto* status = moves.status;
    const auto* pos = moves.pos;
    for (std::size_t k = 0; k < refs.size(); ++k) {
      const auto& x = recs[k];
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        const auto& sel = refs[k].sel[i];
        if (sel.e.is_false()) continue;
        auto& s = slots_[i];
        if (status) s.status = D::select(sel, (*status)[k], s.status);
        if (pos) s.pos = D::select(sel, (*pos)[k], s.pos);
        for (std::size_t f = 0; f < kFields; ++f)
          if (!z3::eq(x.f[f].e, x.f0[f].e)) s.f[f] = D::select(sel, x.f[f], s.f[f]);
        s.completed = s.completed || (sel && x.done);
      }
    }
  };
  apply(run_, rrec_, run);
  apply(wait_, wrec_, wait);
  if (swap_) apply(swp_, srec_, swp);
}

void SymbolicView::begin_step() {
  const auto waiting = count(Status::Waiting);
  const bool closed = max_concurrency_ > 0;
  const auto in_flight = closed ? waiting + count(Status::Running) : D::lit(0);
  SymInt before = D::lit(0);         // accepted arrivals with a smaller index
  // Every slot with a smaller index has entered: the rule's FIFO part. Sorted arrivals and a
  // cap that only tightens along the slots already imply it; it is stated, not relied upon.
  SymBool earlier = D::truth(true);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    const auto due = is(i, Status::Pending) && in_[i].arrival <= now_;
    const auto arriving = may_enter<D>(due, earlier, in_flight + before, max_concurrency_);
    const auto reject = arriving && unservable<D>(params_.engine, in_[i].prompt, in_[i].output);
    const auto accept = arriving && !reject;
    s.pos = D::select(accept, waiting + before, s.pos);
    s.status = D::select(reject, code(Status::Rejected),
                         D::select(accept, code(Status::Waiting), s.status));
    before = before + one_if(accept);
    if (closed) earlier = earlier && !is(i, Status::Pending);
  }
  num_waiting_ = waiting + before;
  std::vector<SymInt> tokens, cpu;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    // A swapped request's KV is in the CPU pool: off the GPU sums (ConcreteView's do_swap_out).
    const auto& f = slots_[i].f;
    tokens.push_back(swap_ ? D::select(is(i, Status::Swapped), D::lit(0), f[kTokens]) : f[kTokens]);
    if (swap_) cpu.push_back(D::select(is(i, Status::Swapped), f[kBlocks], D::lit(0)));
  }
  cpu_used_ = swap_ ? sum(cpu) : D::lit(0);
  used_blocks_ = pre_used_;  // the pool counter (symbolic_state.h), not the sum of the slots
  trace_.counter.push_back(used_blocks_);
  used_tokens_ = sum(tokens);
  num_running_ = count(Status::Running);
  snapshot();
}

void SymbolicView::schedule(const Ref& r, Int n, Bool when) {
  auto& x = rec(r, r.kind);
  const auto w = when && r.any;
  const auto tokens = x.f[kComputed] + n + knob(Knob::Lookahead);
  const auto blocks = blocks_for<D>(knob(Knob::BlockSize), tokens);
  used_blocks_ = used_blocks_ + D::select(w, blocks - x.f[kBlocks], D::lit(0));
  trace_.counter.push_back(used_blocks_);
  trace_.stores.push_back({w, blocks});
  trace_.held.push_back(x.f[kBlocks]);
  trace_.stores.push_back({w, tokens});
  used_tokens_ = used_tokens_ + D::select(w, tokens - x.f[kTokens], D::lit(0));
  x.f[kBlocks] = D::select(w, blocks, x.f[kBlocks]);
  x.f[kTokens] = D::select(w, tokens, x.f[kTokens]);
  x.f[kSched] = D::select(w, n, x.f[kSched]);
}

void SymbolicView::admit(const Ref& r, Bool when) {
  auto& x = rec(r, 2);
  const auto w = when && r.any;
  x.admitted = x.admitted || w;
  x.order = D::select(w, adm_ctr_, x.order);
  adm_ctr_ = adm_ctr_ + one_if(w);
  num_running_ = num_running_ + one_if(w);
  num_waiting_ = num_waiting_ - one_if(w);
}

SymbolicView::Int SymbolicView::arrival_rank(const Ref& r) const {
  SymInt a = D::lit(0);
  for (std::size_t i = r.sel.size(); i-- > 0;)
    a = D::select(r.sel[i], D::lit(static_cast<std::int64_t>(i)), a);
  return a;
}

void SymbolicView::move_kv(const Rec& x, const Bool& w, bool onto_gpu) {
  const auto blocks = D::select(w, x.f[kBlocks], D::lit(0));
  used_blocks_ = onto_gpu ? used_blocks_ + blocks : used_blocks_ - blocks;
  trace_.counter.push_back(used_blocks_);
  trace_.held.push_back(x.f[kBlocks]);
  const auto tokens = D::select(w, x.f[kTokens], D::lit(0));
  used_tokens_ = onto_gpu ? used_tokens_ + tokens : used_tokens_ - tokens;
}

void SymbolicView::release(Rec& x, const Bool& w) {
  move_kv(x, w, false);
  x.f[kBlocks] = D::select(w, D::lit(0), x.f[kBlocks]);
  x.f[kTokens] = D::select(w, D::lit(0), x.f[kTokens]);
  x.f[kSched] = D::select(w, D::lit(0), x.f[kSched]);
}

void SymbolicView::reset(const Ref& r, Bool when, Int& counter) {
  auto& x = rec(r, 1);
  const auto w = when && r.any;
  release(x, w);
  x.f[kComputed] = D::select(w, D::lit(0), x.f[kComputed]);
  if (!params_.engine.recompute_keeps_output)
    x.f[kGenerated] = D::select(w, D::lit(0), x.f[kGenerated]);
  x.gone = x.gone || w;
  x.order = D::select(w, bseq_, x.order);
  bseq_ = bseq_ + one_if(w);
  num_running_ = num_running_ - one_if(w);
  num_waiting_ = num_waiting_ + one_if(w);
  counter = counter + one_if(w);
}

void SymbolicView::swap_out(const Ref& r, Bool when) {
  // vLLM V0 `_swap_out` (models/policies/vllm_v0.h rule 10): can_swap_out asks the CPU pool for
  // swap_touched_blocks, no watermark; short, the engine aborts (recorded) and, as in
  // ConcreteView, the blocks move anyway.
  auto& x = rec(r, 1);
  const auto w = when && r.any;
  const auto need = swap_touched_blocks<D>(knob(Knob::BlockSize), x.f[kComputed]);
  swap_abort_ = swap_abort_ || (w && free_cpu_blocks() < need);
  move_kv(x, w, false);  // its blocks and tokens stay in the record: now in the CPU pool
  cpu_used_ = cpu_used_ + D::select(w, x.f[kBlocks], D::lit(0));
  x.f[kSched] = D::select(w, D::lit(0), x.f[kSched]);
  x.sout = x.sout || w;
  x.sorder = D::select(w, sout_ctr_, x.sorder);
  sout_ctr_ = sout_ctr_ + one_if(w);
  num_running_ = num_running_ - one_if(w);
  preemptions_ = preemptions_ + one_if(w);  // V0 counts a swap out as a preemption
}

void SymbolicView::swap_in(const Ref& r, Bool when) {
  auto& x = rec(r, 3);
  const auto w = when && r.any;
  move_kv(x, w, true);
  cpu_used_ = cpu_used_ - D::select(w, x.f[kBlocks], D::lit(0));
  x.admitted = x.admitted || w;  // for a swapped record: back to running
  x.order = D::select(w, swin_ctr_, x.order);
  swin_ctr_ = swin_ctr_ + one_if(w);
  num_running_ = num_running_ + one_if(w);
}

SymInt SymbolicView::choose(int id, std::int64_t lo, std::int64_t hi) {
  const auto c = D::var("choice@" + tag_ + "#" + std::to_string(picks_.size()) + "_" +
                        std::to_string(id));
  side_.push_back(D::lit(lo) <= c && c <= D::lit(hi));
  picks_.push_back(c);
  return c;
}

void SymbolicView::commit() {
  // Running: survivors keep their order (k minus the preempted before them), admitted requests
  // follow in admission-call order. Waiting: the non-admitted keep their order; the preempted
  // go to the head in position (= admission) order, or to the tail in preemption order.
  const bool front = params_.engine.requeue == Requeue::Front;
  // Survivors of the running set: neither admitted nor swapped in this step.
  const auto survivors = swap_ ? num_running_ - adm_ctr_ - swin_ctr_ : num_running_ - adm_ctr_;
  const auto kept = num_waiting_ - bseq_;  // waiting requests not admitted
  std::vector<SymInt> rstatus, rpos, wstatus, wpos, sstatus, spos;
  SymInt gone = D::lit(0);
  for (std::size_t k = 0; k < rrec_.size(); ++k) {
    const auto& x = rrec_[k];
    const auto stay = D::lit(static_cast<std::int64_t>(k)) - gone;
    rstatus.push_back(D::select(x.gone, code(Status::Waiting), code(Status::Running)));
    rpos.push_back(D::select(x.gone, front ? gone : kept + x.order, stay));
    gone = gone + one_if(x.gone);
  }
  if (swap_) swap_moves(survivors, rstatus, rpos, sstatus, spos);
  SymInt admitted = D::lit(0);
  for (std::size_t k = 0; k < wrec_.size(); ++k) {
    const auto& x = wrec_[k];
    const auto stay = D::lit(static_cast<std::int64_t>(k)) - admitted;
    wstatus.push_back(D::select(x.admitted, code(Status::Running), code(Status::Waiting)));
    wpos.push_back(D::select(x.admitted, survivors + x.order, front ? gone + stay : stay));
    admitted = admitted + one_if(x.admitted);
  }
  flush({&rstatus, &rpos}, {&wstatus, &wpos}, {&sstatus, &spos});
  snapshot();
  demand_ = used_blocks_;
}

void SymbolicView::swap_moves(const Int& survivors, std::vector<SymInt>& rstatus,
                              std::vector<SymInt>& rpos, std::vector<SymInt>& sstatus,
                              std::vector<SymInt>& spos) const {
  // Running records: a swapped-out one joins the swapped queue's tail (after those not swapped
  // in) in swap-out call order; the survivors move down past every request that left.
  const auto swapped_kept = count(Status::Swapped) - swin_ctr_;
  SymInt left = D::lit(0);
  for (std::size_t k = 0; k < rrec_.size(); ++k) {
    const auto& x = rrec_[k];
    const auto stay = D::lit(static_cast<std::int64_t>(k)) - left;
    rstatus[k] = D::select(x.sout, code(Status::Swapped), rstatus[k]);
    rpos[k] = D::select(x.sout, swapped_kept + x.sorder, D::select(x.gone, rpos[k], stay));
    left = left + one_if(x.gone || x.sout);
  }
  // Swapped records: the swapped-in ones follow the admitted ones in running, in swap-in
  // order; the others move down past the swapped-in before them.
  SymInt in = D::lit(0);
  for (std::size_t k = 0; k < srec_.size(); ++k) {
    const auto& x = srec_[k];
    const auto stay = D::lit(static_cast<std::int64_t>(k)) - in;
    sstatus.push_back(D::select(x.admitted, code(Status::Running), code(Status::Swapped)));
    spos.push_back(D::select(x.admitted, survivors + adm_ctr_ + x.order, stay));
    in = in + one_if(x.admitted);
  }
}

void SymbolicView::batch_ready() {
  step_used_blocks_ = used_blocks_;
  step_used_tokens_ = used_tokens_;
}

void SymbolicView::finish(const Ref& r, Int computed, Int generated, Bool done, Bool when) {
  auto& x = rec(r, 1);
  const auto wi = when && r.any;
  batch_size_ = batch_size_ + one_if(wi);
  x.f[kBatch] = D::select(wi, x.f[kSched], x.f[kBatch]);
  trace_.stores.push_back({wi, computed});
  trace_.stores.push_back({wi, generated});
  x.f[kComputed] = D::select(wi, computed, x.f[kComputed]);
  x.f[kGenerated] = D::select(wi, generated, x.f[kGenerated]);
  x.f[kSched] = D::select(wi, D::lit(0), x.f[kSched]);
  const auto fin = wi && done;
  release(x, fin);
  x.done = x.done || fin;
  num_running_ = num_running_ - one_if(fin);
}

void SymbolicView::end_step() {
  // Evicted and completed requests leave the running set (survivors keep their order); the
  // evicted are requeued at the head in position order (everyone waiting moves back), or at
  // the tail in eviction order.
  const bool front = params_.engine.requeue == Requeue::Front;
  const auto kept = num_waiting_ - bseq_;  // waiting before the evictions
  std::vector<SymInt> rstatus, rpos, wpos;
  SymInt left = D::lit(0), evicted = D::lit(0);
  for (std::size_t k = 0; k < rrec_.size(); ++k) {
    const auto& x = rrec_[k];
    const auto stay = D::lit(static_cast<std::int64_t>(k)) - left;
    rstatus.push_back(D::select(x.gone, code(Status::Waiting),
                                D::select(x.done, code(Status::Done), code(Status::Running))));
    rpos.push_back(D::select(x.gone, front ? evicted : kept + x.order,
                             D::select(x.done, D::lit(0), stay)));
    left = left + one_if(x.gone || x.done);
    evicted = evicted + one_if(x.gone);
  }
  for (std::size_t k = 0; k < wrec_.size(); ++k)
    wpos.push_back(D::lit(static_cast<std::int64_t>(k)) + evicted);
  flush({&rstatus, &rpos}, {nullptr, front ? &wpos : nullptr}, {nullptr, nullptr});
  snapshot();
}

SymRef SymbolicView::completed_at(int k) const {
  const auto ku = static_cast<std::size_t>(k);
  SymRef r{{}, slots_[ku].completed, D::lit(0), D::lit(0), D::lit(0), 0, k, gen_};
  for (std::size_t i = 0; i < slots_.size(); ++i)
    r.sel.push_back(i == ku ? slots_[ku].completed : D::truth(false));
  r.prompt = D::select(r.any, in_[ku].prompt, D::lit(0));
  r.output = D::select(r.any, in_[ku].output, D::lit(0));
  r.klass = D::select(r.any, in_[ku].klass, D::lit(0));
  return r;
}

SymState SymbolicView::post() const {
  SymState out{{}, now_ + D::lit(1), used_blocks_};
  for (const auto& s : slots_)
    out.slots.push_back(
        {s.status, s.pos, s.f[kComputed], s.f[kGenerated], s.f[kBlocks], s.f[kTokens]});
  return out;
}

StepObs SymbolicView::obs() const {
  StepObs o{overflow_, preemptions_, evictions_, step_used_blocks_, step_used_tokens_, demand_,
            batch_size_, {}, {}, picks_};
  for (const auto& s : slots_) {
    o.batch_tokens.push_back(s.f[kBatch]);
    o.completed.push_back(s.completed);
  }
  return o;
}

}  // namespace kvcheck
