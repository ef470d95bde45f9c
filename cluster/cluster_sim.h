#pragma once
/// \file cluster_sim.h
/// P3's n-GPU system (Lin et al., papers.md 3.1; docs/p3.md) as an event-driven simulation:
/// Poisson arrivals at n lambda_i, a per-class prefill FIFO, M mixed GPUs (one prefill slot
/// reserved, B - 1 decode slots) and n - M solo GPUs (B decode slots), a decode buffer (one
/// FIFO across classes), abandonment at theta_i while waiting, service exponential with Eq. 4's
/// rates or exactly their means. The policy is four dimensions (cluster_policy.h), each rule
/// written once: the gate (section 4.1's xi-index, section 4.2's largest D_i / P_i, or FCFS
/// across classes), the execution (decoupled decode-first, decoupled prefill-first, or coupled:
/// the decode stays in its prefill's slot), the planning (static M mixed / n - M solo, or none:
/// every GPU mixed exactly while it prefills) and the router (greedy: solo first, then mixed,
/// then one buffer; SLI-aware, section 5.1: a class-i decode to the solo group with
/// probability p_{s,i}, each group with its own buffer). A freed decode slot pulls its
/// buffer's head.
///
/// An event touches only the GPUs it concerns: free decode slots and idle prefill slots are
/// index sets (O(1) insert, erase, uniform pick), events a binary heap. Without static
/// planning a GPU that starts or ends a prefill changes the speed of its (at most B) decodes.
#include <cstdint>
#include <string>
#include <vector>

#include "cluster/cluster_policy.h"
#include "theory/p3_lp.h"

namespace kvcheck::cluster {

enum class Service { Exponential, Deterministic };
/// Off; Touched: the GPUs an event changed, the queues and the routing rules, at every event;
/// Full: also every GPU recounted at every event (O(n), for tests).
enum class InvariantCheck { Off, Touched, Full };
/// Debug builds check at every event unless told otherwise; Release builds do not.
#ifdef NDEBUG
inline constexpr InvariantCheck kDefaultInvariantCheck = InvariantCheck::Off;
#else
inline constexpr InvariantCheck kDefaultInvariantCheck = InvariantCheck::Touched;
#endif

/// Static planning (P3 section 4.1): from an LP optimum, M = ceil(n sum x*) mixed GPUs, the
/// gate's targets n x*_i (occupancy) and n q*_{p,i} (the tie rule's Q-dagger), and the decode
/// occupancies y*_m, y*_s the SLI router splits by (sli_split.h; only it reads them). Planning
/// None ignores `mixed`: every GPU may prefill.
struct ClusterPlan {
  std::int64_t n = 1;
  std::int64_t mixed = 0;           ///< M
  std::vector<double> x;            ///< x*_i per GPU
  std::vector<double> q_p;          ///< q*_{p,i} per GPU
  std::vector<double> y_m = {};     ///< y*_{m,i} per GPU
  std::vector<double> y_s = {};     ///< y*_{s,i} per GPU
};
ClusterPlan make_plan(const theory::P3LpResult& lp, std::int64_t n);

/// One event, for tests and traces (the observer is called after the event is applied).
struct ClusterEvent {
  enum Kind { Arrival, PrefillStart, PrefillDone, DecodeStart, DecodeDone, Buffered, Abandon };
  Kind kind = Arrival;
  double time = 0.0;
  int klass = 0;
  std::int64_t job = 0;   ///< arrival order, from 0 (all classes)
  std::int64_t gpu = -1;  ///< -1 when not on a GPU
  int buffer = -1;        ///< Buffered: 0 the buffer (SLI: the mixed group's), 1 the SLI solo one
};
class ClusterObserver {
 public:
  virtual ~ClusterObserver() = default;
  virtual void on_event(const ClusterEvent& e) = 0;
};

struct ClusterOptions {
  theory::P3Instance instance;
  theory::P3Charging charging = theory::P3Charging::Bundled;
  ClusterPolicy policy;      ///< gate, execution, planning, router (cluster_policy.h)
  Service service = Service::Exponential;
  double horizon = 1000.0;   ///< simulated seconds
  double warmup = 0.0;       ///< time averages and revenue count from here
  std::uint64_t seed = 1;
  InvariantCheck check = kDefaultInvariantCheck;
  /// Scripted arrivals (time, class), non-decreasing; empty = Poisson at n lambda_i.
  std::vector<std::pair<double, int>> arrivals;
  ClusterObserver* observer = nullptr;
};

/// Per class, time averages over [warmup, horizon] divided by n (comparable with the LP's
/// per-GPU x, y_m, y_s, q_p, q_d), and counts over the whole run.
struct ClassResult {
  double x = 0, y_m = 0, y_s = 0, q_p = 0, q_d = 0;
  std::int64_t arrivals = 0, prefills = 0, completions = 0, abandoned_prefill = 0,
               abandoned_decode = 0;
};

struct ClusterResult {
  double revenue_per_gpu = 0.0;  ///< per GPU per second over [warmup, horizon] (Eq. 38 / 41)
  std::int64_t n = 0, mixed = 0;
  std::int64_t events = 0, requests = 0;  ///< events processed, requests arrived
  std::vector<ClassResult> classes;
  std::vector<double> p_solo;  ///< the SLI router's p_{s,i} (empty for the greedy router)
};

/// Runs the system. Throws std::logic_error naming the invariant and the time when a check
/// (options.check) fails, std::invalid_argument for an unusable plan, policy (policy_error)
/// or options.
ClusterResult simulate_cluster(const ClusterOptions& options, const ClusterPlan& plan);

}  // namespace kvcheck::cluster
