// Issue 12's soundness reproducers, end to end on the built binary: each line of the issue is
// one test, with the exit code and output a user would see. Expected values are the issue's
// own (the documented exit codes, docs/exit-codes.md), not the code's output.
#include <gtest/gtest.h>

#include <string>

#include "cli_harness.h"

namespace kvcheck::testing {
namespace {

namespace fs = std::filesystem;

std::string shipped(const std::string& name) {
  return slurp(fs::path(KVCHECK_SOURCE_DIR) / "configs" / name);
}

/// Writes `text` as <scratch>/<name> and returns the path.
std::string scratch_config(const std::string& name, const std::string& text) {
  const auto p = scratch_dir() / name;
  write_text(p, text);
  return p.string();
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// 1. A false [bmc] invariant on the unsafe vLLM twin: never PROVED, exit 5 (UNKNOWN).
TEST(SoundnessCli, ProveWithFalseInvariantIsUnknown) {
  const auto cfg = scratch_config("unsafe_false_inv.toml",
                                  shipped("vllm_fcfs_unsafe.toml") + "invariants = [\"false\"]\n");
  const auto r = run_kvcheck("prove " + sh_quote(cfg) + " --seed-runs 0");
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_EQ(r.out.find("PROVED"), std::string::npos) << r.out;
}

// 1 (buffer). The smallest watermark with a false invariant is not "0": nothing is proved.
TEST(SoundnessCli, BufferWithFalseInvariantFindsNoValue) {
  const auto cfg = scratch_config("buffer_false_inv.toml",
                                  shipped("buffer_vllm_watermark.toml") + "invariants = [\"false\"]\n");
  const auto r = run_kvcheck("buffer " + sh_quote(cfg) +
                             " --param policy.watermark_blocks --lo 0 --hi 2 --seed-runs 0 --out " +
                             sh_quote((test_dir() / "out").string()));
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("no value"), std::string::npos) << r.out;
}

// 2. [check] properties = [] on the unsafe twin: a config error for check, prove and simulate.
TEST(SoundnessCli, EmptyPropertiesAreAConfigError) {
  const auto text = replace_once(shipped("vllm_fcfs_unsafe.toml"),
                                 "properties = [\"no_preemption\", \"kv_no_overflow\", "
                                 "\"kv_within_capacity\", \"conservation\",\n"
                                 "              \"exact_delivery\", \"progress\"]",
                                 "properties = []");
  const auto cfg = scratch_config("no_props.toml", text);
  for (const auto* cmd : {"check", "prove", "simulate"}) {
    const auto r = run_kvcheck(std::string(cmd) + " " + sh_quote(cfg));
    expect_error(r, 151, {"no_props.toml", "check.properties"});
  }
}

// 2 (vacuity). Prompts that never fit the pool: nothing is ever scheduled; check is an error.
TEST(SoundnessCli, VacuousEnvelopeIsAConfigError) {
  const auto cfg = scratch_config(
      "vacuous.toml", replace_once(shipped("vllm_fcfs_unsafe.toml"), "prompt = [8, 8]",
                                   "prompt = [40, 40]"));
  for (const auto* cmd : {"check", "prove"}) {
    const auto r = run_kvcheck(std::string(cmd) + " " + sh_quote(cfg));
    expect_error(r, 151, {"vacuous.toml", "bmc", "vacuous"});
  }
}

// 4. A run cut short at a declared horizon (--max-steps, [check] max_steps) says so: the
// report names the unfinished requests and claims nothing beyond. (Undeclared: the default
// 10^7-step stop is UNKNOWN, tests/checkers/soundness_test.cpp SimIncomplete.*.)
TEST(SoundnessCli, SimulationCutAtDeclaredHorizonSaysSo) {
  const auto cfg = scratch_config("short.toml", shipped("vllm_fcfs_safe.toml"));
  const auto r = run_kvcheck("simulate " + sh_quote(cfg) + " --max-steps 3");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BOUNDED_OK(3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing is claimed beyond"), std::string::npos) << r.out;
  const auto full = run_kvcheck("simulate " + sh_quote(cfg));
  EXPECT_EQ(full.status, 0);
  EXPECT_EQ(full.out.find("nothing is claimed beyond"), std::string::npos) << full.out;
}

// 5. A trace whose #meta.status was edited from "violated" to "ok" does not replay as ok.
TEST(SoundnessCli, EditedTraceStatusDiverges) {
  const auto original = slurp(fs::path(KVCHECK_SOURCE_DIR) / "counterexamples" / "confirmed" /
                              "vllm_fcfs_unsafe.sim.itf.json");
  const auto dir = scratch_dir();
  write_text(dir / "ok.itf.json", replace_once(original, "\"status\": \"violated\"", "\"status\": \"ok\""));
  write_text(dir / "odd.itf.json", replace_once(original, "\"status\": \"violated\"", "\"status\": \"fine\""));
  write_text(dir / "orig.itf.json", original);
  EXPECT_EQ(run_kvcheck("replay " + sh_quote((dir / "orig.itf.json").string())).status, 0);
  for (const auto* f : {"ok.itf.json", "odd.itf.json"}) {
    for (const auto* backend : {"sim", "cpu"}) {
      const auto r = run_kvcheck("replay " + sh_quote((dir / f).string()) + " --backend " + backend);
      EXPECT_EQ(r.status, 20) << f << " " << backend << ": " << r.out << r.err;
      EXPECT_NE(r.out.find("#meta.status"), std::string::npos) << r.out;
    }
  }
}

// 6 and 7. buffer never runs a model the config reader would reject: a one-line error.
TEST(SoundnessCli, BufferRejectsInvalidValues) {
  const struct {
    const char* args;
    const char* flag;
  } cases[] = {{"--param engine.block_size --lo 0 --hi 1", "--lo"},
               {"--param engine.num_blocks --lo -1 --hi 2", "--lo"},
               {"--param engine.block_size --lo -1 --hi 2", "--lo"},
               {"--param policy.watermark_blocks --lo -2 --hi 0", "--lo"},
               {"--param engine.max_batched_tokens --lo 0 --hi 2", "--lo"},
               {"--param engine.lookahead --lo -1 --hi 0", "--lo"}};
  for (const auto& c : cases) {
    const auto r = run_kvcheck(std::string("buffer configs/vllm_fcfs_safe.toml ") + c.args);
    expect_error(r, 151, {"vllm_fcfs_safe.toml", c.flag});
  }
}

// 11. Out-of-range flags are errors, not silently replaced by defaults or wrapped.
TEST(SoundnessCli, OutOfRangeFlagsAreErrors) {
  for (const auto* args :
       {"check configs/vllm_fcfs_safe.toml --depth 0", "check configs/vllm_fcfs_safe.toml --depth -5",
        "prove configs/vllm_fcfs_safe.toml --max-k 0", "prove configs/vllm_fcfs_safe.toml --max-k -3",
        "check configs/vllm_fcfs_safe.toml --timeout-ms -5",
        "prove configs/vllm_fcfs_safe.toml --timeout-ms 4294967296"}) {
    const auto r = run_kvcheck(args);
    EXPECT_EQ(r.status, 151) << args << ": " << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
}

}  // namespace
}  // namespace kvcheck::testing

namespace kvcheck::testing {
namespace {

// 12. The gate has an outer budget that ends in UNKNOWN (exit 5), never a hang or a pass, and
// prints one progress line per config and checker on stderr as each finishes.
TEST(SoundnessCli, GateTimeLimitIsUnknownAndProgressIsPrinted) {
  const auto cut = run_kvcheck("gate configs/vllm_fcfs_safe.toml --time-limit 0.001");
  EXPECT_EQ(cut.status, 5) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("time limit"), std::string::npos) << cut.out;
  const auto full = run_kvcheck("gate configs/vllm_fcfs_safe.toml --checkers simulate,bmc");
  EXPECT_EQ(full.status, 0) << full.out << full.err;
  EXPECT_NE(full.err.find("gate: [1/1] vllm_fcfs_safe simulate BOUNDED_OK"), std::string::npos)
      << full.err;
  EXPECT_NE(full.err.find("gate: [1/1] vllm_fcfs_safe bmc "), std::string::npos) << full.err;
}

// check and prove take the same outer guard; reached, the run is UNKNOWN (exit 5).
TEST(SoundnessCli, CheckTimeLimitIsUnknown) {
  const auto r = run_kvcheck("prove configs/bmc_vllm_fcfs_n8.toml --time-limit 0.001");
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_EQ(r.out.find("PROVED"), std::string::npos) << r.out;
  const auto bad = run_kvcheck("prove configs/bmc_vllm_fcfs_n8.toml --time-limit -1");
  EXPECT_EQ(bad.status, 151) << bad.out << bad.err;
}

}  // namespace
}  // namespace kvcheck::testing

namespace kvcheck::testing {
namespace {

// 10 (traces). replay of a device or a directory is a one-line trace error (exit 150), read
// before a byte of it: never a read until memory runs out.
TEST(SoundnessCli, ReplayOfANonRegularFileIsATraceError) {
  expect_error(run_kvcheck("replay /dev/zero"), 150, {"/dev/zero", "not a regular file"});
  expect_error(run_kvcheck("replay configs"), 150, {"configs", "not a regular file"});
}

}  // namespace
}  // namespace kvcheck::testing

namespace kvcheck::testing {
namespace {

// 8 and 10 (flags). The simulate flags take the config fields' own limits (io/limits.h): a
// count of 10^8 or a rate of 1e308 is a one-line error naming the flag, never a long run.
TEST(SoundnessCli, SimulateFlagsTakeTheConfigLimits) {
  expect_error(run_kvcheck("simulate configs/vllm_fcfs_safe.toml --workload poisson --rate 1e308"),
               151, {"--rate"});
  expect_error(run_kvcheck("simulate configs/vllm_fcfs_safe.toml --workload poisson --rate 1e-300"),
               151, {"--rate"});
  expect_error(run_kvcheck("simulate configs/vllm_fcfs_safe.toml --count 100000000"), 151,
               {"--count"});
}

}  // namespace
}  // namespace kvcheck::testing

namespace kvcheck::testing {
namespace {

// Issue 14: the deployment's prove states what it covers: the pool properties for every number
// of requests over the [prove] ranges, the others for the [bmc] slots; exit 0.
TEST(SoundnessCli, ProveOnTheAzureDeploymentStatesItsScope) {
  const auto r = run_kvcheck("prove configs/vllm_fcfs_azure_conv.toml --seed-runs 0");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PROVED kv_no_overflow, kv_within_capacity: for every number of requests"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("num_blocks in [1, 1000000]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("conservation, exact_delivery: at the configured values, for all "
                       "workloads of <= 3 requests"),
            std::string::npos)
      << r.out;
}

// Declared ranges that the every-N argument does not cover (Orca plans without a memory check)
// are never PROVED on the strength of the configured values alone: UNKNOWN, exit 5.
TEST(SoundnessCli, UnprovedProveRangesAreUnknown) {
  const auto cfg = scratch_config("orca_ranges.toml",
                                  shipped("orca_safe.toml") + "\n[prove]\nnum_blocks = [8, 64]\n");
  const auto r = run_kvcheck("prove " + sh_quote(cfg) + " --seed-runs 0");
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("UNKNOWN: the [prove] ranges"), std::string::npos) << r.out;
  // The slots' proof is reported for what it covers, the configured values, and nothing more.
  EXPECT_NE(r.out.find("for the configured values: for all workloads of <= 3 requests"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("PROVED"), std::string::npos) << r.out;
}

// buffer --every-n on Dong & Cao's Algorithm 1 (one class, l = 1, o = 2, b = 1): ineq. (2)'s
// sum b_k w_k = 1 * (1*2 + (2 + 4)/2) = 5 is the smallest pool proved for every workload (the
// population encoding), and one below overflows (replayed).
TEST(SoundnessCli, BufferEveryNFindsInequality2) {
  const auto r = run_kvcheck("buffer configs/z3_p1_alg1_safe.toml --param engine.num_blocks "
                             "--lo 2 --hi 8 --every-n --out " +
                             sh_quote((scratch_dir() / "out").string()));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("smallest engine.num_blocks = 5: PROVED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("engine.num_blocks = 4: VIOLATED kv_no_overflow"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("engine.num_blocks = 4: UNKNOWN (not proved for every N"),
            std::string::npos)
      << r.out;
}

// `[prove] class_budget` (issue 14 item 1: class budgets as ranges) on Dong & Cao's Algorithm 1,
// one class of l = 1, o = 2 (w = 1*2 + (2 + 4)/2 = 5) in a 5-token pool: every b in [0, 1] is
// proved for every workload (ineq. (2): 1 * 5 <= 5); [0, 2] is not (2 * 5 = 10 > 5): UNKNOWN,
// exit 5, never PROVED on the strength of the configured b = 1. On a policy that reads no
// class budgets the key is a config error naming it.
TEST(SoundnessCli, ClassBudgetRangeIsProvedOnlyWhereInequality2Holds) {
  const auto ok = scratch_config("p1_budget_range.toml", shipped("z3_p1_alg1_safe.toml") +
                                                             "\n[prove]\nclass_budget = [0, 1]\n");
  const auto r = run_kvcheck("prove " + sh_quote(ok) + " --seed-runs 0");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PROVED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("b_k in [0, 1] for each of the 1 class"), std::string::npos) << r.out;
  const auto bad = scratch_config("p1_budget_range_bad.toml",
                                  shipped("z3_p1_alg1_safe.toml") +
                                      "\n[prove]\nclass_budget = [0, 2]\n");
  const auto u = run_kvcheck("prove " + sh_quote(bad) + " --seed-runs 0");
  EXPECT_EQ(u.status, 5) << u.out << u.err;
  EXPECT_NE(u.out.find("UNKNOWN: the [prove] ranges"), std::string::npos) << u.out;
  EXPECT_EQ(u.out.find("PROVED"), std::string::npos) << u.out;
  const auto vllm = scratch_config("vllm_budget_range.toml", shipped("vllm_fcfs_safe.toml") +
                                                                 "\n[prove]\nclass_budget = [0, 1]\n");
  expect_error(run_kvcheck("prove " + sh_quote(vllm)), 151, {"prove.class_budget"});
}

// A [prove] range that is not [lo, hi] with lo >= the key's minimum is a config error (151)
// naming the field.
TEST(SoundnessCli, BadProveRangeIsAConfigError) {
  const auto cfg = scratch_config("bad_range.toml", shipped("orca_safe.toml") +
                                                        "\n[prove]\nnum_blocks = [64, 8]\n");
  expect_error(run_kvcheck("prove " + sh_quote(cfg)), 151, {"prove.num_blocks"});
  // A block size range must stay within [engine] block_size's own bounds (1 .. 2^20 tokens).
  for (const auto* bad : {"block_size = [0, 16]", "block_size = [8, 2_000_000]", "lookahead = [0, 65]"}) {
    const auto c = scratch_config("bad_geometry.toml",
                                  shipped("orca_safe.toml") + "\n[prove]\n" + bad + "\n");
    const std::string key = std::string(bad).substr(0, std::string(bad).find(' '));
    expect_error(run_kvcheck("prove " + sh_quote(c)), 151, {"prove." + key});
  }
}

}  // namespace
}  // namespace kvcheck::testing
