// Data-driven over configs/: every shipped config loads and builds its workload; every policy has
// a *_safe and a *_unsafe twin; every config that declares [meta] expect simulates with the exit
// code that verdict implies (ok -> 0, a safety property -> 12, a liveness property or a stall ->
// 13), and the property it names is the one that fails first.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "cli_harness.h"
#include "io/config.h"
#include "io/workload.h"
#include "models/choice_source.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> shipped_configs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(KVCHECK_SOURCE_DIR) / "configs"))
    if (e.path().extension() == ".toml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// Lasso findings (a starving request, a growing backlog) need the fuzzer or the explorer: one
/// finite simulation cannot show them, so `kvcheck gate` alone judges those configs.
bool needs_lasso_search(const Config& c) {
  return c.expect_property == "starvation" || c.expect_property == "instability";
}

/// The exit code a config's [meta] expect / expect_property promises.
int expected_exit(const Config& c) {
  if (c.expect == "ok") return 0;
  if (c.expect_property == "stalled" || c.expect_property == "livelock") return 13;
  const auto id = parse_property(c.expect_property);
  if (id && info(*id).kind == PropertyKind::Liveness) return 13;
  return 12;
}

TEST(ShippedConfigs, EveryConfigLoadsAndBuildsItsWorkload) {
  const auto configs = shipped_configs();
  ASSERT_GE(configs.size(), 2 * all_policy_kinds().size());
  for (const auto& p : configs) {
    SCOPED_TRACE(p.string());
    const auto c = load_config(p);
    // a P3 [cluster] and a [network] have no workload (`kvcheck cluster`, `kvcheck network`)
    if (c.cluster.only || c.network_only) continue;
    EXPECT_FALSE(build_workload(c).requests.empty());
    const auto stem = p.stem().string();
    if (ends_with(stem, "_safe")) {
      EXPECT_EQ(c.expect, "ok");
    }
    if (ends_with(stem, "_unsafe")) {
      EXPECT_EQ(c.expect, "violated");
    }
    if (c.expect == "violated") {
      EXPECT_FALSE(c.expect_property.empty());
    }
  }
}

TEST(ShippedConfigs, EveryPolicyHasASafeAndAnUnsafeTwin) {
  for (auto kind : all_policy_kinds()) {
    for (const char* suffix : {"_safe.toml", "_unsafe.toml"}) {
      const auto p = fs::path(KVCHECK_SOURCE_DIR) / "configs" / (std::string(to_string(kind)) + suffix);
      ASSERT_TRUE(fs::exists(p)) << p;
      EXPECT_EQ(load_config(p).model.policy.kind, kind) << p;
    }
  }
}

TEST(ShippedConfigs, SimulateExitsWithTheDeclaredVerdict) {
  int gated = 0;
  for (const auto& p : shipped_configs()) {
    const auto c = load_config(p);
    if (c.expect.empty() || needs_lasso_search(c)) continue;
    ++gated;
    const auto r = testing::run_kvcheck("simulate " + testing::sh_quote(p.string()));
    EXPECT_EQ(r.status, expected_exit(c)) << p << "\n" << r.out << r.err;
  }
  EXPECT_GE(gated, static_cast<int>(2 * all_policy_kinds().size()));
}

TEST(ShippedConfigs, TheDeclaredPropertyFailsFirst) {
  for (const auto& p : shipped_configs()) {
    const auto c = load_config(p);
    if (c.expect != "violated" || needs_lasso_search(c)) continue;
    SCOPED_TRACE(p.string());
    SeededChoices choices(1);
    SimOptions opts;
    opts.properties = c.check.properties;
    opts.max_steps = c.check.max_steps;
    opts.max_idle_steps = c.check.max_idle_steps;
    opts.stop_at_violation = true;
    const auto out = simulate(c.model, c.time, build_workload(c), choices, opts);
    if (c.expect_property == "stalled") {
      EXPECT_TRUE(out.stalled);
      continue;
    }
    if (c.expect_property == "livelock") {
      EXPECT_TRUE(out.livelock.has_value());
      EXPECT_TRUE(out.violations.empty());
      continue;
    }
    ASSERT_FALSE(out.violations.empty());
    std::int64_t first = out.violations.front().step;
    for (const auto& v : out.violations) first = std::min(first, v.step);
    std::set<std::string> at_first;
    for (const auto& v : out.violations)
      if (v.step == first) at_first.insert(std::string(info(v.id).name));
    EXPECT_TRUE(at_first.count(c.expect_property)) << "first violations at step " << first;
  }
}

}  // namespace
}  // namespace kvcheck
