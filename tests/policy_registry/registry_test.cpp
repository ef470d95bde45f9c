// A test-only policy registered with one line (registration.h), run through every concrete
// layer: the name tables, the traits, the config schema and its docs table, config loading,
// the simulator (both loops), the trace recorder, ITF and replay. Expectations are written by
// hand from test_policy.h's rule (docs/adding-a-policy.md explains the claim).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "counterexamples/itf.h"
#include "counterexamples/recorder.h"
#include "counterexamples/replay.h"
#include "io/config.h"
#include "io/config_schema.h"
#include "io/workload.h"
#include "models/params.h"
#include "sim/simulator.h"

namespace kvcheck {
namespace {

/// Three requests at step 0 (prompt 2, output 3) and a pool that holds them all.
std::string config_text(const std::string& policy) {
  return "[engine]\nblock_size = 1\nnum_blocks = 100\n[policy]\nname = \"" + policy +
         "\"\n[workload]\nkind = \"explicit\"\nrequests = [\n"
         "  { arrival = 0, prompt = 2, output = 3 }, { arrival = 0, prompt = 2, output = 3 },\n"
         "  { arrival = 0, prompt = 2, output = 3 },\n]\n"
         "[check]\nproperties = [\"kv_no_overflow\", \"conservation\", \"exact_delivery\"]\n";
}

/// Per step: the admitted and the completed requests.
class Steps final : public StepObserver {
 public:
  void on_step(const ConcreteView& v) override {
    admitted.push_back(v.last_step().admitted);
    completed.push_back(v.last_step().completed);
  }
  std::vector<std::vector<std::int32_t>> admitted, completed;
};

Steps run(const std::string& policy, bool skip_steady, SimOutcome* out = nullptr) {
  const auto c = parse_config(config_text(policy), policy + ".toml");
  SeededChoices choices(1);
  SimOptions o;
  o.properties = c.check.properties;
  o.skip_steady = skip_steady;
  Steps s;
  StepObserver* obs[] = {&s};
  const auto r = simulate(c.model, c.time, build_workload(c), choices, o, obs);
  if (out) *out = r;
  return s;
}

TEST(PolicyRegistry, OneLineAddsTheNameAndTheTraits) {
  const auto all = all_policy_kinds();
  // The product policies (one per registry line) and the test's one line.
#define KVCHECK_COUNT_POLICY(kind, name) +1
  constexpr std::size_t product = 0 KVCHECK_PRODUCT_POLICIES(KVCHECK_COUNT_POLICY);
#undef KVCHECK_COUNT_POLICY
  static_assert(product >= 10);
  ASSERT_EQ(all.size(), product + 1);
  EXPECT_EQ(all.back(), PolicyKind::OneAdmission);
  EXPECT_EQ(to_string(PolicyKind::OneAdmission), "one_admission");
  PolicyKind k = PolicyKind::VllmFcfs;
  ASSERT_TRUE(parse_policy_kind("one_admission", k));
  EXPECT_EQ(k, PolicyKind::OneAdmission);
  EXPECT_EQ(policy_traits(k).summary, "running first, then at most one admission per step");
  EXPECT_FALSE(policy_traits(k).needs_classes);
}

TEST(PolicyRegistry, TheSchemaAndItsDocsTableFollow) {
  const auto& names = schema::key("policy", "name").values;
  EXPECT_NE(std::find(names.begin(), names.end(), "one_admission"), names.end());
  EXPECT_NE(schema::policy_table().find("| `one_admission` | tests/policy_registry (test only) | "
                                        "running first, then at most one admission per step | "
                                        "no | one iteration at a time |"),
            std::string::npos)
      << schema::policy_table();
}

// By hand from the rule: one admission per step, FCFS; a prefill of 2 tokens yields the first
// output token, each later step one more, so a request admitted at step a completes at a + 2.
TEST(PolicyRegistry, SimulatesItsOwnSchedule) {
  SimOutcome out;
  const auto s = run("one_admission", false, &out);
  using V = std::vector<std::int32_t>;
  ASSERT_EQ(s.admitted.size(), 5u);
  EXPECT_EQ(s.admitted, (std::vector<V>{{0}, {1}, {2}, {}, {}}));
  EXPECT_EQ(s.completed, (std::vector<V>{{}, {}, {0}, {1}, {2}}));
  EXPECT_TRUE(out.finished);
  EXPECT_TRUE(out.violations.empty());
  // The same workload under a product policy admits all three at once: the dispatch really
  // reached the test's policy.
  EXPECT_EQ(run("p2_fcfs", false).admitted.front(), (V{0, 1, 2}));
  // Its trait says no steady skipping: the event-skipping loop steps it one iteration at a time.
  EXPECT_EQ(run("one_admission", true).admitted, s.admitted);
}

TEST(PolicyRegistry, ItsTraceRoundTripsThroughItfAndReplays) {
  const auto c = parse_config(config_text("one_admission"), "one_admission.toml");
  SeededChoices choices(1);
  SimOptions o;
  o.properties = c.check.properties;
  TraceMeta meta;
  meta.source = "simulate";
  const auto t = record_run(c.model, c.time, build_workload(c), choices, o, meta);
  const auto back = parse_itf(to_itf_json(t), "one_admission.itf.json");
  EXPECT_EQ(back.params.policy.kind, PolicyKind::OneAdmission);
  const auto r = replay(back);
  EXPECT_TRUE(r.reproduced) << r.message();
  EXPECT_EQ(r.states_checked, 5);
}

}  // namespace
}  // namespace kvcheck
