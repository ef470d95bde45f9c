// P3's n-GPU simulator (cluster/cluster_sim.h): hand-computed deterministic runs, the model's
// invariants at every event on random instances, and revenue / R* approaching 1 as n grows.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "cluster/cluster_sim.h"
#include "cluster_test_util.h"

namespace kvcheck::cluster {
namespace {

using theory::P3Charging;

using testing::deterministic;
using testing::Recorder;
using testing::small;

// n = 1: one mixed GPU (M = ceil(1 x 0.2) = 1), one prefill and B - 1 = 1 decode at a time.
// Arrivals at 0, 0.5, 1; prefill 2 s, decode D tau = 3 s.
//   job 0: prefill [0, 2], decode [2, 5]
//   job 1: prefill [2, 4], slot busy until 5: buffer, decode [5, 8]
//   job 2: prefill [4, 6], buffer behind job 1, decode [8, 11]
TEST(ClusterSim, OneMixedGpuByHand) {
  Recorder rec;
  auto o = deterministic(small(3), {{0.0, 0}, {0.5, 0}, {1.0, 0}});
  o.observer = &rec;
  const ClusterPlan plan{1, 1, {0.2}, {0.0}};
  const auto r = simulate_cluster(o, plan);
  EXPECT_DOUBLE_EQ(rec.time(0, ClusterEvent::PrefillDone), 2.0);
  EXPECT_DOUBLE_EQ(rec.time(0, ClusterEvent::DecodeDone), 5.0);
  EXPECT_DOUBLE_EQ(rec.time(1, ClusterEvent::PrefillStart), 2.0);
  EXPECT_DOUBLE_EQ(rec.time(1, ClusterEvent::Buffered), 4.0);
  EXPECT_DOUBLE_EQ(rec.time(1, ClusterEvent::DecodeStart), 5.0);
  EXPECT_DOUBLE_EQ(rec.time(1, ClusterEvent::DecodeDone), 8.0);
  EXPECT_DOUBLE_EQ(rec.time(2, ClusterEvent::PrefillDone), 6.0);
  EXPECT_DOUBLE_EQ(rec.time(2, ClusterEvent::DecodeDone), 11.0);
  // Bundled: w = 1 x 4 + 1 x 3 = 7 per completion, 3 completions over 100 s on 1 GPU.
  EXPECT_DOUBLE_EQ(r.revenue_per_gpu, 21.0 / 100.0);
  // Prefill busy [0, 6]: time-average 6 / 100; the buffer holds [4, 5] and [6, 8]: 3 / 100.
  EXPECT_DOUBLE_EQ(r.classes[0].x, 0.06);
  EXPECT_DOUBLE_EQ(r.classes[0].q_d, 0.03);
}

// n = 2, M = 1: GPU 0 mixed (1 decode slot, D tau = 9 s), GPU 1 solo (2 slots, D / gamma =
// 4.5 s). Five arrivals at 0; prefills back to back: [0,2], [2,4], [4,6], [6,8], [8,10].
//   job 0: solo [2, 6.5]; job 1: solo [4, 8.5]; job 2: solo full (until 6.5): mixed [6, 15];
//   job 3: solo (job 0 left at 6.5) [8, 12.5]; job 4: solo (job 1 left at 8.5) [10, 14.5].
TEST(ClusterSim, SoloFirstThenMixedByHand) {
  Recorder rec;
  auto o = deterministic(small(9), {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}});
  o.observer = &rec;
  const ClusterPlan plan{2, 1, {0.2}, {0.0}};
  (void)simulate_cluster(o, plan);
  const double done[] = {6.5, 8.5, 15, 12.5, 14.5};
  const std::int64_t gpu[] = {1, 1, 0, 1, 1};
  for (std::int64_t j = 0; j < 5; ++j) {
    EXPECT_DOUBLE_EQ(rec.time(j, ClusterEvent::PrefillDone), 2.0 * static_cast<double>(j + 1)) << j;
    EXPECT_DOUBLE_EQ(rec.time(j, ClusterEvent::DecodeDone), done[j]) << j;
    EXPECT_EQ(rec.gpu(j, ClusterEvent::DecodeStart), gpu[j]) << j;
  }
}

// Two classes, x* = (0.5, 0.5) on n = 2 with M = 1: the gate admits by xi. Arrivals at 0 of
// class 0, then classes 0 and 1 at 0.5. At 2 the slot frees with X = (0, 0): xi = -2 for both,
// tie to the larger delta = Q_p - n q*_p: class 1 (q* = (1, 0): deltas 1 - 2 = -1 vs 1 - 0 = 1).
// Prioritize-and-Route takes class 0 (D / P = 9 / 4 over 1 / 4); no gate (FCFS) takes job 1,
// the older of the two arrivals at 0.5 (arrival order breaks the tie in time).
TEST(ClusterSim, GateUsesThePlanAndItsTieRule) {
  auto inst = small(9);
  inst.classes.push_back({"d", 4, 1, 0.1, 0.0});
  for (auto policy : {GatePolicy::GateAndRoute, GatePolicy::PrioritizeAndRoute, GatePolicy::Fcfs}) {
    Recorder rec;
    auto o = deterministic(inst, {{0, 0}, {0.5, 0}, {0.5, 1}});
    o.policy = policy;
    o.observer = &rec;
    const ClusterPlan plan{2, 1, {0.5, 0.5}, {1.0, 0.0}};
    (void)simulate_cluster(o, plan);
    const bool gate = policy == GatePolicy::GateAndRoute;
    EXPECT_DOUBLE_EQ(rec.time(gate ? 2 : 1, ClusterEvent::PrefillStart), 2.0) << to_string(policy);
    EXPECT_DOUBLE_EQ(rec.time(gate ? 1 : 2, ClusterEvent::PrefillStart), 4.0) << to_string(policy);
  }
}

// xi on two mixed GPUs (n = M = 2, x* = (0.5, 0.5): targets n x* = (1, 1)). Class 0 "long"
// (P = 8: 4 s prefill, D = 9), class 1 "short" (P = 4: 2 s, D = 1). Job 0 (short) and job 1
// (long) start at 0; job 2 (long) arrives at 0.5, job 3 (short) at 0.6. At 2 job 0's slot frees
// with X = (1, 0): xi = (1 - 1) / 0.5 = 0 for long, (0 - 1) / 0.5 = -2 for short, so job 3 goes
// first although job 2 came first (FCFS binds within a class only); job 2 follows at 4.
// Prioritize-and-Route takes the largest D / P, long (9/8 > 1/4): job 2 at 2, job 3 at 4. No
// gate (FCFS) takes the oldest waiting request, job 2 (0.5 before 0.6), at 2 as well.
TEST(ClusterSim, GatePrefersTheClassBelowItsTarget) {
  theory::P3Instance inst = small(9);
  inst.classes = {{"long", 8, 9, 0.1, 0.0}, {"short", 4, 1, 0.1, 0.0}};
  for (auto policy : {GatePolicy::GateAndRoute, GatePolicy::PrioritizeAndRoute, GatePolicy::Fcfs}) {
    Recorder rec;
    auto o = deterministic(inst, {{0, 1}, {0, 0}, {0.5, 0}, {0.6, 1}});
    o.policy = policy;
    o.observer = &rec;
    const ClusterPlan plan{2, 2, {0.5, 0.5}, {0.0, 0.0}};
    (void)simulate_cluster(o, plan);
    const bool gate = policy == GatePolicy::GateAndRoute;
    EXPECT_DOUBLE_EQ(rec.time(3, ClusterEvent::PrefillStart), gate ? 2.0 : 4.0) << to_string(policy);
    EXPECT_DOUBLE_EQ(rec.time(2, ClusterEvent::PrefillStart), gate ? 4.0 : 2.0) << to_string(policy);
  }
}

// The model's invariants at every event (every GPU recounted) on random small instances, both
// policies, both service laws, with abandonment.
TEST(ClusterSim, InvariantsHoldOnRandomInstances) {
  std::uint64_t s = 12345;
  auto draw = [&s](int lo, int hi) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<int>((s >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  for (int run = 0; run < 40; ++run) {
    const auto inst = testing::random_instance(draw);
    ClusterOptions o;
    o.instance = inst;
    o.charging = run % 2 ? P3Charging::Separate : P3Charging::Bundled;
    o.policy = run % 3 ? GatePolicy::GateAndRoute : GatePolicy::PrioritizeAndRoute;
    o.service = run % 4 ? Service::Exponential : Service::Deterministic;
    o.horizon = 60;
    o.seed = static_cast<std::uint64_t>(run);
    o.check = InvariantCheck::Full;
    auto lp = theory::solve_p3_lp(inst, o.charging);
    if (!lp.optimal()) continue;  // theta_i = 0 with overload
    const auto n = draw(1, 6);
    auto plan = make_plan(lp, n);
    if (run % 5 == 0) plan.mixed = draw(0, n);  // any partition keeps the invariants
    EXPECT_NO_THROW((void)simulate_cluster(o, plan)) << "run " << run;
  }
}

double revenue_ratio(std::int64_t n, P3Charging ch, GatePolicy policy, std::uint64_t seed) {
  const auto inst = theory::p3_section62_instance();  // P3 section 6.2
  const auto lp = theory::solve_p3_lp(inst, ch);
  ClusterOptions o;
  o.instance = inst;
  o.charging = ch;
  o.policy = policy;
  o.horizon = 400;
  o.warmup = 100;
  o.seed = seed;
  o.check = InvariantCheck::Touched;
  return simulate_cluster(o, make_plan(lp, n)).revenue_per_gpu / lp.objective;
}

// Theorems 4.1 / 4.2: per-GPU revenue tends to R* as n grows (seeds fixed; loose bounds).
TEST(ClusterSim, RevenueApproachesTheLpOptimumAsNGrows) {
  for (auto [ch, policy] : {std::pair{P3Charging::Bundled, GatePolicy::GateAndRoute},
                            std::pair{P3Charging::Separate, GatePolicy::PrioritizeAndRoute}}) {
    const double small_n = revenue_ratio(5, ch, policy, 7);
    const double large_n = revenue_ratio(200, ch, policy, 7);
    EXPECT_GT(large_n, 0.95) << to_string(policy);
    EXPECT_LT(large_n, 1.02) << to_string(policy);
    EXPECT_LT(std::abs(1.0 - large_n), std::abs(1.0 - small_n)) << to_string(policy);
  }
}

TEST(ClusterSim, RejectsAPlanThatDoesNotFit) {
  ClusterOptions o;
  o.instance = small(3);
  EXPECT_THROW((void)simulate_cluster(o, ClusterPlan{2, 3, {0.2}, {0.0}}), std::invalid_argument);
  EXPECT_THROW((void)simulate_cluster(o, ClusterPlan{2, 1, {}, {}}), std::invalid_argument);
}

}  // namespace
}  // namespace kvcheck::cluster
