// [cluster] and [[classes]] abandon_rate (io/config.cpp, io/config_schema.cpp): every field
// validated with a one-line error naming file, field and reason (exit 151); `analyze --only p3`
// (theory/analyze_p3.cpp); the shipped section 6.2 configs.
#include <gtest/gtest.h>

#include <string>

#include "cluster/cluster_config.h"
#include "io/input_error.h"
#include "io/workload.h"
#include "theory/analyze.h"

namespace kvcheck {
namespace {

const std::string kCluster = R"([cluster]
gpus = 4
batch = 4
chunk = 2
alpha = 0.5
beta = 0.25
gamma = 2.0
c_p = 1.0
c_d = 1.0
[[classes]]
prompt = 2
output = 4
rate = 1.0
abandon_rate = 1.0
)";

/// kCluster with `key = value` added to (or replacing the line of) [cluster].
std::string with(const std::string& key, const std::string& value) {
  std::string t = kCluster;
  const auto at = t.find("\n" + key + " = ");
  if (at != std::string::npos) {
    const auto end = t.find('\n', at + 1);
    t.erase(at, end - at);
  }
  t.insert(t.find('\n') + 1, key + " = " + value + "\n");
  return t;
}

void expect_error(const std::string& text, const std::string& field) {
  try {
    (void)parse_config(text, "c.toml");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.file(), "c.toml");
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(ClusterConfig, ReadsEveryKey) {
  const auto c = parse_config(with("service", "\"deterministic\""), "c.toml");
  ASSERT_TRUE(c.cluster.present);
  EXPECT_TRUE(c.cluster.only);
  EXPECT_EQ(c.cluster.gpus, 4);
  EXPECT_DOUBLE_EQ(c.model.classes[0].abandon_rate, 1.0);
  const auto o = cluster::cluster_options(c);
  EXPECT_EQ(o.service, cluster::Service::Deterministic);
  EXPECT_EQ(o.policy, cluster::ClusterPolicy(cluster::GatePolicy::GateAndRoute));
  EXPECT_EQ(o.charging, theory::P3Charging::Bundled);
  EXPECT_DOUBLE_EQ(o.instance.classes[0].abandon, 1.0);
}

TEST(ClusterConfig, BadFieldsAreOneLineErrors) {
  expect_error(with("charging", "\"both\""), "cluster.charging");
  expect_error(with("policy", "\"fcfs\""), "cluster.policy");
  expect_error(with("service", "\"normal\""), "cluster.service");
  expect_error(with("batch", "1"), "cluster.batch");
  expect_error(with("gpus", "0"), "cluster.gpus");
  expect_error(with("gamma", "-1.0"), "cluster.gamma");
  expect_error(with("warmup", "2000.0"), "cluster.horizon");
  expect_error(with("typo", "1"), "cluster.typo");
}

TEST(ClusterConfig, MissingAndCrossFieldErrors) {
  std::string no_gpus = kCluster;
  no_gpus.erase(no_gpus.find("gpus = 4\n"), 9);
  expect_error(no_gpus, "cluster.gpus");
  std::string zero_tau = with("alpha", "0.0");
  zero_tau = zero_tau.substr(0, zero_tau.find("beta = 0.25")) + "beta = 0.0" +
             zero_tau.substr(zero_tau.find("beta = 0.25") + 11);
  expect_error(zero_tau, "cluster.alpha");
  std::string bad_theta = kCluster;
  bad_theta.replace(bad_theta.find("abandon_rate = 1.0"), 18, "abandon_rate = -0.5");
  expect_error(bad_theta, "classes[0].abandon_rate");
  std::string no_rate = kCluster;
  no_rate.replace(no_rate.find("rate = 1.0"), 10, "rate = 0.0");
  expect_error(no_rate, "classes");
}

// A [cluster] beside a [workload] runs the engine's commands as well: its [engine] and
// [policy] are then required, never defaults analysed as if they were the config's.
TEST(ClusterConfig, AWorkloadBesideTheClusterNeedsTheEngine) {
  const std::string workload =
      "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 4 }]\n";
  expect_error(kCluster + workload, "engine.num_blocks");
  expect_error(kCluster + "[engine]\nnum_blocks = 8\n" + workload, "policy");
  const auto c = parse_config(
      kCluster + "[engine]\nnum_blocks = 8\n[policy]\nname = \"vllm_fcfs\"\n" + workload, "c.toml");
  EXPECT_FALSE(c.cluster.only);
  EXPECT_EQ(build_workload(c).requests.size(), 1U);
}

TEST(ClusterConfig, AClusterConfigHasNoWorkload) {
  const auto c = parse_config(kCluster, "c.toml");
  EXPECT_THROW((void)build_workload(c), InputError);
}

TEST(ClusterConfig, AnalyzeOnlyP3) {
  const auto c = parse_config(kCluster, "c.toml");
  theory::AnalyzeRequest req;
  req.p3 = true;
  const auto r = theory::analyze(c, req);
  ASSERT_EQ(r.analyses.size(), 1u);
  double r_star = 0, m = 0;
  for (const auto& n : r.analyses[0].numbers) {
    if (n.name == "R_star") r_star = n.value;
    if (n.name == "M") m = n.value;
  }
  EXPECT_NEAR(r_star, 16.0 / 3.0, 1e-9);  // tests/theory/p3_lp_test.cpp's tiny instance
  EXPECT_EQ(m, 4.0);                       // ceil(4 x 8/9)
  EXPECT_EQ(to_exit_code(theory::report_verdict(r)), ExitCode::Ok);
  // Without an --only, a cluster config gets P3's analysis alone.
  EXPECT_EQ(theory::analyze(c).analyses.size(), 1u);
  theory::AnalyzeRequest p1;
  p1.p1 = true;  // an engine analysis on a config without an engine: 151 naming it
  try {
    (void)theory::analyze(c, p1);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "engine");
  }
}

TEST(ClusterConfig, AnalyzeP3WithoutClusterIsA151) {
  const auto c = load_config(KVCHECK_SOURCE_DIR "/configs/p1_alg1_sec41.toml");
  theory::AnalyzeRequest req;
  req.p3 = true;
  try {
    (void)theory::analyze(c, req);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "cluster");
  }
}

TEST(ClusterConfig, ShippedSec62Configs) {
  const auto sep = load_config(KVCHECK_SOURCE_DIR "/configs/p3_sec62.toml");
  EXPECT_EQ(sep.cluster.charging, "separate");
  EXPECT_EQ(sep.cluster.policy, "prioritize_and_route");
  const auto o = cluster::cluster_options(sep);
  EXPECT_NEAR(theory::solve_p3_lp(o.instance, o.charging).objective, 298.58655675, 1e-6);
  const auto bun = load_config(KVCHECK_SOURCE_DIR "/configs/p3_sec62_bundled.toml");
  const auto ob = cluster::cluster_options(bun);
  EXPECT_NEAR(theory::solve_p3_lp(ob.instance, ob.charging).objective, 297.7031698642446, 1e-6);
}

}  // namespace
}  // namespace kvcheck
