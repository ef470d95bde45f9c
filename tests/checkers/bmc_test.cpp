// Z3 backend checkers on known-safe and known-unsafe models: BMC (shortest counterexamples,
// replayed concretely), k-induction (PROVED / VIOLATED), timeouts (UNKNOWN, exit 5), [bmc]
// parsing errors, and SMT-LIB2 dumps re-checked by cvc5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "checkers/z3/bmc.h"
#include "checkers/z3/confirm.h"
#include "checkers/z3/k_induction.h"
#include "io/config.h"
#include "shipped_configs.h"
#include "io/input_error.h"

namespace kvcheck {
namespace {

Config load(const std::string& name) { return test::shipped_config(name); }

SolverOptions solver_only() {
  SolverOptions o;
  o.seed_runs = 0;
  return o;
}

/// BMC must find `prop` at exactly `step`, BOUNDED_OK one step shorter, and replay concretely;
/// the solver alone (no seed search) and the seeded run must agree on property and step.
void expect_minimal_violation(const std::string& config, const std::string& prop,
                              std::int64_t step) {
  const auto cfg = load(config);
  const auto spec = parse_bmc_spec(cfg);
  for (const auto& opts : {solver_only(), SolverOptions{}}) {
    const auto r = run_bmc(cfg.model, spec, spec.depth, opts);
    ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << config << ": " << to_string(r.verdict);
    EXPECT_EQ(r.verdict.reason, prop) << "seed_runs " << opts.seed_runs;
    EXPECT_EQ(r.verdict.depth, step) << "seed_runs " << opts.seed_runs;
    EXPECT_EQ(to_exit_code(r.verdict), ExitCode::SafetyViolation);
    ASSERT_TRUE(r.cex.has_value());
    const auto c = confirm_counterexample(cfg.model, cfg.time, *r.cex, {});
    EXPECT_TRUE(c.reproduced) << c.detail;
    const auto shorter = run_bmc(cfg.model, spec, step, opts);
    EXPECT_EQ(shorter.verdict.kind, VerdictKind::BoundedOk);
    EXPECT_EQ(shorter.verdict.depth, step);
  }
}

TEST(Bmc, FindsP2Example2TrapAtMinimalDepth) {
  expect_minimal_violation("bmc_p2_example2.toml", "no_preemption", 1);
}

TEST(Bmc, FindsVllmFcfsPreemptionCascadeAtMinimalDepth) {
  expect_minimal_violation("bmc_vllm_cascade.toml", "no_preemption", 1);
}

TEST(Bmc, P1Alg1UnsafeOverflows) {
  expect_minimal_violation("z3_p1_alg1_unsafe.toml", "kv_no_overflow", 1);
}

TEST(Prove, P1Alg1SafeIsProvedAndUnsafeIsViolated) {
  const auto safe = load("z3_p1_alg1_safe.toml");
  const auto rs = prove_k_induction(safe.model, parse_bmc_spec(safe), {});
  EXPECT_EQ(rs.verdict.kind, VerdictKind::Proved) << rs.verdict.reason;
  EXPECT_GE(rs.k, 1);
  const auto unsafe = load("z3_p1_alg1_unsafe.toml");
  // Seeded (the default) and the base case's own solver query must both find it.
  for (const auto& opts : {SolverOptions{}, solver_only()}) {
    const auto ru = prove_k_induction(unsafe.model, parse_bmc_spec(unsafe), opts);
    ASSERT_EQ(ru.verdict.kind, VerdictKind::Violated) << ru.verdict.reason;
    EXPECT_EQ(ru.verdict.reason, "kv_no_overflow");
    EXPECT_EQ(ru.verdict.depth, 1) << "seed_runs " << opts.seed_runs;
    ASSERT_TRUE(ru.cex.has_value());
    EXPECT_TRUE(confirm_counterexample(unsafe.model, unsafe.time, *ru.cex, {}).reproduced);
  }
}

// A solver that runs out of budget is UNKNOWN, never a pass. The budget is Z3's deterministic
// resource limit (one unit: exhausted by the first query on any machine), not a 1 ms timeout
// whose outcome would depend on the machine's speed and load.
TEST(Prove, ExhaustedBudgetIsUnknownNeverAPass) {
  const auto cfg = load("z3_p1_alg1_safe.toml");
  auto spec = parse_bmc_spec(cfg);
  SolverOptions opts;
  opts.rlimit = 1;
  const auto r = prove_k_induction(cfg.model, spec, opts);
  EXPECT_EQ(r.verdict.kind, VerdictKind::Unknown);
  EXPECT_EQ(to_exit_code(r.verdict), ExitCode::Inconclusive);
  const auto b = run_bmc(cfg.model, spec, 6, opts);
  EXPECT_EQ(b.verdict.kind, VerdictKind::Unknown);
}

/// A small model of `kind`: two slots, prompts/outputs 1..2, two classes.
ModelParams small_model(PolicyKind kind, std::int64_t blocks) {
  ModelParams p;
  p.policy.kind = kind;
  p.engine.num_blocks = blocks;
  p.engine.lookahead = 1;
  p.policy.flow_budget_min = 1;
  p.policy.flow_budget_max = 2;
  p.classes = {{"a", 1, 2, 1.0, 1, 1}, {"b", 2, 2, 1.0, 1, 1}};
  return p;
}

BmcSpec small_spec(std::vector<PropertyId> props) {
  BmcSpec s;
  s.slots = 2;
  s.prompt_hi = 2;
  s.output_hi = 2;
  s.arrival_hi = 2;
  s.per_class = true;
  s.max_k = 6;
  s.depth = 6;
  s.properties = std::move(props);
  return s;
}

class PerPolicy : public ::testing::TestWithParam<PolicyKind> {};

// Known-safe: a pool larger than any two requests can use never overflows (PROVED).
TEST_P(PerPolicy, LargePoolIsProvedNoOverflow) {
  const auto p = small_model(GetParam(), 16);
  const auto spec = small_spec({PropertyId::KvNoOverflow, PropertyId::Conservation});
  const auto r = prove_k_induction(p, spec, {});
  EXPECT_EQ(r.verdict.kind, VerdictKind::Proved) << r.verdict.reason;
}

// Known-unsafe: a 4-block pool either overflows the plan or preempts (VIOLATED, replayed),
// found by the solver alone and by the seeded run at the same depth.
TEST_P(PerPolicy, TinyPoolIsViolated) {
  const auto p = small_model(GetParam(), 4);
  const auto spec = small_spec({PropertyId::KvNoOverflow, PropertyId::NoPreemption});
  const auto r = run_bmc(p, spec, spec.depth, solver_only());
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << to_string(r.verdict);
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, *r.cex, {}).reproduced);
  const auto seeded = run_bmc(p, spec, spec.depth, {});
  ASSERT_EQ(seeded.verdict.kind, VerdictKind::Violated) << to_string(seeded.verdict);
  EXPECT_EQ(seeded.verdict.depth, r.verdict.depth);
  EXPECT_TRUE(confirm_counterexample(p, TimeModel{}, *seeded.cex, {}).reproduced);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, PerPolicy, ::testing::ValuesIn(all_policy_kinds()),
                         [](const auto& pi) { return std::string(to_string(pi.param)); });

TEST(BmcSpecParse, BadFieldNamesFileFieldAndReason) {
  auto cfg = load("bmc_p2_example2.toml");
  cfg.text = load("bmc_p2_example2.toml").text;
  cfg.text.replace(cfg.text.find("slots = 5"), 9, "slots = 99");
  try {
    (void)parse_bmc_spec(cfg);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.field(), "bmc.slots");
  }
}

// Lemmas (BmcSession::prove_lemmas): a candidate that holds initially but is not inductive
// ("time stays 0") is never assumed; an inductive one and the built-in parts are.
TEST(Lemmas, NonInductiveCandidateIsNotAssumed) {
  const auto p = small_model(PolicyKind::VllmFcfs, 4);
  const auto spec = small_spec({PropertyId::KvNoOverflow});
  BmcSession s(p, spec, {}, false);
  SymbolicScope scope(s.ctx());
  s.add_lemma_candidates([](const SymState& st) {
    return std::vector<Unroller::Part>{
        {"time_stays_0", st.time == Symbolic::lit(0)},
        {"time_below_1000", st.time <= Symbolic::lit(1000)}};
  });
  const auto names = s.prove_lemmas(60'000'000, 0);
  const auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_FALSE(has("time_stays_0"));
  EXPECT_TRUE(has("time_below_1000"));
  EXPECT_TRUE(has("run_blocks_0"));
  // The proved lemmas hold in every reachable state: unrolling with them keeps BMC exact. vLLM
  // FCFS checks free blocks before every reservation, so no step overflows: unsat at each depth.
  for (std::int64_t t = 0; t < 3; ++t) {
    const auto props = s.extend(false);
    const auto r = s.query(!props[0], "lemma_bmc_" + std::to_string(t));
    EXPECT_EQ(r.result, z3::unsat) << "depth " << t;
  }
}

// The queue-order candidates are kept only where they are inductive: vLLM FCFS with front
// requeue keeps every rank fact; with back requeue a preempted request queues behind later
// arrivals, so the waiting-rank facts must not be assumed.
TEST(Lemmas, OrderFactsOnlyWhereTheyHold) {
  const auto proved = [](Requeue rq) {
    auto p = small_model(PolicyKind::VllmFcfs, 4);
    p.engine.requeue = rq;
    auto spec = small_spec({PropertyId::KvNoOverflow});
    spec.slots = 3;
    spec.per_class = false;
    spec.prompt_lo = 1;
    spec.prompt_hi = 3;
    spec.output_hi = 3;
    BmcSession s(p, spec, {}, false);
    SymbolicScope scope(s.ctx());
    return s.prove_lemmas(60'000'000, 0);
  };
  const auto count = [](const std::vector<std::string>& names, const std::string& prefix) {
    return std::count_if(names.begin(), names.end(),
                         [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
  };
  const auto front = proved(Requeue::Front);
  EXPECT_EQ(count(front, "run_rank"), 3);
  EXPECT_EQ(count(front, "wait_rank"), 3);
  EXPECT_EQ(count(front, "wait_after_run"), 3);
  const auto back = proved(Requeue::Back);
  EXPECT_LT(count(back, "wait_rank"), 3);
  EXPECT_EQ(count(back, "run_blocks"), 3);  // the well-formedness facts stay
}

// Lemmas proved before the first query (lemma_after_work = 0) change no verdict or depth.
TEST(Lemmas, ForcedLemmasKeepMinimalViolations) {
  SolverOptions opts;
  opts.lemma_after_work = 0;
  opts.seed_runs = 0;  // the violation must come from the solver with lemmas assumed
  for (const auto& [config, prop, step] :
       std::vector<std::tuple<std::string, std::string, std::int64_t>>{
           {"z3_p1_alg1_unsafe.toml", "kv_no_overflow", 1}}) {
    const auto cfg = load(config);
    const auto spec = parse_bmc_spec(cfg);
    const auto r = run_bmc(cfg.model, spec, spec.depth, opts);
    ASSERT_EQ(r.verdict.kind, VerdictKind::Violated) << config << ": " << to_string(r.verdict);
    EXPECT_EQ(r.verdict.reason, prop);
    EXPECT_EQ(r.verdict.depth, step);
    EXPECT_TRUE(confirm_counterexample(cfg.model, cfg.time, *r.cex, {}).reproduced);
  }
  const auto p = small_model(PolicyKind::VllmFcfs, 16);
  const auto spec = small_spec({PropertyId::KvNoOverflow, PropertyId::Conservation});
  EXPECT_EQ(run_bmc(p, spec, 4, opts).verdict.kind, VerdictKind::BoundedOk);
}

// Closure: when the properties follow in one step from the proved lemmas, BMC stops early with
// BOUNDED_OK for the whole requested depth (and says why); it never fires on a model that can
// fail (the unsafe config above is VIOLATED with the same forced lemmas).
TEST(Lemmas, ClosureEndsDeepBmcOnASafeModel) {
  SolverOptions opts;
  opts.lemma_after_work = 0;
  opts.seed_runs = 0;
  const auto p = small_model(PolicyKind::VllmFcfs, 16);
  const auto spec = small_spec({PropertyId::KvNoOverflow, PropertyId::Conservation});
  const auto r = run_bmc(p, spec, 40, opts);
  EXPECT_EQ(r.verdict.kind, VerdictKind::BoundedOk);
  EXPECT_EQ(r.verdict.depth, 40);
  EXPECT_EQ(r.verdict.reason.rfind("closed at depth 1", 0), 0U) << r.verdict.reason;
  const auto unsafe = small_model(PolicyKind::VllmFcfs, 4);
  const auto spec2 = small_spec({PropertyId::KvNoOverflow, PropertyId::NoPreemption});
  EXPECT_EQ(run_bmc(unsafe, spec2, 40, opts).verdict.kind, VerdictKind::Violated);
}

/// Runs cvc5 on a file; returns its first output line ("sat" / "unsat"), or "" if unavailable.
std::string cvc5(const std::filesystem::path& file) {
  const auto cmd = "cvc5 --lang smt2 " + file.string() + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return {};
  char buf[256] = {};
  std::string out = fgets(buf, sizeof buf, f) ? buf : "";
  pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST(DumpSmt2, Cvc5AgreesOnOneUnsatAndOneSatQuery) {
  if (std::system("command -v cvc5 > /dev/null 2>&1") != 0) GTEST_SKIP() << "cvc5 not installed";
  const auto cfg = load("z3_p1_alg1_unsafe.toml");
  const auto dir = std::filesystem::temp_directory_path() / "kvcheck_z3_dump_test";
  std::filesystem::remove_all(dir);
  auto opts = solver_only();  // the sat query must come from the solver, not the seed search
  opts.dump_dir = dir;
  const auto r = run_bmc(cfg.model, parse_bmc_spec(cfg), 4, opts);
  ASSERT_EQ(r.verdict.kind, VerdictKind::Violated);
  EXPECT_EQ(cvc5(dir / "bmc_depth_0.smt2"), "unsat");
  EXPECT_EQ(cvc5(dir / "bmc_depth_1.smt2"), "sat");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kvcheck
