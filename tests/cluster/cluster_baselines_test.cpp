// P3 section 6.3's policy dimensions (cluster/cluster_policy.h) in the simulator: coupled,
// decode-first and prefill-first execution without static planning worked out by hand on one
// GPU, the FCFS (no gate) admission by hand, coupled decodes never leaving their prefill's GPU,
// the invariants at every event for every named policy, and the names themselves.
#include <gtest/gtest.h>

#include <stdexcept>

#include "cluster/cluster_policy.h"
#include "cluster/cluster_sim.h"
#include "cluster_test_util.h"

namespace kvcheck::cluster {
namespace {

using testing::deterministic;
using testing::Recorder;
using testing::small;
using K = ClusterEvent;

const ClusterPolicy kDecodeFirstWsp{GatePolicy::GateAndRoute, Execution::DecodeFirst,
                                    Planning::None, Router::Greedy};

ClusterPolicy named(const char* name) {
  const auto p = find_policy(name);
  if (!p) throw std::invalid_argument(name);
  return *p;
}

// One GPU without static planning, B = 2, tau = 1, gamma = 2 (gamma tau = 2), P = 4 (prefill
// 2 s), D = 3 (3 s mixed, 1.5 s solo); three arrivals at 0. The GPU is mixed (one decode
// slot, decodes at 1 token/s) while it prefills, solo (two slots, 2 tokens/s) otherwise, and a
// mode switch rescales each running decode's remaining time (x 2 to mixed, / 2 to solo).
// Coupled (fi_wsp) and decoupled decode-first alike (the one GPU is the only place to go):
//   0-2   job 0 prefills.
//   2     job 0 decodes on the GPU (solo: until 3.5); the slot left starts job 1's prefill, the
//         GPU turns mixed: job 0's 1.5 s left become 3 s, until 5.
//   4     job 1's prefill ends: solo again, job 0's 1 s left become 0.5 s (until 4.5); job 1
//         decodes (solo, 1.5 s: until 5.5); both slots full, job 2 waits.
//   4.5   job 0 done; job 2 prefills (until 6.5), mixed: job 1's 1 s left become 2 s, until 6.5.
//   6.5   job 1 done; job 2 decodes, solo, until 8.
// Areas over 100 s: prefill [0, 6.5] less [4, 4.5] = 6 s; mixed decodes: job 0 over [2, 4],
// job 1 over [4.5, 6.5] = 4; solo decodes: jobs 0 and 1 over [4, 4.5], job 2 over [6.5, 8] = 2.5.
TEST(ClusterBaselines, CoupledAndDecodeFirstOnOneGpuByHand) {
  for (const auto& policy : {named("fi_wsp"), named("gi_wsp"), kDecodeFirstWsp}) {
    Recorder rec;
    auto o = deterministic(small(3), {{0, 0}, {0, 0}, {0, 0}});
    o.policy = policy;
    o.observer = &rec;
    const auto r = simulate_cluster(o, ClusterPlan{1, 1, {0.2}, {0.0}});
    const auto name = to_string(policy);
    EXPECT_DOUBLE_EQ(rec.time(0, K::DecodeStart), 2.0) << name;
    EXPECT_DOUBLE_EQ(rec.time(0, K::DecodeDone), 4.5) << name;
    EXPECT_DOUBLE_EQ(rec.time(1, K::PrefillStart), 2.0) << name;
    EXPECT_DOUBLE_EQ(rec.time(1, K::DecodeStart), 4.0) << name;
    EXPECT_DOUBLE_EQ(rec.time(1, K::DecodeDone), 6.5) << name;
    EXPECT_DOUBLE_EQ(rec.time(2, K::PrefillStart), 4.5) << name;
    EXPECT_DOUBLE_EQ(rec.time(2, K::DecodeDone), 8.0) << name;
    EXPECT_FALSE(rec.saw(1, K::Buffered)) << name;
    EXPECT_EQ(r.mixed, 0) << name;  // no static planning
    EXPECT_DOUBLE_EQ(r.classes[0].x, 0.06) << name;
    EXPECT_DOUBLE_EQ(r.classes[0].y_m, 0.04) << name;
    EXPECT_DOUBLE_EQ(r.classes[0].y_s, 0.025) << name;
    EXPECT_DOUBLE_EQ(r.classes[0].q_d, 0.0) << name;
  }
}

// The same instance, decoupled prefill-first (gf_wsp): a freed slot starts a prefill before
// any decode takes it.
//   2     job 0's prefill ends; job 1's prefill takes the slot first (mixed: one decode slot);
//         job 0 gets that mixed slot, 3 s: until 5.
//   4     job 1's prefill ends (solo: job 0 until 4.5), job 2's prefill takes the slot at
//         once (mixed again: job 0 until 5); job 1 finds no free slot: the buffer.
//   5     job 0 done: job 1 leaves the buffer for the mixed slot (3 s: until 8).
//   6     job 2's prefill ends: solo, job 1's 2 s left become 1 s (until 7); job 2 decodes
//         solo until 7.5.
// Areas: prefill [0, 6] = 6 s; mixed decodes: job 0 over [2, 5], job 1 over [5, 6] = 4; solo:
// job 1 over [6, 7], job 2 over [6, 7.5] = 2.5; the buffer: job 1 over [4, 5] = 1.
TEST(ClusterBaselines, PrefillFirstOnOneGpuByHand) {
  Recorder rec;
  auto o = deterministic(small(3), {{0, 0}, {0, 0}, {0, 0}});
  o.policy = named("gf_wsp");
  o.observer = &rec;
  const auto r = simulate_cluster(o, ClusterPlan{1, 1, {0.2}, {0.0}});
  EXPECT_DOUBLE_EQ(rec.time(1, K::PrefillStart), 2.0);
  EXPECT_DOUBLE_EQ(rec.time(0, K::DecodeStart), 2.0);
  EXPECT_DOUBLE_EQ(rec.time(0, K::DecodeDone), 5.0);
  EXPECT_DOUBLE_EQ(rec.time(2, K::PrefillStart), 4.0);
  EXPECT_DOUBLE_EQ(rec.time(1, K::Buffered), 4.0);
  EXPECT_DOUBLE_EQ(rec.time(1, K::DecodeStart), 5.0);
  EXPECT_DOUBLE_EQ(rec.time(1, K::DecodeDone), 7.0);
  EXPECT_DOUBLE_EQ(rec.time(2, K::DecodeStart), 6.0);
  EXPECT_DOUBLE_EQ(rec.time(2, K::DecodeDone), 7.5);
  EXPECT_DOUBLE_EQ(r.classes[0].x, 0.06);
  EXPECT_DOUBLE_EQ(r.classes[0].y_m, 0.04);
  EXPECT_DOUBLE_EQ(r.classes[0].y_s, 0.025);
  EXPECT_DOUBLE_EQ(r.classes[0].q_d, 0.01);
}

// No gate (fg_sp's admission) against the two gates, on two mixed GPUs (n = M = 2, x* = (0.5,
// 0.5)). Class 0 "long" (P = 8: 4 s prefill, D = 9), class 1 "short" (P = 4: 2 s, D = 1).
// Job 0 (short) and job 1 (long) arrive at 0 and start; job 2 (short) at 0.5, job 3 (long) at
// 0.6. At 2 job 0's slot frees with X = (1, 0): FCFS takes job 2 (the oldest), xi too (short
// is below its target: -2 < 0), Prioritize-and-Route job 3 (D / P: 9/8 > 1/4). The other
// starts at 4, when both slots free.
TEST(ClusterBaselines, NoGateTakesTheOldestOfAnyClass) {
  theory::P3Instance inst = small(9);
  inst.classes = {{"long", 8, 9, 0.1, 0.0}, {"short", 4, 1, 0.1, 0.0}};
  for (auto gate : {GatePolicy::Fcfs, GatePolicy::GateAndRoute, GatePolicy::PrioritizeAndRoute}) {
    Recorder rec;
    auto o = deterministic(inst, {{0, 1}, {0, 0}, {0.5, 1}, {0.6, 0}});
    o.policy = gate;
    o.observer = &rec;
    (void)simulate_cluster(o, ClusterPlan{2, 2, {0.5, 0.5}, {0.0, 0.0}});
    const bool oldest = gate != GatePolicy::PrioritizeAndRoute;
    EXPECT_DOUBLE_EQ(rec.time(2, K::PrefillStart), oldest ? 2.0 : 4.0) << to_string(gate);
    EXPECT_DOUBLE_EQ(rec.time(3, K::PrefillStart), oldest ? 4.0 : 2.0) << to_string(gate);
  }
}

/// A run of the section 6.2 instance on n GPUs, exponential service, every event checked.
ClusterOptions sec62_run(const ClusterPolicy& p, std::uint64_t seed, double horizon) {
  ClusterOptions o;
  o.instance = theory::p3_section62_instance();
  o.charging = theory::P3Charging::Bundled;
  o.policy = p;
  o.horizon = horizon;
  o.seed = seed;
  o.check = InvariantCheck::Full;
  return o;
}

// Coupled execution keeps every decode on its prefill's GPU and never buffers; decoupled
// execution without planning routes some decodes elsewhere (uniformly among the solo GPUs
// with a free slot), and prefill-first buffers some. n = 4, 200 s: about 800 requests.
TEST(ClusterBaselines, CoupledDecodesStayOnTheirPrefillGpu) {
  const auto lp = theory::solve_p3_lp(theory::p3_section62_instance(), theory::P3Charging::Bundled);
  const auto plan = make_plan(lp, 4);
  for (const char* name : {"fi_wsp", "gi_wsp", "gf_wsp"}) {
    Recorder rec;
    auto o = sec62_run(named(name), 3, 200);
    o.observer = &rec;
    (void)simulate_cluster(o, plan);
    int moved = 0, decodes = 0, buffered = 0;
    for (const auto& e : rec.all) {
      buffered += e.kind == K::Buffered;
      if (e.kind != K::DecodeStart) continue;
      ++decodes;
      moved += e.gpu != rec.gpu(e.job, K::PrefillStart);
    }
    const bool coupled = std::string(name) != "gf_wsp";
    EXPECT_GT(decodes, 100) << name;
    EXPECT_EQ(moved == 0, coupled) << name << ": " << moved << " of " << decodes << " moved";
    EXPECT_EQ(buffered == 0, coupled) << name << ": " << buffered << " buffered";
  }
}

// Every named policy and every runnable combination of the four dimensions keeps the model's
// invariants at every event (every GPU recounted) on random small instances, with abandonment
// and both service laws.
TEST(ClusterBaselines, InvariantsHoldForEveryPolicy) {
  std::uint64_t s = 987654321;
  auto draw = [&s](int lo, int hi) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<int>((s >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  std::vector<ClusterPolicy> policies;
  for (auto g : {GatePolicy::GateAndRoute, GatePolicy::PrioritizeAndRoute, GatePolicy::Fcfs})
    for (auto e : {Execution::DecodeFirst, Execution::PrefillFirst, Execution::Coupled})
      for (auto p : {Planning::Static, Planning::None})
        for (auto r : {Router::Greedy, Router::Sli})
          if (policy_error({g, e, p, r}).empty()) policies.push_back({g, e, p, r});
  ASSERT_EQ(policies.size(), 3u * (4 + 3));  // static: 2 executions x 2 routers; none: 3 x greedy
  for (std::size_t run = 0; run < 3 * policies.size(); ++run) {
    const auto inst = testing::random_instance(draw);
    ClusterOptions o;
    o.instance = inst;
    o.charging = run % 2 ? theory::P3Charging::Separate : theory::P3Charging::Bundled;
    o.policy = policies[run % policies.size()];
    o.service = run % 4 ? Service::Exponential : Service::Deterministic;
    o.horizon = 60;
    o.seed = static_cast<std::uint64_t>(run);
    o.check = InvariantCheck::Full;
    const auto lp = theory::solve_p3_lp(inst, o.charging);
    if (!lp.optimal()) continue;
    auto plan = make_plan(lp, draw(1, 6));
    if (run % 5 == 0) plan.mixed = draw(0, static_cast<int>(plan.n));
    EXPECT_NO_THROW((void)simulate_cluster(o, plan)) << "run " << run << " " << to_string(o.policy);
  }
}

TEST(ClusterBaselines, NamesAndCombinations) {
  EXPECT_EQ(named("gg_sp"), named("gate_and_route"));
  EXPECT_EQ(named("fi_wsp"),
            ClusterPolicy(GatePolicy::Fcfs, Execution::Coupled, Planning::None, Router::Greedy));
  EXPECT_EQ(named("gi_wsp").gate, GatePolicy::GateAndRoute);
  EXPECT_EQ(named("gf_wsp").execution, Execution::PrefillFirst);
  EXPECT_EQ(named("fg_sp"), ClusterPolicy(GatePolicy::Fcfs, Execution::DecodeFirst,
                                          Planning::Static, Router::Greedy));
  EXPECT_EQ(named("sli_gate_and_route").router, Router::Sli);
  EXPECT_FALSE(find_policy("fcfs").has_value());
  for (const auto& row : named_policies()) EXPECT_EQ(policy_error(row.policy), "") << row.name;
  // The first name of a policy names it; an unnamed combination is spelled out.
  EXPECT_EQ(to_string(named("gg_sp")), "gate_and_route");
  EXPECT_EQ(to_string(kDecodeFirstWsp), "gate_and_route/decode_first/none/greedy");
  // Coupled needs no planning; the SLI router needs static planning and decoupled execution.
  auto o = deterministic(small(3), {{0, 0}});
  const ClusterPlan plan{1, 1, {0.2}, {0.0}, {0.0}, {1.0}};
  o.policy = {GatePolicy::Fcfs, Execution::Coupled, Planning::Static, Router::Greedy};
  EXPECT_THROW((void)simulate_cluster(o, plan), std::invalid_argument);
  o.policy = {GatePolicy::GateAndRoute, Execution::PrefillFirst, Planning::None, Router::Sli};
  EXPECT_THROW((void)simulate_cluster(o, plan), std::invalid_argument);
  o.policy = named("sli_gate_and_route");
  EXPECT_NO_THROW((void)simulate_cluster(o, plan));
  EXPECT_THROW((void)simulate_cluster(o, ClusterPlan{1, 1, {0.2}, {0.0}}), std::invalid_argument);
}

}  // namespace
}  // namespace kvcheck::cluster

namespace kvcheck::cluster {
namespace {

/// Revenue / R~* on section 6.2's instance (separate charging, LP (42)), n GPUs, mean of seeds
/// 1 and 2, 800 s averaged after 200 s.
double sec62_ratio(const char* name, std::int64_t n) {
  const auto inst = theory::p3_section62_instance();
  const auto lp = theory::solve_p3_lp(inst, theory::P3Charging::Separate);
  double sum = 0.0;
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    ClusterOptions o;
    o.instance = inst;
    o.charging = theory::P3Charging::Separate;
    o.policy = named(name);
    o.horizon = 1000;
    o.warmup = 200;
    o.seed = seed;
    o.check = InvariantCheck::Off;  // checked at every event above; here only the revenue counts
    sum += simulate_cluster(o, make_plan(lp, n)).revenue_per_gpu / lp.objective;
  }
  return sum / 2.0;
}

// Fig. 7's ordering (papers.md 3.7: "GG-SP best", "GI-WSP meaningfully better than FI-WSP"; the
// bar heights are not in the text) on section 6.2's instance at n = 200, where kvcheck's model
// gives, over seeds 1-3, GG-SP 0.989, GI-WSP 0.982, FI-WSP 0.975 (docs/reproductions.md). One
// run's seed spread is about +-0.003, so the two-seed means must differ by 0.002 (the gaps are
// about 0.007). GF-WSP (0.999) beats GG-SP in this model, against the paper: not asserted, see
// docs/p3.md for why.
TEST(ClusterBaselinesSlow, Fig7OrderingOnSection62) {
  const double gg = sec62_ratio("gg_sp", 200), gi = sec62_ratio("gi_wsp", 200),
               fi = sec62_ratio("fi_wsp", 200);
  EXPECT_GT(gg, gi + 0.002) << "GG-SP " << gg << ", GI-WSP " << gi;
  EXPECT_GT(gi, fi + 0.002) << "GI-WSP " << gi << ", FI-WSP " << fi;
}

}  // namespace
}  // namespace kvcheck::cluster
