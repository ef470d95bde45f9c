// Every shipped config with a [bmc] section through the Z3 backend (via the gate's adapters,
// which replay each counterexample concretely): a known-safe config is PROVED by k-induction
// for every workload within its bounds; a known-unsafe one is VIOLATED by BMC on the property
// its [meta] expect_property names, at a depth within its [bmc] depth.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "checkers/z3/bmc_spec.h"
#include "checkers/z3/buffer_search.h"
#include "gate/sections.h"
#include "gate/z3_checkers.h"
#include "io/config.h"
#include "models/params.h"

namespace kvcheck {
namespace {

namespace fs = std::filesystem;

std::vector<Config> shipped_with_bmc() {
  std::vector<Config> out;
  for (const auto& e : fs::directory_iterator(fs::path(KVCHECK_SOURCE_DIR) / "configs")) {
    if (e.path().extension() != ".toml") continue;
    auto c = load_config(e.path());
    if (has_section(c, "bmc") && !c.expect.empty()) out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Config& a, const Config& b) { return a.name < b.name; });
  return out;
}

TEST(ShippedZ3, SafeConfigsAreProvedUnsafeOnesViolated) {
  const auto configs = shipped_with_bmc();
  std::vector<PolicyKind> proved, violated;
  for (const auto& c : configs) {
    SCOPED_TRACE(c.name);
    if (c.expect == "ok") {
      ProveChecker prove;
      const auto r = prove.run(c, CheckBudget{});
      EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << to_string(r.verdict) << ": " << r.verdict.reason;
      if (r.verdict.kind == VerdictKind::Proved) proved.push_back(c.model.policy.kind);
    } else {
      BmcChecker bmc;
      const auto r = bmc.run(c, CheckBudget{});
      ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict) << ": " << r.verdict.reason;
      EXPECT_EQ(r.verdict.reason, c.expect_property);
      EXPECT_TRUE(r.counterexample.has_value());
      violated.push_back(c.model.policy.kind);
    }
  }
  // Every policy has at least one PROVED and one VIOLATED config.
  for (auto kind : all_policy_kinds()) {
    EXPECT_NE(std::find(proved.begin(), proved.end(), kind), proved.end()) << to_string(kind);
    EXPECT_NE(std::find(violated.begin(), violated.end(), kind), violated.end()) << to_string(kind);
  }
}

// The safety-buffer use case: the smallest vLLM watermark that keeps two (2, 4) requests on an
// 8-block pool from ever preempting is 5 (a second admission must wait until the first is
// done); 4 has a preemption trace.
TEST(ShippedZ3, SmallestSafeWatermarkIsFiveWithATraceAtFour) {
  const auto c = load_config(fs::path(KVCHECK_SOURCE_DIR) / "configs" / "buffer_vllm_watermark.toml");
  const auto spec = parse_bmc_spec(c);
  const auto r = search_buffer(c, spec, "policy.watermark_blocks", 3, 6, SolverOptions{});
  ASSERT_TRUE(r.value.has_value());
  EXPECT_EQ(*r.value, 5);
  EXPECT_EQ(r.proof.verdict.kind, VerdictKind::Proved);
  ASSERT_TRUE(r.below.has_value());
  EXPECT_EQ(r.below->verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(r.below->verdict.reason, "no_preemption");
}

}  // namespace
}  // namespace kvcheck
