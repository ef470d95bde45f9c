#include "checkers/z3/unroller.h"

#include "checkers/z3/symbolic_view.h"
#include "models/engine_step.h"
#include "properties/predicates.h"

namespace kvcheck {
namespace {

using D = Symbolic;

SymInt code(Status s) { return D::lit(status_code(s)); }

/// The fields of a slot state, for loops over them.
constexpr std::array<std::pair<const char*, SymInt SlotState::*>, 6> kFields{{
    {"status", &SlotState::status},
    {"pos", &SlotState::pos},
    {"computed", &SlotState::computed},
    {"generated", &SlotState::generated},
    {"blocks", &SlotState::blocks},
    {"tokens", &SlotState::tokens},
}};

/// "_<i>" (appended: GCC 12 warns, -Wrestrict, on "_" + to_string).
std::string suffix(std::size_t i) {
  std::string s = "_";
  s += std::to_string(i);
  return s;
}

}  // namespace

Unroller::Unroller(z3::context& ctx, const ModelParams& params, const BmcSpec& spec,
                   const ConcreteStart* start)
    : ctx_(ctx), params_(params), spec_(spec), start_(start) {
  SymbolicScope scope(ctx_);
  if (start_) {
    fixed_ = start_->residents.size();
    for (const auto& r : start_->residents)
      inputs_.push_back({D::lit(r.input.arrival_step), D::lit(r.input.prompt),
                         D::lit(r.input.output), D::lit(r.input.klass)});
  }
  for (int i = 0; i < spec_.slots; ++i) {
    const auto s = std::to_string(i);
    inputs_.push_back({D::var("arrival_" + s), D::var("prompt_" + s), D::var("output_" + s),
                       D::var("klass_" + s)});
  }
}

std::vector<SymBool> Unroller::input_constraints() const {
  SymbolicScope scope(ctx_);
  std::vector<SymBool> out;
  const auto in_range = [](const SymInt& x, std::int64_t lo, std::int64_t hi) {
    return D::lit(lo) <= x && x <= D::lit(hi);
  };
  const auto absent = D::lit(horizon() + 1);
  const auto nclasses = static_cast<std::int64_t>(params_.classes.size());
  // A prefix's residents (slots < fixed_) have numeral inputs: nothing to constrain.
  for (std::size_t i = fixed_; i < inputs_.size(); ++i) {
    const auto& in = inputs_[i];
    auto arrival =
        in_range(in.arrival, offset() + spec_.arrival_lo, offset() + spec_.arrival_hi);
    if (spec_.allow_absent) arrival = arrival || in.arrival == absent;
    out.push_back(arrival);
    out.push_back(in_range(in.klass, 0, nclasses > 0 ? nclasses - 1 : 0));
    if (spec_.per_class) {
      for (std::int64_t c = 0; c < nclasses; ++c) {
        const auto& cs = params_.classes[static_cast<std::size_t>(c)];
        out.push_back(!(in.klass == D::lit(c)) ||
                      (in.prompt == D::lit(cs.prompt) && in.output == D::lit(cs.output)));
      }
    } else {
      out.push_back(in_range(in.prompt, spec_.prompt_lo, spec_.prompt_hi));
      out.push_back(in_range(in.output, spec_.output_lo, spec_.output_hi));
    }
    if (i + 1 < inputs_.size()) out.push_back(in.arrival <= inputs_[i + 1].arrival);
    const auto m = static_cast<std::size_t>(spec_.max_arrivals_per_step);
    if (m > 0 && i + m < inputs_.size())
      out.push_back(inputs_[i + m].arrival > in.arrival || in.arrival == absent);
  }
  return out;
}

SymState Unroller::initial() const {
  if (start_) return from_concrete(*start_);
  SymbolicScope scope(ctx_);
  SymState s{{}, D::lit(0), D::lit(0)};
  for (std::size_t i = 0; i < inputs_.size(); ++i)
    s.slots.push_back({code(Status::Pending), D::lit(0), D::lit(0), D::lit(0), D::lit(0),
                       D::lit(0)});
  return s;
}

SymState Unroller::from_concrete(const ConcreteStart& start) const {
  SymbolicScope scope(ctx_);
  SymState s{{}, D::lit(start.step), D::lit(start.used)};
  for (const auto& r : start.residents)
    s.slots.push_back({code(r.status), D::lit(r.pos), D::lit(r.computed), D::lit(r.generated),
                       D::lit(r.blocks), D::lit(r.tokens)});
  while (s.slots.size() < inputs_.size())
    s.slots.push_back({code(Status::Pending), D::lit(0), D::lit(0), D::lit(0), D::lit(0),
                       D::lit(0)});
  return s;
}

SymState Unroller::fresh_state(const std::string& tag) const {
  SymbolicScope scope(ctx_);
  SymState s{{}, D::var("time@" + tag), D::var("used@" + tag)};
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    SlotState slot{D::lit(0), D::lit(0), D::lit(0), D::lit(0), D::lit(0), D::lit(0)};
    for (const auto& [name, field] : kFields)
      slot.*field = D::var(std::string(name) + "_" + std::to_string(i) + "@" + tag);
    s.slots.push_back(slot);
  }
  return s;
}

SymState Unroller::cut(const SymState& s, const std::string& tag,
                       std::vector<SymBool>& eqs) const {
  SymbolicScope scope(ctx_);
  const auto fresh = fresh_state(tag);
  SymState out = s;
  const auto tie = [&](const SymInt& term, const SymInt& var, SymInt& dst) {
    std::int64_t v = 0;
    if (term.e.is_numeral_i64(v) || term.e.is_const()) return;
    eqs.push_back(var == term);
    dst = var;
  };
  tie(s.time, fresh.time, out.time);
  tie(s.used, fresh.used, out.used);
  for (std::size_t i = 0; i < s.slots.size(); ++i)
    for (const auto& [name, field] : kFields)
      tie(s.slots[i].*field, fresh.slots[i].*field, out.slots[i].*field);
  return out;
}

Unroller::Step Unroller::step(const SymState& pre, const std::string& tag,
                              const std::vector<PropertyId>& props) const {
  SymbolicScope scope(ctx_);
  SymbolicView v(params_, inputs_, pre, tag, spec_.max_concurrency);
  engine_step(v);
  Step out{v.post(), {}, v.obs(), v.side(), v.pool_trace()};
  out.post.time = D::min(out.post.time, D::lit(horizon()));
  for (auto id : props) out.props.push_back(holds(id, v));
  return out;
}

std::vector<Unroller::Part> Unroller::well_formed_parts(const SymState& s) const {
  SymbolicScope scope(ctx_);
  const auto& e = params_.engine;
  const auto zero = D::lit(0);
  std::vector<Part> out;
  const auto add = [&](std::string name, const SymBool& b) { out.push_back({std::move(name), b}); };
  add("time", D::lit(0) <= s.time && s.time <= D::lit(horizon()));
  // vLLM V0's swap mode: a Swapped request holds its KV (in the CPU pool) and a position in the
  // swapped queue; its blocks are off the GPU counter. No term of this is built otherwise.
  const bool swap = swaps(params_);
  SymInt nwait = zero, nrun = zero, nswap = zero, used = zero;
  std::vector<SymBool> waiting, running, swapped;
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    const auto& x = s.slots[i];
    const auto& in = inputs_[i];
    const auto n = suffix(i);
    const auto is = [&](Status st) { return x.status == code(st); };
    const auto empty = x.computed == zero && x.generated == zero && x.blocks == zero &&
                       x.tokens == zero;
    const auto swapped_i = swap ? is(Status::Swapped) : D::truth(false);
    const auto resident = is(Status::Waiting) || is(Status::Running) || swapped_i;
    const auto running_i = is(Status::Running);
    // A swapped request keeps a running request's KV and progress (its blocks moved whole).
    const auto holds_kv = running_i || swapped_i;
    add("status" + n,
        zero <= x.status && x.status <= code(swap ? Status::Swapped : Status::Rejected));
    // Closed loop: a slot whose arrival has come may still be pending (gated).
    if (spec_.max_concurrency > 0)
      add("pending" + n, !(in.arrival >= s.time) || is(Status::Pending));
    else
      add("pending" + n, is(Status::Pending) == (in.arrival >= s.time));
    if (spec_.max_concurrency > 0 && i + 1 < s.slots.size())  // slots enter in index order
      add("fifo" + n, !is(Status::Pending) || s.slots[i + 1].status == code(Status::Pending));
    if (e.recompute_keeps_output) {
      // A preempted request keeps its output (engine_rules.h): waiting, it holds no KV and
      // has computed nothing, but may have sampled up to output - 1 tokens.
      add("empty" + n, !(is(Status::Pending) || is(Status::Rejected)) || empty);
      add("wait_empty" + n, !is(Status::Waiting) ||
                                (x.computed == zero && x.blocks == zero && x.tokens == zero &&
                                 zero <= x.generated && x.generated < in.output));
    } else {
      add("empty" + n,
          !(is(Status::Pending) || is(Status::Rejected) || is(Status::Waiting)) || empty);
    }
    add("pos0" + n, resident || x.pos == zero);
    add("done" + n, !is(Status::Done) ||
                        (x.blocks == zero && x.tokens == zero && x.generated == in.output &&
                         x.computed == in.prompt + in.output - D::lit(1)));
    const auto gen = D::select(x.computed >= in.prompt, x.computed - in.prompt + D::lit(1), zero);
    add("run_tokens" + n, !holds_kv || x.tokens == x.computed + D::lit(e.lookahead));
    add("run_blocks" + n, !holds_kv || x.blocks == blocks_for<D>(e, x.tokens));
    if (e.recompute_keeps_output)
      add("run_gen" + n, !holds_kv || (x.generated == zero && x.computed < in.prompt) ||
                             (x.generated >= D::lit(1) &&
                              x.computed <= in.prompt + x.generated - D::lit(1)));
    else
      add("run_gen" + n, !holds_kv || x.generated == gen);
    add("run_gen_lt" + n, !holds_kv || x.generated < in.output);
    add("run_computed" + n, !holds_kv || x.computed >= D::lit(1));
    waiting.push_back(is(Status::Waiting));
    running.push_back(running_i);
    swapped.push_back(swapped_i);
    nwait = nwait + D::select(waiting.back(), D::lit(1), zero);
    nrun = nrun + D::select(running.back(), D::lit(1), zero);
    if (swap) nswap = nswap + D::select(swapped_i, D::lit(1), zero);
    used = used + (swap ? D::select(swapped_i, zero, x.blocks) : x.blocks);
  }
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    const auto& x = s.slots[i];
    const auto n = suffix(i);
    add("wait_pos" + n, !waiting[i] || (zero <= x.pos && x.pos < nwait));
    add("run_pos" + n, !running[i] || (zero <= x.pos && x.pos < nrun));
    if (swap) add("swap_pos" + n, !swapped[i] || (zero <= x.pos && x.pos < nswap));
    for (std::size_t j = i + 1; j < s.slots.size(); ++j) {
      const auto same = (waiting[i] && waiting[j]) || (running[i] && running[j]) ||
                        (swapped[i] && swapped[j]);
      add("distinct" + n + suffix(j), !same || x.pos != s.slots[j].pos);
    }
  }
  if (spec_.max_concurrency > 0)
    add("in_flight", nwait + nrun <= D::lit(spec_.max_concurrency));
  add("used_sum", s.used == used);
  add("pool", used <= D::lit(e.num_blocks));
  return out;
}

std::vector<Unroller::Part> Unroller::order_candidates(const SymState& s) const {
  SymbolicScope scope(ctx_);
  std::vector<Part> out;
  const auto run = code(Status::Running), wait = code(Status::Waiting);
  SymInt runs_before = D::lit(0), waits_before = D::lit(0);
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    const auto& x = s.slots[i];
    const auto n = suffix(i);
    out.push_back({"run_rank" + n, !(x.status == run) || x.pos == runs_before});
    out.push_back({"wait_rank" + n, !(x.status == wait) || x.pos == waits_before});
    SymBool later_running = D::truth(false);
    for (std::size_t j = i + 1; j < s.slots.size(); ++j)
      later_running = later_running || s.slots[j].status == run;
    out.push_back({"wait_after_run" + n, !(x.status == wait) || !later_running});
    runs_before = runs_before + D::select(x.status == run, D::lit(1), D::lit(0));
    waits_before = waits_before + D::select(x.status == wait, D::lit(1), D::lit(0));
  }
  return out;
}

std::vector<Unroller::Part> Unroller::lemma_candidates(const SymState& s) const {
  auto out = well_formed_parts(s);
  for (auto& p : order_candidates(s)) out.push_back(std::move(p));
  return out;
}

SymBool Unroller::well_formed(const SymState& s) const {
  SymbolicScope scope(ctx_);
  SymBool ok = D::truth(true);
  for (const auto& p : well_formed_parts(s)) ok = ok && p.holds;
  return ok;
}

std::vector<std::pair<std::string, SymInt>> Unroller::named_fields(const SymState& s) const {
  std::vector<std::pair<std::string, SymInt>> out{{"time", s.time}, {"used", s.used}};
  for (std::size_t i = 0; i < s.slots.size(); ++i) {
    const auto n = std::to_string(i);
    for (const auto& [name, field] : kFields) out.emplace_back(name + ("_" + n), s.slots[i].*field);
    out.emplace_back("arrival_" + n, inputs_[i].arrival);
    out.emplace_back("prompt_" + n, inputs_[i].prompt);
    out.emplace_back("output_" + n, inputs_[i].output);
    out.emplace_back("klass_" + n, inputs_[i].klass);
  }
  return out;
}

std::int64_t Unroller::value(const z3::model& m, const SymInt& x) {
  return m.eval(x.e, true).get_numeral_int64();
}

bool Unroller::value(const z3::model& m, const SymBool& x) { return m.eval(x.e, true).is_true(); }

SymBool Unroller::fixes(const Workload& w) const {
  SymbolicScope scope(ctx_);
  SymBool out = D::truth(true);
  for (std::size_t i = fixed_; i < inputs_.size(); ++i) {
    const auto& in = inputs_[i];
    if (i - fixed_ >= w.requests.size()) {
      out = out && in.arrival == D::lit(horizon() + 1);
      continue;
    }
    const auto& r = w.requests[i - fixed_];
    out = out && in.arrival == D::lit(r.arrival_step) && in.prompt == D::lit(r.prompt) &&
          in.output == D::lit(r.output) && in.klass == D::lit(r.klass);
  }
  return out;
}

Workload Unroller::workload(const z3::model& m) const {
  Workload w;
  w.clock = ArrivalClock::Steps;
  w.max_concurrency = spec_.max_concurrency;
  for (std::size_t i = fixed_; i < inputs_.size(); ++i) {
    const auto& in = inputs_[i];
    const auto a = value(m, in.arrival);
    // Absent slots form a suffix (arrivals are ordered).
    if (a > offset() + spec_.arrival_hi) break;
    Request r;
    r.arrival_step = a;
    r.arrival_time = static_cast<double>(a);
    r.prompt = value(m, in.prompt);
    r.output = value(m, in.output);
    r.klass = value(m, in.klass);
    w.requests.push_back(r);
  }
  return w;
}

}  // namespace kvcheck
