// P3's n-GPU simulator (cluster/cluster_sim.h) on the section 6.2 instance at n = 500, both
// policies: simulated requests per second of wall time (target >= 1e5 per core, docs/perf.md).
#include <benchmark/benchmark.h>

#include "cluster/cluster_sim.h"

namespace {

using kvcheck::cluster::ClusterOptions;
using kvcheck::theory::P3Charging;

kvcheck::theory::P3Instance sec62() { return kvcheck::theory::p3_section62_instance(); }

/// Arg 0: n GPUs; arg 1: 0 = Gate-and-Route (bundled), 1 = Prioritize-and-Route (separate).
void BM_ClusterSec62(benchmark::State& state) {
  ClusterOptions o;
  o.instance = sec62();
  const bool separate = state.range(1) == 1;
  o.charging = separate ? P3Charging::Separate : P3Charging::Bundled;
  o.policy = separate ? kvcheck::cluster::GatePolicy::PrioritizeAndRoute
                      : kvcheck::cluster::GatePolicy::GateAndRoute;
  o.horizon = 200;  // 500 GPUs x 1 request per GPU per second x 200 s = ~100,000 requests
  o.warmup = 50;
  const auto plan = kvcheck::cluster::make_plan(kvcheck::theory::solve_p3_lp(o.instance, o.charging),
                                                state.range(0));
  std::int64_t requests = 0, events = 0;
  double ratio = 0;
  for (auto _ : state) {
    o.seed += 1;
    const auto r = kvcheck::cluster::simulate_cluster(o, plan);
    requests += r.requests;
    events += r.events;
    ratio = r.revenue_per_gpu;
    benchmark::DoNotOptimize(ratio);
  }
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ClusterSec62)->Args({500, 0})->Args({500, 1})->Unit(benchmark::kMillisecond);

}  // namespace
