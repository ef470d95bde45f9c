#include "checkers/symbolic_view.h"

#include "models/engine_rules.h"

namespace kvcheck {
namespace {

using D = Symbolic;

SymInt one_if(const SymBool& b) { return D::select(b, D::lit(1), D::lit(0)); }

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
                           const SymState& pre, std::string tag)
    : params_(params), in_(inputs), n_(static_cast<int>(inputs.size())), tag_(std::move(tag)),
      now_(pre.time), used_blocks_(D::lit(0)), used_tokens_(D::lit(0)),
      num_running_(D::lit(0)), adm_ctr_(D::lit(0)), bseq_(D::lit(0)),
      preemptions_(D::lit(0)), evictions_(D::lit(0)), batch_size_(D::lit(0)),
      step_used_blocks_(D::lit(0)), step_used_tokens_(D::lit(0)), demand_(D::lit(0)),
      overflow_(D::truth(false)) {
  for (const auto& s : pre.slots)
    slots_.push_back({s.status, s.pos, s.computed, s.generated, s.blocks, s.tokens, D::lit(0),
                      D::lit(0), D::lit(0), D::lit(0), D::truth(false), D::truth(false)});
}

SymBool SymbolicView::is(std::size_t i, Status s) const {
  return slots_[i].status == D::lit(status_code(s));
}

SymInt SymbolicView::count(Status s) const {
  std::vector<SymInt> xs;
  for (std::size_t i = 0; i < slots_.size(); ++i) xs.push_back(one_if(is(i, s)));
  return sum(xs);
}

SymInt SymbolicView::count_not(Status s) const {
  return D::lit(n_) - count(s);
}

SymInt SymbolicView::read(const Ref& r, SymInt Slot::*field) const {
  SymInt out = D::lit(0);
  for (std::size_t i = slots_.size(); i-- > 0;) out = D::select(r.sel[i], slots_[i].*field, out);
  return out;
}

std::vector<SymRef> SymbolicView::table(Status s) const {
  std::vector<SymRef> out;
  for (int k = 0; k < n_; ++k) {
    SymRef r{{}, D::truth(false), D::lit(0), D::lit(0), D::lit(0)};
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const auto sel = is(i, s) && slots_[i].pos == D::lit(k);
      r.sel.push_back(sel);
      r.any = r.any || sel;
    }
    for (std::size_t i = slots_.size(); i-- > 0;) {
      r.prompt = D::select(r.sel[i], in_[i].prompt, r.prompt);
      r.output = D::select(r.sel[i], in_[i].output, r.output);
      r.klass = D::select(r.sel[i], in_[i].klass, r.klass);
    }
    out.push_back(std::move(r));
  }
  return out;
}

void SymbolicView::snapshot() {
  run_ = table(Status::Running);
  wait_ = table(Status::Waiting);
}

void SymbolicView::begin_step() {
  const auto waiting = count(Status::Waiting);
  SymInt before = D::lit(0);  // accepted arrivals with a smaller index
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    const auto arriving = is(i, Status::Pending) && in_[i].arrival <= now_;
    const auto reject = arriving && unservable<D>(params_.engine, in_[i].prompt, in_[i].output);
    const auto accept = arriving && !reject;
    s.pos = D::select(accept, waiting + before, s.pos);
    s.status = D::select(reject, D::lit(status_code(Status::Rejected)),
                         D::select(accept, D::lit(status_code(Status::Waiting)), s.status));
    before = before + one_if(accept);
  }
  std::vector<SymInt> blocks, tokens;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    s.stamp = D::select(is(i, Status::Running), s.pos, D::lit(0));
    blocks.push_back(s.blocks);
    tokens.push_back(s.tokens);
  }
  used_blocks_ = sum(blocks);
  used_tokens_ = sum(tokens);
  num_running_ = count(Status::Running);
  snapshot();
}

void SymbolicView::schedule(const Ref& r, Int n, Bool when) {
  const auto& e = params_.engine;
  std::vector<SymInt> dblocks, dtokens;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    const auto w = when && r.sel[i];
    const auto tokens = s.computed + n + D::lit(e.lookahead);
    const auto blocks = blocks_for<D>(e, tokens);
    dblocks.push_back(D::select(w, blocks - s.blocks, D::lit(0)));
    dtokens.push_back(D::select(w, tokens - s.tokens, D::lit(0)));
    s.blocks = D::select(w, blocks, s.blocks);
    s.tokens = D::select(w, tokens, s.tokens);
    s.sched = D::select(w, n, s.sched);
  }
  used_blocks_ = used_blocks_ + sum(dblocks);
  used_tokens_ = used_tokens_ + sum(dtokens);
}

void SymbolicView::admit(const Ref& r, Bool when) {
  const auto w = when && r.any;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    const auto wi = when && r.sel[i];
    s.status = D::select(wi, D::lit(status_code(Status::Running)), s.status);
    s.stamp = D::select(wi, D::lit(n_) + adm_ctr_, s.stamp);
  }
  adm_ctr_ = adm_ctr_ + one_if(w);
  num_running_ = num_running_ + one_if(w);
}

void SymbolicView::release(std::size_t i, const Bool& w) {
  auto& s = slots_[i];
  used_blocks_ = used_blocks_ - D::select(w, s.blocks, D::lit(0));
  used_tokens_ = used_tokens_ - D::select(w, s.tokens, D::lit(0));
  s.blocks = D::select(w, D::lit(0), s.blocks);
  s.tokens = D::select(w, D::lit(0), s.tokens);
  s.sched = D::select(w, D::lit(0), s.sched);
}

void SymbolicView::reset(const Ref& r, Bool when, Int& counter) {
  const auto w = when && r.any;
  const bool front = params_.engine.requeue == Requeue::Front;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const auto wi = when && r.sel[i];
    release(i, wi);
    auto& s = slots_[i];
    s.computed = D::select(wi, D::lit(0), s.computed);
    s.generated = D::select(wi, D::lit(0), s.generated);
    s.status = D::select(wi, D::lit(status_code(Status::Waiting)), s.status);
    s.pending = s.pending || wi;
    // Keys below every queue position (front, by stamp) or above them (back, in call order).
    const auto key = front ? s.stamp - D::lit(2 * n_) : D::lit(n_) + bseq_;
    s.rqkey = D::select(wi, key, s.rqkey);
  }
  if (!front) bseq_ = bseq_ + one_if(w);
  num_running_ = num_running_ - one_if(w);
  counter = counter + one_if(w);
}

SymInt SymbolicView::choose(int id, std::int64_t lo, std::int64_t hi) {
  const auto c = D::var("choice@" + tag_ + "#" + std::to_string(picks_.size()) + "_" +
                        std::to_string(id));
  side_.push_back(D::lit(lo) <= c && c <= D::lit(hi));
  picks_.push_back(c);
  return c;
}

void SymbolicView::rerank() {
  std::vector<SymInt> key(slots_.size(), D::lit(0));
  std::vector<SymBool> waiting, running;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    key[i] = D::select(slots_[i].pending, slots_[i].rqkey, slots_[i].pos);
    waiting.push_back(is(i, Status::Waiting));
    running.push_back(is(i, Status::Running));
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    std::vector<SymInt> wbefore, rbefore;
    for (std::size_t j = 0; j < slots_.size(); ++j) {
      if (j == i) continue;
      wbefore.push_back(one_if(waiting[j] && key[j] < key[i]));
      rbefore.push_back(one_if(running[j] && slots_[j].stamp < slots_[i].stamp));
    }
    auto& s = slots_[i];
    s.pos = D::select(waiting[i], sum(wbefore), D::select(running[i], sum(rbefore), D::lit(0)));
  }
  for (auto& s : slots_) s.pending = D::truth(false);
}

void SymbolicView::commit() {
  rerank();
  snapshot();
  demand_ = used_blocks_;
}

void SymbolicView::batch_ready() {
  step_used_blocks_ = used_blocks_;
  step_used_tokens_ = used_tokens_;
}

void SymbolicView::finish(const Ref& r, Int computed, Int generated, Bool done, Bool when) {
  batch_size_ = batch_size_ + one_if(when && r.any);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const auto wi = when && r.sel[i];
    auto& s = slots_[i];
    s.batch = D::select(wi, s.sched, s.batch);
    s.computed = D::select(wi, computed, s.computed);
    s.generated = D::select(wi, generated, s.generated);
    s.sched = D::select(wi, D::lit(0), s.sched);
    const auto fin = wi && done;
    release(i, fin);
    s.status = D::select(fin, D::lit(status_code(Status::Done)), s.status);
    s.completed = s.completed || fin;
    num_running_ = num_running_ - one_if(fin);
  }
}

void SymbolicView::end_step() {
  rerank();
  snapshot();
}

SymRef SymbolicView::completed_at(int k) const {
  const auto ku = static_cast<std::size_t>(k);
  SymRef r{{}, slots_[ku].completed, D::lit(0), D::lit(0), D::lit(0)};
  for (std::size_t i = 0; i < slots_.size(); ++i)
    r.sel.push_back(i == ku ? slots_[ku].completed : D::truth(false));
  r.prompt = D::select(r.any, in_[ku].prompt, D::lit(0));
  r.output = D::select(r.any, in_[ku].output, D::lit(0));
  r.klass = D::select(r.any, in_[ku].klass, D::lit(0));
  return r;
}

SymState SymbolicView::post() const {
  SymState out{{}, now_ + D::lit(1)};
  for (const auto& s : slots_)
    out.slots.push_back({s.status, s.pos, s.computed, s.generated, s.blocks, s.tokens});
  return out;
}

StepObs SymbolicView::obs() const {
  StepObs o{overflow_, preemptions_, evictions_, step_used_blocks_, step_used_tokens_, demand_,
            batch_size_, {}, {}, picks_};
  for (const auto& s : slots_) {
    o.batch_tokens.push_back(s.batch);
    o.completed.push_back(s.completed);
  }
  return o;
}

}  // namespace kvcheck
