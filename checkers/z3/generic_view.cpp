#include "checkers/z3/generic_view.h"

#include "models/engine_rules.h"

namespace kvcheck {
namespace {
using D = Symbolic;

SymInt one_if(const SymBool& b) { return D::select(b, D::lit(1), D::lit(0)); }

/// `w ? 0 : f`, with a field already zeroed under c (`c ? 0 : x`) written `(w || c) ? 0 : x`:
/// the same value, but a request preempted as a candidate victim in several earlier loop
/// iterations keeps one condition instead of one nested if-then-else per iteration, so its
/// obligations do not grow with its position (generic_proof.h, shapes).
SymInt zero_if(const SymBool& w, const SymInt& f) {
  const auto& e = f.e;
  std::int64_t v = -1;
  if (e.is_app() && e.decl().decl_kind() == Z3_OP_ITE && e.arg(1).is_numeral_i64(v) && v == 0)
    return D::select(w || SymBool{e.arg(0)}, D::lit(0), SymInt{e.arg(2)});
  return D::select(w, D::lit(0), f);
}
}  // namespace

std::vector<z3::expr> GenericRequest::constants() const {
  std::vector<z3::expr> out{prompt.e,    output.e, klass.e,  rank.e, computed.e,
                            generated.e, blocks.e, tokens.e, sched.e};
  for (const auto& s : snapshots) out.push_back(s.e);
  return out;
}

GenericView::GenericView(const ModelParams& params, const KnobTerms& knobs,
                         int positions, std::string tag)
    : params_(params),
      knobs_(knobs),
      positions_(positions),
      tag_(std::move(tag)),
      plan_counter_(D::lit(0)),
      num_running_start_(D::lit(0)),
      num_running_(D::lit(0)) {}

int GenericView::fresh_request(const std::string& where) {
  const auto id = static_cast<int>(req_.size());
  const auto name = [&](const char* field) {
    return std::string(field) + "_r" + std::to_string(id) + "@" + tag_;
  };
  GenericRequest g{D::var(name("prompt")),   D::var(name("output")),  D::var(name("klass")),
                   D::var(name("rank")),     D::var(name("computed")), D::var(name("generated")),
                   D::var(name("blocks")),   D::var(name("tokens")),  D::var(name("sched")),
                   D::bool_var(name("valid")), {}};
  cur_.push_back({g.computed, g.generated, g.blocks, g.tokens, g.sched});
  req_.push_back(std::move(g));
  names_.push_back(where);
  return id;
}

void GenericView::fresh_tables(const std::string& phase) {
  run_.clear();
  wait_.clear();
  for (int k = 0; k < positions_; ++k)
    run_.push_back(fresh_request("running " + std::to_string(k) + " " + phase));
  for (int k = 0; k < positions_; ++k)
    wait_.push_back(fresh_request("waiting " + std::to_string(k) + " " + phase));
  num_running_ = D::var("num_running@" + tag_ + phase);
}

SymInt GenericView::fresh_counter() const {
  reads_.push_back(D::var("u" + std::to_string(reads_.size()) + "@" + tag_));
  return reads_.back();
}

std::string GenericView::where(Ref r) const { return names_[static_cast<std::size_t>(r.id)]; }

GenericView::Int GenericView::free_blocks() const { return knob(Knob::NumBlocks) - used_blocks(); }

void GenericView::snapshot() const {
  for (std::size_t id = 0; id < cur_.size(); ++id) {
    auto& x = cur_[id];
    int n = 0;
    for (auto* f : {&x.computed, &x.generated, &x.blocks, &x.tokens, &x.sched}) {
      ++n;
      if (f->e.is_const() || f->e.is_numeral()) continue;
      const auto c = D::var("snap" + std::to_string(req_[id].snapshots.size()) + "_" +
                            std::to_string(n) + "_r" + std::to_string(id) + "@" + tag_ + "#" +
                            std::to_string(reads_.size()));
      req_[id].snapshots.push_back(c);
      links_.push_back(c == *f);
      *f = c;
    }
  }
}

GenericView::Int GenericView::used_blocks() const {
  snapshot();
  const auto u = fresh_counter();
  if (exact_)
    links_.push_back(u == *exact_);
  else
    exact_ = u;
  read_ = base_ = static_cast<int>(reads_.size()) - 1;
  since_read_releases_ = true;
  return u;
}

void GenericView::after_action(const std::string& action, Ref r, const Int& delta,
                               bool release) {
  const auto counter = reads_[static_cast<std::size_t>(base_)] + delta;
  Obligation o{action + " (" + where(r) + ")", r.id, read_, base_, since_read_releases_,
               counter <= knob(Knob::NumBlocks)};
  obl_.push_back(std::move(o));
  exact_ = *exact_ + delta;
  links_.push_back(fresh_counter() == *exact_);
  base_ = static_cast<int>(reads_.size()) - 1;
  since_read_releases_ = since_read_releases_ && release;
}

void GenericView::store(const std::string& what, Ref r, const Bool& when, const Int& value) {
  obl_.push_back({"store " + what + " (" + where(r) + ")", r.id, read_, base_,
                  since_read_releases_, !when || value >= D::lit(0)});
}

void GenericView::schedule(Ref r, Int n, Bool when) {
  auto& x = cur_[static_cast<std::size_t>(r.id)];
  const auto w = when && c(r).valid;
  const auto tokens = x.computed + n + knob(Knob::Lookahead);
  const auto blocks = blocks_for<D>(knob(Knob::BlockSize), tokens);
  store("blocks", r, w, blocks);
  store("tokens", r, w, tokens);
  after_action("schedule", r, D::select(w, blocks - x.blocks, D::lit(0)), false);
  x.blocks = D::select(w, blocks, x.blocks);
  x.tokens = D::select(w, tokens, x.tokens);
  x.sched = D::select(w, n, x.sched);
}

void GenericView::admit(Ref r, Bool when) {
  num_running_ = num_running_ + one_if(when && c(r).valid);
}

void GenericView::release(Ref r, Bool when, const char* why, bool keeps_progress) {
  auto& x = cur_[static_cast<std::size_t>(r.id)];
  const auto w = when && c(r).valid;
  const auto freed = D::select(w, x.blocks, D::lit(0));
  obl_.push_back({std::string("release is >= 0 (") + why + ", " + where(r) + ")", r.id, read_,
                  base_, since_read_releases_, freed >= D::lit(0)});
  after_action(std::string("release (") + why + ")", r, D::lit(0) - freed, true);
  x.blocks = zero_if(w, x.blocks);
  x.tokens = zero_if(w, x.tokens);
  x.sched = zero_if(w, x.sched);
  num_running_ = num_running_ - one_if(w);
  if (keeps_progress) return;
  x.computed = zero_if(w, x.computed);
  if (!params_.engine.recompute_keeps_output) x.generated = zero_if(w, x.generated);
}

GenericView::Int GenericView::choose(int id, std::int64_t, std::int64_t) {
  return D::var("choice" + std::to_string(choices_++) + "_" + std::to_string(id) + "@" + tag_);
}

void GenericView::begin_step() {
  fresh_tables("(before commit)");
  num_running_start_ = num_running_;
  used_blocks();
}

void GenericView::commit() {
  plan_counter_ = exact_ ? *exact_ : D::lit(0);
  plan_fields_.clear();
  for (const auto& x : cur_) plan_fields_.push_back({x.computed, x.generated, x.blocks, x.tokens, x.sched});
  run_before_ = run_;
  wait_before_ = wait_;
  fresh_tables("(after commit)");
}

void GenericView::note_overflow(Bool over) {
  obl_.push_back({"no overflow after the plan", -1, read_, base_, since_read_releases_, !over});
}

void GenericView::finish(Ref r, Int computed, Int generated, Bool done, Bool when) {
  auto& x = cur_[static_cast<std::size_t>(r.id)];
  const auto wi = when && c(r).valid;
  store("computed", r, wi, computed);
  store("generated", r, wi, generated);
  x.computed = D::select(wi, computed, x.computed);
  x.generated = D::select(wi, generated, x.generated);
  x.sched = D::select(wi, D::lit(0), x.sched);
  release(r, wi && done, "finish", true);
}

}  // namespace kvcheck
