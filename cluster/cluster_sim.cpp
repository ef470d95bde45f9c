#include "cluster/cluster_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>
#include <stdexcept>

namespace kvcheck::cluster {
namespace {

/// xoshiro256** seeded by splitmix64: fast and the same on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& w : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      w = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const auto result = rotl(s_[1] * 5, 7) * 9;
    const auto t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in (0, 1].
  double unit() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
  double exponential(double rate) { return -std::log(unit()) / rate; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(unit() * static_cast<double>(n)) % n; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

/// A set of GPU indices with O(1) insert, erase, membership and uniform pick.
class IndexSet {
 public:
  explicit IndexSet(std::size_t n) : pos_(n, -1) {}
  bool contains(std::size_t g) const { return pos_[g] >= 0; }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  void insert(std::size_t g) {
    if (contains(g)) return;
    pos_[g] = static_cast<std::int64_t>(items_.size());
    items_.push_back(g);
  }
  void erase(std::size_t g) {
    if (!contains(g)) return;
    const auto p = static_cast<std::size_t>(pos_[g]);
    items_[p] = items_.back();
    pos_[items_[p]] = static_cast<std::int64_t>(p);
    items_.pop_back();
    pos_[g] = -1;
  }
  std::size_t pick(Rng& rng) const { return items_[rng.below(items_.size())]; }
  std::size_t back() const { return items_.back(); }

 private:
  std::vector<std::int64_t> pos_;
  std::vector<std::size_t> items_;
};

enum class JobState : std::uint8_t { Free, WaitPrefill, Prefill, WaitDecode, Decode };

struct Job {
  int klass = 0;
  JobState state = JobState::Free;
  std::uint32_t gen = 0;       ///< bumped at every state change: stale events and queue entries
  std::int64_t id = 0;         ///< arrival order
  std::int64_t gpu = -1;
  std::int64_t buffer_seq = 0; ///< order of entry into the decode buffer
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
  int prefill = -1;      ///< class in the prefill slot, -1 idle (mixed GPUs only)
  std::int32_t decodes = 0;
};

class Simulator {
 public:
  Simulator(const ClusterOptions& o, const ClusterPlan& plan)
      : o_(o), plan_(plan), inst_(o.instance), rates_(theory::p3_service_rates(o.instance)),
        I_(inst_.classes.size()), n_(static_cast<std::size_t>(plan.n)),
        M_(static_cast<std::size_t>(plan.mixed)), B_(static_cast<std::int32_t>(inst_.B)),
        rng_(o.seed), gpus_(n_), per_class_decodes_(n_ * I_, 0), solo_free_(n_),
        mixed_free_(n_), idle_prefill_(n_), prefill_q_(I_), Qp_(I_, 0), Qd_(I_, 0), X_(I_, 0),
        Ym_(I_, 0), Ys_(I_, 0), area_(I_), last_admitted_(I_, -1), res_() {
    validate();
    for (std::size_t g = 0; g < n_; ++g) {
      (g < M_ ? mixed_free_ : solo_free_).insert(g);
      if (g < M_) idle_prefill_.insert(g);
    }
    res_.classes.resize(I_);
    res_.n = plan.n;
    res_.mixed = plan.mixed;
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
      --buffered_;
      ++res_.classes[i].abandoned_decode;
    } else {
      fail("non-preemption: an abandonment hit a job in service");
    }
    notify(ClusterEvent::Abandon, j);
    release(j);
  }

  /// The prefill gate on mixed GPU g, whose prefill slot is idle: one class by the policy,
  /// its head-of-line job (FCFS), non-preemptive.
  void gate(std::size_t g) {
    const int k = o_.policy == GatePolicy::GateAndRoute ? xi_choice() : priority_choice();
    if (k < 0) return;
    const auto i = static_cast<std::size_t>(k);
    const auto j = pop_valid(prefill_q_[i], JobState::WaitPrefill);
    --Qp_[i];
    ++X_[i];
    check_fcfs(i, jobs_[j].id);
    set_state(j, JobState::Prefill);
    jobs_[j].gpu = static_cast<std::int64_t>(g);
    gpus_[g].prefill = k;
    idle_prefill_.erase(g);
    touch(g);
    notify(ClusterEvent::PrefillStart, j);
    push(now_ + service(rates_.mu_p[i]), Ev::PrefillDone, j, jobs_[j].gen);
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

  std::uint32_t pop_valid(std::deque<Ref>& q, JobState want) {
    while (!q.empty()) {
      const auto r = q.front();
      q.pop_front();
      if (jobs_[r.job].gen == r.gen && jobs_[r.job].state == want) return r.job;
    }
    fail("a queue's count says a job waits, but its FIFO has none");
  }

  void prefill_done(std::uint32_t j, std::uint32_t gen) {
    auto& job = jobs_[j];
    if (job.gen != gen || job.state != JobState::Prefill)
      fail("non-preemption: a prefill completion for a job no longer in prefill");
    const auto i = static_cast<std::size_t>(job.klass);
    const auto g = static_cast<std::size_t>(job.gpu);
    --X_[i];
    gpus_[g].prefill = -1;
    idle_prefill_.insert(g);
    touch(g);
    ++res_.classes[i].prefills;
    if (counting() && o_.charging == theory::P3Charging::Separate)
      revenue_ += inst_.c_p * inst_.classes[i].prompt;
    notify(ClusterEvent::PrefillDone, j);
    route(j);
    gate(g);
  }

  /// The decode router: a free solo slot (uniformly among solo GPUs with one), else a free
  /// mixed slot, else the decode buffer.
  void route(std::uint32_t j) {
    if (!solo_free_.empty()) return place(j, solo_free_.pick(rng_));
    if (!mixed_free_.empty()) return place(j, mixed_free_.pick(rng_));
    const auto i = static_cast<std::size_t>(jobs_[j].klass);
    set_state(j, JobState::WaitDecode);
    jobs_[j].gpu = -1;
    jobs_[j].buffer_seq = buffer_in_++;
    buffer_.push_back({j, jobs_[j].gen});
    ++Qd_[i];
    ++buffered_;
    notify(ClusterEvent::Buffered, j);
    maybe_abandon(j);
  }

  std::int32_t capacity(std::size_t g) const { return g < M_ ? B_ - 1 : B_; }

  void place(std::uint32_t j, std::size_t g) {
    const auto i = static_cast<std::size_t>(jobs_[j].klass);
    const bool solo = g >= M_;
    if (o_.check != InvariantCheck::Off && !solo && !solo_free_.empty())
      fail("router: a decode placed on a mixed GPU while a solo slot is free");
    set_state(j, JobState::Decode);
    jobs_[j].gpu = static_cast<std::int64_t>(g);
    auto& gpu = gpus_[g];
    ++gpu.decodes;
    ++per_class_decodes_[g * I_ + i];
    ++(solo ? Ys_ : Ym_)[i];
    if (gpu.decodes >= capacity(g)) (solo ? solo_free_ : mixed_free_).erase(g);
    touch(g);
    notify(ClusterEvent::DecodeStart, j);
    push(now_ + service(solo ? rates_.mu_s[i] : rates_.mu_m[i]), Ev::DecodeDone, j, jobs_[j].gen);
  }

  void decode_done(std::uint32_t j, std::uint32_t gen) {
    auto& job = jobs_[j];
    if (job.gen != gen || job.state != JobState::Decode)
      fail("non-preemption: a decode completion for a job no longer decoding");
    const auto i = static_cast<std::size_t>(job.klass);
    const auto g = static_cast<std::size_t>(job.gpu);
    const bool solo = g >= M_;
    auto& gpu = gpus_[g];
    --gpu.decodes;
    --per_class_decodes_[g * I_ + i];
    --(solo ? Ys_ : Ym_)[i];
    (solo ? solo_free_ : mixed_free_).insert(g);
    touch(g);
    ++res_.classes[i].completions;
    if (counting())
      revenue_ += o_.charging == theory::P3Charging::Bundled
                      ? theory::p3_weight(inst_, i)
                      : inst_.c_d * inst_.classes[i].output;
    notify(ClusterEvent::DecodeDone, j);
    release(j);
    if (buffered_ > 0) pull_buffer(g);
  }

  /// The decode buffer's head (FCFS across classes) into the slot that just freed on g.
  void pull_buffer(std::size_t g) {
    const auto j = pop_valid(buffer_, JobState::WaitDecode);
    const auto i = static_cast<std::size_t>(jobs_[j].klass);
    if (o_.check != InvariantCheck::Off) {
      if (jobs_[j].buffer_seq < buffer_out_) fail("FCFS: the decode buffer served out of order");
      buffer_out_ = jobs_[j].buffer_seq;
    }
    --Qd_[i];
    --buffered_;
    place(j, g);
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
    o_.observer->on_event({k, now_, job.klass, job.id, job.gpu});
  }

  // ---- invariants (papers.md 3.1, 3.10) ---------------------------------------------------
  [[noreturn]] void fail(const std::string& what) const {
    throw std::logic_error(fmt::format("cluster invariant at t = {:.9g}: {}", now_, what));
  }

  void check_fcfs(std::size_t i, std::int64_t id) {
    if (o_.check == InvariantCheck::Off) return;
    if (id <= last_admitted_[i]) fail(fmt::format("FCFS: class {} admitted out of order", i));
    last_admitted_[i] = id;
  }

  void check_gpu(std::size_t g) const {
    const auto& gpu = gpus_[g];
    const bool solo = g >= M_;
    if (gpu.decodes < 0 || gpu.decodes > capacity(g))
      fail(fmt::format("GPU {} ({}) holds {} decodes, cap {}", g, solo ? "solo" : "mixed",
                       gpu.decodes, capacity(g)));
    if (solo && gpu.prefill >= 0) fail(fmt::format("solo GPU {} runs a prefill", g));
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < I_; ++i) sum += per_class_decodes_[g * I_ + i];
    if (sum != gpu.decodes) fail(fmt::format("GPU {}: per-class decodes do not add up", g));
    const auto& free = solo ? solo_free_ : mixed_free_;
    if (free.contains(g) != (gpu.decodes < capacity(g)))
      fail(fmt::format("GPU {}: free-slot set out of date", g));
    if (!solo && idle_prefill_.contains(g) != (gpu.prefill < 0))
      fail(fmt::format("GPU {}: idle-prefill set out of date", g));
  }

  void check_invariants() const {
    for (auto g : touched_)
      if (g >= 0) check_gpu(static_cast<std::size_t>(g));
    if (buffered_ > 0 && !solo_free_.empty())
      fail("a solo slot idles while the decode buffer is non-empty");
    if (buffered_ > 0 && !mixed_free_.empty())
      fail("a mixed decode slot idles while the decode buffer is non-empty");
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
        (g < M_ ? ym : ys)[i] += per_class_decodes_[g * I_ + i];
    }
    for (std::size_t i = 0; i < I_; ++i)
      if (x[i] != X_[i] || ym[i] != Ym_[i] || ys[i] != Ys_[i] || Qp_[i] < 0 || Qd_[i] < 0)
        fail(fmt::format("class {}: totals differ from the GPUs' counts", i));
  }

  const ClusterOptions& o_;
  const ClusterPlan& plan_;
  const theory::P3Instance& inst_;
  const theory::P3Rates rates_;
  const std::size_t I_, n_, M_;
  const std::int32_t B_;
  Rng rng_;
  std::vector<Gpu> gpus_;
  std::vector<std::int32_t> per_class_decodes_;  ///< [gpu * I + class]
  IndexSet solo_free_, mixed_free_, idle_prefill_;
  std::vector<std::deque<Ref>> prefill_q_;
  std::deque<Ref> buffer_;
  std::int64_t buffered_ = 0, buffer_in_ = 0, buffer_out_ = -1;
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

const char* to_string(GatePolicy p) {
  return p == GatePolicy::GateAndRoute ? "gate_and_route" : "prioritize_and_route";
}

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
  }
  return p;
}

ClusterResult simulate_cluster(const ClusterOptions& options, const ClusterPlan& plan) {
  Simulator sim(options, plan);
  return sim.run();
}

}  // namespace kvcheck::cluster
