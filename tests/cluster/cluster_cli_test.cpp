// `kvcheck cluster` and `kvcheck analyze --only p3` end to end: exit codes, the printed
// numbers, --json, --n / --seed overrides, one-line errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../cli/cli_harness.h"

namespace kvcheck {
namespace {

using testing::run_kvcheck;

TEST(ClusterCli, Sec62PrintsRevenueAgainstTheLpOptimum) {
  const auto dir = testing::scratch_dir();
  const auto json = (dir / "r.json").string();
  const auto r = run_kvcheck("cluster configs/p3_sec62.toml --n 5 --seed 2 --check-invariants --json " +
                             testing::sh_quote(json));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("LP optimum R*     298.587"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("n = 5 GPUs (M = 2 mixed, 3 solo)"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(testing::slurp(json));
  EXPECT_EQ(j["n"], 5);
  EXPECT_EQ(j["seed"], 2);
  EXPECT_NEAR(j["r_star"].get<double>(), 298.58655675, 1e-6);
  EXPECT_GT(j["ratio"].get<double>(), 0.8);
  EXPECT_LT(j["ratio"].get<double>(), 1.05);
  EXPECT_EQ(j["classes"].size(), 2u);
}

TEST(ClusterCli, AnalyzeOnlyP3) {
  const auto r = run_kvcheck("analyze configs/p3_sec62_bundled.toml --only p3");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("297.70317"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("P3 Prop 3.2"), std::string::npos) << r.out;
  // A config without [cluster]: 151 naming the field.
  testing::expect_error(run_kvcheck("analyze configs/p2_example2.toml --only p3"), 151,
                        {"p2_example2.toml", "cluster"});
}

TEST(ClusterCli, InfeasibleLpIsExit13AndNoClusterIs151) {
  const auto dir = testing::scratch_dir();
  const auto cfg = dir / "overload.toml";
  // theta = 0 and more load than the cluster carries: LP (40) is infeasible.
  testing::write_text(cfg, "[cluster]\ngpus = 2\nbatch = 4\nchunk = 2\nalpha = 0.5\nbeta = 0.25\n"
                           "gamma = 2.0\nc_d = 1.0\n[[classes]]\nprompt = 2\noutput = 4\nrate = 1.0\n");
  const auto r = run_kvcheck("cluster " + testing::sh_quote(cfg.string()));
  EXPECT_EQ(r.status, 13) << r.out << r.err;
  EXPECT_NE(r.out.find("infeasible"), std::string::npos) << r.out;
  EXPECT_EQ(run_kvcheck("analyze " + testing::sh_quote(cfg.string())).status, 13);
  testing::expect_error(run_kvcheck("cluster configs/p2_example2.toml"), 151,
                        {"p2_example2.toml", "cluster"});
  testing::expect_error(run_kvcheck("simulate " + testing::sh_quote(cfg.string())), 151,
                        {"overload.toml", "workload"});
}


// --policy and --router: a section 6.3 baseline by name, section 5.1's router over the config's
// gate; an unknown name or a combination that cannot run is 151 naming the flag.
TEST(ClusterCli, PolicyAndRouterFlags) {
  const auto dir = testing::scratch_dir();
  const auto json = (dir / "p.json").string();
  auto r = run_kvcheck("cluster configs/p3_sec62.toml --n 5 --policy fi_wsp --json " +
                       testing::sh_quote(json));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("fi_wsp over n = 5 GPUs (no static planning"), std::string::npos) << r.out;
  EXPECT_EQ(nlohmann::json::parse(testing::slurp(json))["policy"], "fi_wsp");
  r = run_kvcheck("cluster configs/p3_sec62_bundled.toml --n 5 --router sli --json " +
                  testing::sh_quote(json));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("sli_gate_and_route over n = 5 GPUs (M = 2 mixed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SLI router p_s    decode_heavy=1 prefill_heavy=0.51939"), std::string::npos)
      << r.out;
  const auto j = nlohmann::json::parse(testing::slurp(json));
  EXPECT_EQ(j["router"], "sli");
  EXPECT_NEAR(j["classes"][1]["p_solo"].get<double>(), 0.5193899, 1e-6);
  testing::expect_error(run_kvcheck("cluster configs/p3_sec62.toml --policy nope"), 151,
                        {"--policy", "unknown policy"});
  testing::expect_error(run_kvcheck("cluster configs/p3_sec62.toml --policy gi_wsp --router sli"),
                        151, {"--policy", "static planning"});
}

}  // namespace
}  // namespace kvcheck
