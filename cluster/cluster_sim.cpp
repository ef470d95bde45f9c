#include "cluster/cluster_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>
#include <stdexcept>

#include "cluster/index_set.h"
#include "cluster/rng.h"
#include "cluster/sli_split.h"

namespace kvcheck::cluster {
namespace {

enum class JobState : std::uint8_t { Free, WaitPrefill, Prefill, WaitDecode, Decode };

struct Job {
  int klass = 0;
  JobState state = JobState::Free;
  std::uint8_t buffer = 0;     ///< WaitDecode: which decode buffer (kMixedBuffer, kSoloBuffer)
  std::uint32_t gen = 0;       ///< bumped at every state change and reschedule: stale events
  std::uint32_t slot = 0;      ///< Decode without static planning: index in its GPU's residents
  std::int64_t id = 0;         ///< arrival order
  std::int64_t gpu = -1;
  std::int64_t buffer_seq = 0; ///< order of entry into a decode buffer
  double end = 0.0;            ///< Decode: when it completes at its GPU's current speed
};

struct Ref {
  std::uint32_t job, gen;
};

enum class Ev : std::uint8_t { Arrival, PrefillDone, DecodeDone, Abandon };

struct Event {
  double time;
  std::uint64_t order;  ///< ties in time: first scheduled, first processed (determinism)
  Ev kind;
  std::uint32_t a, gen;  ///< Arrival: class; else the job and its generation
  bool operator>(const Event& o) const {
    return time != o.time ? time > o.time : order > o.order;
  }
};

struct Gpu {
  int prefill = -1;      ///< class in the prefill slot, -1 idle
  std::int32_t decodes = 0;
};

/// The greedy router's one buffer is kMixedBuffer; the SLI router adds kSoloBuffer.
constexpr std::uint8_t kMixedBuffer = 0, kSoloBuffer = 1;

class Simulator {
 public:
  Simulator(const ClusterOptions& o, const ClusterPlan& plan)
      : o_(o), pol_(o.policy), plan_(plan), inst_(o.instance),
        rates_(theory::p3_service_rates(o.instance)), I_(inst_.classes.size()),
        n_(static_cast<std::size_t>(plan.n)), M_(static_cast<std::size_t>(plan.mixed)),
        B_(static_cast<std::int32_t>(inst_.B)), flex_(pol_.planning == Planning::None),
        gamma_tau_(inst_.gamma * rates_.tau), rng_(o.seed), gpus_(n_),
        per_class_decodes_(n_ * I_, 0), residents_(flex_ ? n_ : 0), solo_free_(n_),
        mixed_free_(n_), idle_prefill_(n_), prefill_q_(I_), Qp_(I_, 0), Qd_(I_, 0), X_(I_, 0),
        Ym_(I_, 0), Ys_(I_, 0), area_(I_), last_admitted_(I_, -1), res_() {
    validate();
    for (std::size_t g = 0; g < n_; ++g) refresh(g);
    res_.classes.resize(I_);
    res_.n = plan.n;
    res_.mixed = flex_ ? 0 : plan.mixed;
    if (pol_.router == Router::Sli) p_solo_ = sli_solo_probabilities(rates_, plan_.y_m, plan_.y_s);
    res_.p_solo = p_solo_;
    build_priority();
  }

  ClusterResult run() {
    schedule_arrivals();
    while (!events_.empty()) {
      const Event e = events_.top();
      if (e.time > o_.horizon) break;
      events_.pop();
      advance(e.time);
      now_ = e.time;
      ++res_.events;
      touched_[0] = touched_[1] = -1;
      dispatch(e);
      if (o_.check != InvariantCheck::Off) check_invariants();
    }
    advance(o_.horizon);
    finish();
    return res_;
  }

 private:
  // ---- setup --------------------------------------------------------------------------
  void validate() const {
    if (plan_.n < 1) throw std::invalid_argument("cluster: n must be >= 1");
    if (plan_.mixed < 0 || plan_.mixed > plan_.n)
      throw std::invalid_argument("cluster: the plan's M is outside [0, n]");
    if (plan_.x.size() != I_ || plan_.q_p.size() != I_)
      throw std::invalid_argument("cluster: the plan and the instance differ in classes");
    if (inst_.B < 2) throw std::invalid_argument("cluster: B must be >= 2");
    if (const auto why = policy_error(pol_); !why.empty())
      throw std::invalid_argument("cluster: " + why);
    for (const auto& [t, k] : o_.arrivals)
      if (k < 0 || static_cast<std::size_t>(k) >= I_ || !(t >= 0.0))
        throw std::invalid_argument("cluster: a scripted arrival of no class or before 0");
  }

  /// Prioritize-and-Route's order: largest D_i / P_i first, ties to the lower index.
  void build_priority() {
    for (std::size_t i = 0; i < I_; ++i) priority_.push_back(static_cast<int>(i));
    std::stable_sort(priority_.begin(), priority_.end(), [&](int a, int b) {
      const auto& ca = inst_.classes[static_cast<std::size_t>(a)];
      const auto& cb = inst_.classes[static_cast<std::size_t>(b)];
      return ca.output * cb.prompt > cb.output * ca.prompt;
    });
  }

  void schedule_arrivals() {
    if (!o_.arrivals.empty()) {
      for (const auto& [t, k] : o_.arrivals) push(t, Ev::Arrival, static_cast<std::uint32_t>(k), 0);
      return;
    }
    for (std::size_t i = 0; i < I_; ++i) next_arrival(i);
  }

  void next_arrival(std::size_t i) {
    const double rate = static_cast<double>(n_) * inst_.classes[i].rate;
    if (rate > 0.0) push(now_ + rng_.exponential(rate), Ev::Arrival, static_cast<std::uint32_t>(i), 0);
  }

  void push(double t, Ev k, std::uint32_t a, std::uint32_t gen) {
    events_.push({t, order_++, k, a, gen});
  }

  // ---- time averages --------------------------------------------------------------------
  struct Area {
    double x = 0, y_m = 0, y_s = 0, q_p = 0, q_d = 0;
  };

  void advance(double t) {
    const double lo = std::max(last_, o_.warmup), hi = std::min(t, o_.horizon);
    if (hi > lo) {
      const double dt = hi - lo;
      for (std::size_t i = 0; i < I_; ++i) {
        auto& a = area_[i];
        a.x += dt * static_cast<double>(X_[i]);
        a.y_m += dt * static_cast<double>(Ym_[i]);
        a.y_s += dt * static_cast<double>(Ys_[i]);
        a.q_p += dt * static_cast<double>(Qp_[i]);
        a.q_d += dt * static_cast<double>(Qd_[i]);
      }
    }
    last_ = std::max(last_, t);
  }

  bool counting() const { return now_ >= o_.warmup; }

  void finish() {
    const double T = o_.horizon - o_.warmup, nT = static_cast<double>(n_) * T;
    res_.revenue_per_gpu = revenue_ / nT;
    for (std::size_t i = 0; i < I_; ++i) {
      auto& c = res_.classes[i];
      c.x = area_[i].x / nT;
      c.y_m = area_[i].y_m / nT;
      c.y_s = area_[i].y_s / nT;
      c.q_p = area_[i].q_p / nT;
      c.q_d = area_[i].q_d / nT;
    }
  }

  // ---- a GPU's mode and slots (planning) ------------------------------------------------
  /// Static planning: GPUs 0..M-1 mixed, the rest solo, for good. No planning: a GPU is mixed
  /// exactly while it runs a prefill.
  bool solo_mode(std::size_t g) const { return flex_ ? gpus_[g].prefill < 0 : g >= M_; }
  std::int32_t capacity(std::size_t g) const { return solo_mode(g) ? B_ : B_ - 1; }
  /// A prefill may start on g: its prefill slot is idle, and g is a planned mixed GPU (static)
  /// or has a slot left beside its decodes (no planning).
  bool can_prefill(std::size_t g) const {
    return gpus_[g].prefill < 0 && (flex_ ? gpus_[g].decodes < B_ : g < M_);
  }

  /// The index sets' view of g, recomputed from its state (every change to g goes through here).
  void refresh(std::size_t g) {
    const bool free = gpus_[g].decodes < capacity(g), solo = solo_mode(g);
    solo_free_.set(g, free && solo);
    mixed_free_.set(g, free && !solo);
    idle_prefill_.set(g, can_prefill(g));
  }

  /// No planning: g's prefill started (to_mixed) or ended. Its decodes move between Y_m and
  /// Y_s, and each one's remaining time scales by the speed ratio gamma tau (Eq. 4:
  /// mu_s / mu_m = gamma tau for every class). Exact for deterministic service, and for
  /// exponential service too (a scaled exponential residual is the new rate's exponential).
  void switch_mode(std::size_t g, bool to_mixed) {
    for (std::size_t i = 0; i < I_; ++i) {
      const auto c = per_class_decodes_[g * I_ + i];
      Ym_[i] += to_mixed ? c : -c;
      Ys_[i] += to_mixed ? -c : c;
    }
    const double f = to_mixed ? gamma_tau_ : 1.0 / gamma_tau_;
    for (const auto j : residents_[g]) {
      auto& job = jobs_[j];
      job.end = now_ + (job.end - now_) * f;
      ++job.gen;
      ++superseded_;
      push(job.end, Ev::DecodeDone, j, job.gen);
    }
  }

  void add_resident(std::size_t g, std::uint32_t j) {
    jobs_[j].slot = static_cast<std::uint32_t>(residents_[g].size());
    residents_[g].push_back(j);
  }

  void remove_resident(std::size_t g, std::uint32_t j) {
    auto& r = residents_[g];
    const auto at = jobs_[j].slot;
    r[at] = r.back();
    jobs_[r[at]].slot = at;
    r.pop_back();
  }

  // ---- events ---------------------------------------------------------------------------
  void dispatch(const Event& e) {
    switch (e.kind) {
      case Ev::Arrival: return arrival(e.a);
      case Ev::PrefillDone: return prefill_done(e.a, e.gen);
      case Ev::DecodeDone: return decode_done(e.a, e.gen);
      case Ev::Abandon: return abandon(e.a, e.gen);
    }
  }

  std::uint32_t new_job(int klass) {
    std::uint32_t j;
    if (!free_jobs_.empty()) {
      j = free_jobs_.back();
      free_jobs_.pop_back();
    } else {
      j = static_cast<std::uint32_t>(jobs_.size());
      jobs_.emplace_back();
    }
    auto& job = jobs_[j];
    job.klass = klass;
    job.id = res_.requests++;
    job.gpu = -1;
    return j;
  }

  void set_state(std::uint32_t j, JobState s) {
    jobs_[j].state = s;
    ++jobs_[j].gen;
  }

  void release(std::uint32_t j) {
    set_state(j, JobState::Free);
    free_jobs_.push_back(j);
  }

  void maybe_abandon(std::uint32_t j) {
    const double theta = inst_.classes[static_cast<std::size_t>(jobs_[j].klass)].abandon;
    if (theta > 0.0) push(now_ + rng_.exponential(theta), Ev::Abandon, j, jobs_[j].gen);
  }

  void arrival(std::uint32_t klass) {
    const auto i = static_cast<std::size_t>(klass);
    if (o_.arrivals.empty()) next_arrival(i);
    const auto j = new_job(static_cast<int>(klass));
    set_state(j, JobState::WaitPrefill);
    prefill_q_[i].push_back({j, jobs_[j].gen});
    ++Qp_[i];
    ++res_.classes[i].arrivals;
    notify(ClusterEvent::Arrival, j);
    maybe_abandon(j);
    if (!idle_prefill_.empty()) gate(idle_prefill_.back());
  }

  void abandon(std::uint32_t j, std::uint32_t gen) {
    auto& job = jobs_[j];
    if (job.gen != gen) return;  // it left the queue before its patience ran out
    const auto i = static_cast<std::size_t>(job.klass);
    if (job.state == JobState::WaitPrefill) {
      --Qp_[i];
      ++res_.classes[i].abandoned_prefill;
    } else if (job.state == JobState::WaitDecode) {
      --Qd_[i];
      --buffered_[job.buffer];
      ++res_.classes[i].abandoned_decode;
    } else {
      fail("non-preemption: an abandonment hit a job in service");
    }
    notify(ClusterEvent::Abandon, j);
    release(j);
  }

  // ---- admission (the gate) ---------------------------------------------------------------
  /// The prefill gate on GPU g, which can start a prefill: one class by the policy, its
  /// head-of-line job (FCFS), non-preemptive.
  void gate(std::size_t g) {
    const int k = choose_class();
    if (k < 0) return;
    const auto i = static_cast<std::size_t>(k);
    const auto j = pop_valid(prefill_q_[i], JobState::WaitPrefill);
    if (o_.check != InvariantCheck::Off) check_admission(g, i, jobs_[j].id);
    --Qp_[i];
    ++X_[i];
    set_state(j, JobState::Prefill);
    jobs_[j].gpu = static_cast<std::int64_t>(g);
    gpus_[g].prefill = k;
    if (flex_) switch_mode(g, true);
    refresh(g);
    touch(g);
    notify(ClusterEvent::PrefillStart, j);
    push(now_ + service(rates_.mu_p[i]), Ev::PrefillDone, j, jobs_[j].gen);
  }

  int choose_class() {
    switch (pol_.gate) {
      case GatePolicy::GateAndRoute: return xi_choice();
      case GatePolicy::PrioritizeAndRoute: return priority_choice();
      case GatePolicy::Fcfs: return fcfs_choice();
    }
    return -1;
  }

  /// Gate-and-Route (P3 section 4.1): among the classes waiting, the smallest
  /// xi_i = (X_i - n x*_i) / x*_i; ties to the largest delta_i = Q_p,i - n q*_p,i, then to the
  /// lower index. A class the plan gives no prefill (x*_i = 0) has xi = +inf: it is admitted
  /// only when no planned class waits (docs/p3.md).
  int xi_choice() const {
    int best = -1;
    double best_xi = 0, best_delta = 0;
    const double n = static_cast<double>(n_);
    for (std::size_t i = 0; i < I_; ++i) {
      if (Qp_[i] == 0) continue;
      const double x = plan_.x[i];
      const double xi = x > 0.0 ? (static_cast<double>(X_[i]) - n * x) / x
                                : std::numeric_limits<double>::infinity();
      const double delta = static_cast<double>(Qp_[i]) - n * plan_.q_p[i];
      if (best < 0 || xi < best_xi || (xi == best_xi && delta > best_delta)) {
        best = static_cast<int>(i);
        best_xi = xi;
        best_delta = delta;
      }
    }
    return best;
  }

  /// Prioritize-and-Route (P3 section 4.2): the waiting class of largest D_i / P_i.
  int priority_choice() const {
    for (int k : priority_)
      if (Qp_[static_cast<std::size_t>(k)] > 0) return k;
    return -1;
  }

  /// No gate (section 6.3's "F"): the class of the oldest waiting request.
  int fcfs_choice() {
    int best = -1;
    std::int64_t oldest = 0;
    for (std::size_t i = 0; i < I_; ++i) {
      if (Qp_[i] == 0) continue;
      const auto id = head_id(i);
      if (best < 0 || id < oldest) {
        best = static_cast<int>(i);
        oldest = id;
      }
    }
    return best;
  }

  /// The arrival number of class i's oldest waiting request (Q_p,i > 0); drops the FIFO's
  /// stale entries (abandoned requests) from its front.
  std::int64_t head_id(std::size_t i) {
    auto& q = prefill_q_[i];
    while (!q.empty() && !valid(q.front(), JobState::WaitPrefill)) q.pop_front();
    if (q.empty()) fail("a prefill queue's count says a job waits, but its FIFO has none");
    return jobs_[q.front().job].id;
  }

  bool valid(const Ref& r, JobState want) const {
    return jobs_[r.job].gen == r.gen && jobs_[r.job].state == want;
  }

  std::uint32_t pop_valid(std::deque<Ref>& q, JobState want) {
    while (!q.empty()) {
      const auto r = q.front();
      q.pop_front();
      if (valid(r, want)) return r.job;
    }
    fail("a queue's count says a job waits, but its FIFO has none");
  }

  // ---- execution --------------------------------------------------------------------------
  void prefill_done(std::uint32_t j, std::uint32_t gen) {
    auto& job = jobs_[j];
    if (job.gen != gen || job.state != JobState::Prefill)
      fail("non-preemption: a prefill completion for a job no longer in prefill");
    const auto i = static_cast<std::size_t>(job.klass);
    const auto g = static_cast<std::size_t>(job.gpu);
    --X_[i];
    gpus_[g].prefill = -1;
    if (flex_) switch_mode(g, false);
    refresh(g);
    touch(g);
    ++res_.classes[i].prefills;
    if (counting() && o_.charging == theory::P3Charging::Separate)
      revenue_ += inst_.c_p * inst_.classes[i].prompt;
    notify(ClusterEvent::PrefillDone, j);
    if (pol_.execution == Execution::Coupled) {
      place(j, g, false);
      return serve(g, -1);
    }
    serve(g, static_cast<std::int64_t>(j));
  }

  /// g has room again (a prefill or a decode ended there); `j` (or -1) just finished its
  /// prefill and needs a decode slot. Decode-first: route j, fill g's free slots from its
  /// buffer, then the gate. Prefill-first: the gate takes g's slot before any decode does.
  void serve(std::size_t g, std::int64_t j) {
    const bool prefill_first = pol_.execution == Execution::PrefillFirst;
    if (prefill_first && can_prefill(g)) gate(g);
    if (j >= 0) route(static_cast<std::uint32_t>(j));
    pull(g);
    if (!prefill_first && can_prefill(g)) gate(g);
  }

  void decode_done(std::uint32_t j, std::uint32_t gen) {
    auto& job = jobs_[j];
    if (job.gen != gen) {
      if (superseded_ > 0) {  // rescheduled by a mode switch: its new event is the one
        --superseded_;
        return;
      }
      fail("non-preemption: a decode completion for a job no longer decoding");
    }
    if (job.state != JobState::Decode)
      fail("non-preemption: a decode completion for a job no longer decoding");
    const auto i = static_cast<std::size_t>(job.klass);
    const auto g = static_cast<std::size_t>(job.gpu);
    --gpus_[g].decodes;
    --per_class_decodes_[g * I_ + i];
    --(solo_mode(g) ? Ys_ : Ym_)[i];
    if (flex_) remove_resident(g, j);
    refresh(g);
    touch(g);
    ++res_.classes[i].completions;
    if (counting())
      revenue_ += o_.charging == theory::P3Charging::Bundled
                      ? theory::p3_weight(inst_, i)
                      : inst_.c_d * inst_.classes[i].output;
    notify(ClusterEvent::DecodeDone, j);
    release(j);
    serve(g, -1);
  }

  // ---- routing ----------------------------------------------------------------------------
  /// The decode router. Greedy (section 4.1): a free solo slot (uniformly among solo GPUs
  /// with one), else a free mixed slot, else the buffer. SLI-aware (section 5.1): U ~ U(0,1];
  /// the solo group if U <= p_{s,i}, else the mixed group; a free slot of that group
  /// (uniformly), else that group's buffer. A job never overtakes its buffer's waiting jobs.
  void route(std::uint32_t j) {
    std::uint8_t b = kMixedBuffer;
    const IndexSet* first = &solo_free_;
    const IndexSet* second = &mixed_free_;
    if (pol_.router == Router::Sli) {
      const bool solo = rng_.unit() <= p_solo_[static_cast<std::size_t>(jobs_[j].klass)];
      b = solo ? kSoloBuffer : kMixedBuffer;
      first = solo ? &solo_free_ : &mixed_free_;
      second = nullptr;
    }
    if (buffered_[b] == 0) {
      if (!first->empty()) return place(j, first->pick(rng_), true);
      if (second && !second->empty()) return place(j, second->pick(rng_), true);
    }
    enqueue(j, b);
  }

  void enqueue(std::uint32_t j, std::uint8_t b) {
    const auto i = static_cast<std::size_t>(jobs_[j].klass);
    set_state(j, JobState::WaitDecode);
    jobs_[j].gpu = -1;
    jobs_[j].buffer = b;
    jobs_[j].buffer_seq = buffer_in_++;
    buffer_[b].push_back({j, jobs_[j].gen});
    ++Qd_[i];
    ++buffered_[b];
    notify(ClusterEvent::Buffered, j);
    maybe_abandon(j);
  }

  /// The buffer that g's free decode slots serve: the one buffer, or g's group's (SLI).
  std::uint8_t buffer_of(std::size_t g) const {
    return pol_.router == Router::Sli && solo_mode(g) ? kSoloBuffer : kMixedBuffer;
  }

  /// g's free decode slots take its buffer's head, FCFS across classes.
  void pull(std::size_t g) {
    const auto b = buffer_of(g);
    while (buffered_[b] > 0 && gpus_[g].decodes < capacity(g)) {
      const auto j = pop_valid(buffer_[b], JobState::WaitDecode);
      const auto i = static_cast<std::size_t>(jobs_[j].klass);
      if (o_.check != InvariantCheck::Off) {
        if (jobs_[j].buffer_seq < buffer_out_[b]) fail("FCFS: a decode buffer served out of order");
        buffer_out_[b] = jobs_[j].buffer_seq;
      }
      --Qd_[i];
      --buffered_[b];
      place(j, g, true);
    }
  }

  /// Starts j's decode on g; `routed`: by the router or a buffer (not coupled execution).
  void place(std::uint32_t j, std::size_t g, bool routed) {
    const auto i = static_cast<std::size_t>(jobs_[j].klass);
    const bool solo = solo_mode(g);
    if (o_.check != InvariantCheck::Off) check_placement(j, g, routed);
    set_state(j, JobState::Decode);
    jobs_[j].gpu = static_cast<std::int64_t>(g);
    ++gpus_[g].decodes;
    ++per_class_decodes_[g * I_ + i];
    ++(solo ? Ys_ : Ym_)[i];
    if (flex_) add_resident(g, j);
    refresh(g);
    touch(g);
    notify(ClusterEvent::DecodeStart, j);
    jobs_[j].end = now_ + service(solo ? rates_.mu_s[i] : rates_.mu_m[i]);
    push(jobs_[j].end, Ev::DecodeDone, j, jobs_[j].gen);
  }

  double service(double rate) {
    return o_.service == Service::Exponential ? rng_.exponential(rate) : 1.0 / rate;
  }

  void touch(std::size_t g) {
    const auto v = static_cast<std::int64_t>(g);
    if (touched_[0] == v || touched_[1] == v) return;
    (touched_[0] < 0 ? touched_[0] : touched_[1]) = v;
  }

  void notify(ClusterEvent::Kind k, std::uint32_t j) const {
    if (!o_.observer) return;
    const auto& job = jobs_[j];
    const int buffer = k == ClusterEvent::Buffered ? job.buffer : -1;
    o_.observer->on_event({k, now_, job.klass, job.id, job.gpu, buffer});
  }

  // ---- invariants (papers.md 3.1, 3.10) ---------------------------------------------------
  [[noreturn]] void fail(const std::string& what) const {
    throw std::logic_error(fmt::format("cluster invariant at t = {:.9g}: {}", now_, what));
  }

  /// Admission of class i's job `id` onto g: g can take a prefill (never a solo GPU under
  /// static planning), FCFS within the class, and without a gate the oldest of all classes.
  void check_admission(std::size_t g, std::size_t i, std::int64_t id) {
    if (!can_prefill(g))
      fail(fmt::format("the gate admitted onto GPU {}, which cannot take a prefill ({})", g,
                       !flex_ && g >= M_ ? "solo" : "busy or full"));
    if (id <= last_admitted_[i]) fail(fmt::format("FCFS: class {} admitted out of order", i));
    last_admitted_[i] = id;
    if (pol_.gate != GatePolicy::Fcfs) return;
    for (std::size_t c = 0; c < I_; ++c)
      if (c != i && Qp_[c] > 0 && head_id(c) < id)
        fail(fmt::format("FCFS: no gate, but class {} waits longer than the admitted job", c));
  }

  /// The greedy router never uses a mixed slot while a solo slot is free; a coupled decode
  /// starts on its prefill's GPU.
  void check_placement(std::uint32_t j, std::size_t g, bool routed) const {
    if (routed && pol_.router == Router::Greedy && !solo_mode(g) && !solo_free_.empty())
      fail("router: a decode placed on a mixed GPU while a solo slot is free");
    if (pol_.execution == Execution::Coupled &&
        (routed || jobs_[j].gpu != static_cast<std::int64_t>(g)))
      fail("coupled: a decode started away from its prefill's slot");
  }

  void check_gpu(std::size_t g) const {
    const auto& gpu = gpus_[g];
    const bool solo = solo_mode(g);
    if (gpu.decodes < 0 || gpu.decodes > capacity(g))
      fail(fmt::format("GPU {} ({}) holds {} decodes, cap {}", g, solo ? "solo" : "mixed",
                       gpu.decodes, capacity(g)));
    if (!flex_ && solo && gpu.prefill >= 0) fail(fmt::format("solo GPU {} runs a prefill", g));
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < I_; ++i) sum += per_class_decodes_[g * I_ + i];
    if (sum != gpu.decodes) fail(fmt::format("GPU {}: per-class decodes do not add up", g));
    if (flex_ && static_cast<std::int32_t>(residents_[g].size()) != gpu.decodes)
      fail(fmt::format("GPU {}: its resident list and its decode count differ", g));
    const bool free = gpu.decodes < capacity(g);
    if (solo_free_.contains(g) != (free && solo) || mixed_free_.contains(g) != (free && !solo))
      fail(fmt::format("GPU {}: free-slot set out of date", g));
    if (idle_prefill_.contains(g) != can_prefill(g))
      fail(fmt::format("GPU {}: idle-prefill set out of date", g));
  }

  /// Work conservation: no free decode slot that a non-empty buffer could use (the greedy
  /// buffer: any slot; the SLI buffers: their group's), none at all under coupled execution,
  /// and no idle prefill slot while a prefill queue is non-empty.
  void check_invariants() const {
    for (auto g : touched_)
      if (g >= 0) check_gpu(static_cast<std::size_t>(g));
    const bool sli = pol_.router == Router::Sli;
    if (buffered_[kMixedBuffer] > 0 && !sli && !solo_free_.empty())
      fail("a solo slot idles while the decode buffer is non-empty");
    if (buffered_[kMixedBuffer] > 0 && !mixed_free_.empty())
      fail("a mixed decode slot idles while the (mixed) decode buffer is non-empty");
    if (buffered_[kSoloBuffer] > 0 && !solo_free_.empty())
      fail("a solo slot idles while the solo decode buffer is non-empty");
    if (pol_.execution == Execution::Coupled && buffered_[0] + buffered_[1] > 0)
      fail("coupled execution buffered a decode");
    std::int64_t waiting = 0;
    for (auto q : Qp_) waiting += q;
    if (waiting > 0 && !idle_prefill_.empty())
      fail("a prefill slot idles while a prefill queue is non-empty");
    if (o_.check == InvariantCheck::Full) check_all();
  }

  /// O(n): every GPU, and the class totals recounted from them.
  void check_all() const {
    std::vector<std::int64_t> x(I_, 0), ym(I_, 0), ys(I_, 0);
    for (std::size_t g = 0; g < n_; ++g) {
      check_gpu(g);
      if (gpus_[g].prefill >= 0) ++x[static_cast<std::size_t>(gpus_[g].prefill)];
      for (std::size_t i = 0; i < I_; ++i)
        (solo_mode(g) ? ys : ym)[i] += per_class_decodes_[g * I_ + i];
    }
    for (std::size_t i = 0; i < I_; ++i)
      if (x[i] != X_[i] || ym[i] != Ym_[i] || ys[i] != Ys_[i] || Qp_[i] < 0 || Qd_[i] < 0)
        fail(fmt::format("class {}: totals differ from the GPUs' counts", i));
  }

  const ClusterOptions& o_;
  const ClusterPolicy pol_;
  const ClusterPlan& plan_;
  const theory::P3Instance& inst_;
  const theory::P3Rates rates_;
  const std::size_t I_, n_, M_;
  const std::int32_t B_;
  const bool flex_;         ///< planning None: a GPU's mode follows its prefill slot
  const double gamma_tau_;  ///< mu_s / mu_m, the same for every class
  Rng rng_;
  std::vector<Gpu> gpus_;
  std::vector<std::int32_t> per_class_decodes_;  ///< [gpu * I + class]
  std::vector<std::vector<std::uint32_t>> residents_;  ///< decoding jobs per GPU (flex_ only)
  IndexSet solo_free_, mixed_free_, idle_prefill_;
  std::vector<std::deque<Ref>> prefill_q_;
  std::deque<Ref> buffer_[2];
  std::int64_t buffered_[2] = {0, 0}, buffer_out_[2] = {-1, -1}, buffer_in_ = 0;
  std::int64_t superseded_ = 0;  ///< rescheduled decode events still in the heap
  std::vector<double> p_solo_;
  std::vector<std::int64_t> Qp_, Qd_, X_, Ym_, Ys_;
  std::vector<Area> area_;
  std::vector<std::int64_t> last_admitted_;
  std::vector<int> priority_;
  std::vector<Job> jobs_;
  std::vector<std::uint32_t> free_jobs_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t order_ = 0;
  double now_ = 0.0, last_ = 0.0, revenue_ = 0.0;
  std::int64_t touched_[2] = {-1, -1};
  ClusterResult res_;
};

}  // namespace

ClusterPlan make_plan(const theory::P3LpResult& lp, std::int64_t n) {
  if (!lp.optimal())
    throw std::invalid_argument("cluster: the LP has no optimum to plan from (" +
                                std::string(theory::to_string(lp.status)) + ")");
  ClusterPlan p;
  p.n = n;
  p.mixed = theory::p3_mixed_gpus(lp.sum_x, n);
  for (const auto& c : lp.classes) {
    p.x.push_back(c.x);
    p.q_p.push_back(c.q_p);
    p.y_m.push_back(c.y_m);
    p.y_s.push_back(c.y_s);
  }
  return p;
}

ClusterResult simulate_cluster(const ClusterOptions& options, const ClusterPlan& plan) {
  Simulator sim(options, plan);
  return sim.run();
}

}  // namespace kvcheck::cluster
