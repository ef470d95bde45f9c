// `kvcheck check --from-step` end to end (issue 14 item 5): a cascade found after a simulated
// prefix is VIOLATED (exit 12) with a trace that `kvcheck replay` reproduces from the empty engine
// on the simulator and the CPU decode engine; a safe engine is UNKNOWN (exit 5), never a pass, as
// is an exhausted rlimit; bad steps are one-line config errors naming the flag (exit 151); the
// shipped Azure-engine cascade at the deployment's pool size.
#include "cli_harness.h"

namespace kvcheck::testing {
namespace {

/// vLLM FCFS on `blocks` blocks of 2 tokens; its own two requests never preempt on 8 blocks,
/// two more arriving after step 2 can.
std::filesystem::path write_config(const std::filesystem::path& dir, int blocks) {
  const auto path = dir / "prefix.toml";
  write_text(path, "[meta]\nname = \"prefix\"\n[engine]\nblock_size = 2\nnum_blocks = " +
                       std::to_string(blocks) +
                       "\n[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = \"deterministic\"\n"
                       "count = 2\nburst = 2\nprompt = 3\noutput = 4\n[check]\nproperties = "
                       "[\"no_preemption\"]\n[envelope]\nprompt = [1, 4]\noutput = [1, 4]\n"
                       "[bmc]\nslots = 2\narrival = [0, 1]\ndepth = 4\n");
  return path;
}

TEST(PrefixCli, CascadeAfterThePrefixReplaysFromTheEmptyEngine) {
  const auto dir = scratch_dir();
  const auto cfg = write_config(dir, 8);
  const auto out = dir / "out";
  const auto r = run_kvcheck("check " + sh_quote(cfg.string()) + " --from-step 2 --out " +
                             sh_quote(out.string()));
  ASSERT_EQ(r.status, 12) << r.out << r.err;
  EXPECT_NE(r.out.find("VIOLATED no_preemption"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("after the sampled prefix"), std::string::npos) << r.out;
  const auto trace = out / "prefix.bmc.itf.json";
  ASSERT_TRUE(std::filesystem::exists(trace));
  for (const std::string backend : {"sim", "cpu"}) {
    const auto rr = run_kvcheck("replay " + sh_quote(trace.string()) + " --backend " + backend);
    EXPECT_EQ(rr.status, 0) << backend << ": " << rr.out << rr.err;
    EXPECT_NE(rr.out.find("REPRODUCED"), std::string::npos) << rr.out;
  }
}

TEST(PrefixCli, NoViolationIsUnknownWithTheReason) {
  const auto dir = scratch_dir();
  const auto cfg = write_config(dir, 1000);
  const auto r = run_kvcheck("check " + sh_quote(cfg.string()) + " --from-step 2 --depth 2 --out " +
                             sh_quote((dir / "out").string()));
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("UNKNOWN"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("covers only runs through that state"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("BOUNDED_OK"), std::string::npos) << r.out;
}

/// vLLM FCFS on `blocks` blocks of 1 token with three requests in flight at step 0: prompt 2,
/// decoded 0, output 5, so each holds 2 blocks and, by the engine's rule (the last decode step
/// reserves prompt + output - 1 tokens), ends holding 2 + 5 - 1 = 6: 18 blocks for the three.
/// One symbolic arrival of prompt 1, output 1 (1 block, done at its prefill, admitted only when
/// a block is free).
std::filesystem::path write_in_flight(const std::filesystem::path& dir, int blocks) {
  const auto path = dir / "in_flight.toml";
  write_text(path, "[meta]\nname = \"in_flight\"\n[engine]\nblock_size = 1\nnum_blocks = " +
                       std::to_string(blocks) +
                       "\n[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = \"deterministic\"\n"
                       "count = 1\nprompt = 1\noutput = 1\n[[workload.in_flight]]\nprompt = 2\n"
                       "output = 5\ndecoded = 0\ncount = 3\n[check]\nproperties = "
                       "[\"no_preemption\"]\n[bmc]\nslots = 1\narrival = [0, 3]\ndepth = 4\n");
  return path;
}

// Issue 16: `check` on in-flight requests is BMC from their state at step 0, every run's start,
// so a clean run is BOUNDED_OK (unlike --from-step S > 0). By hand, each step reserves one more
// token per request: 3 x 3 = 9 blocks at step 0, 12 at step 1, 15 at step 2, 18 at step 3 (the
// last, generated reaches 5). 12 blocks: step 2 needs 15, so one is preempted at step 2 (an
// arrival cannot make it earlier: vLLM serves the running requests first). 18 blocks: they fit,
// and an arrival is admitted only into a free block and finishes at its prefill.
TEST(PrefixCli, CheckStartsFromTheInFlightRequests) {
  const auto dir = scratch_dir();
  const auto out = dir / "out";
  const auto bad = run_kvcheck("check " + sh_quote(write_in_flight(dir, 12).string()) +
                               " --out " + sh_quote(out.string()));
  ASSERT_EQ(bad.status, 12) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("VIOLATED no_preemption at step 2"), std::string::npos) << bad.out;
  const auto trace = out / "in_flight.bmc.itf.json";
  ASSERT_TRUE(std::filesystem::exists(trace));
  const auto rr = run_kvcheck("replay " + sh_quote(trace.string()));
  EXPECT_EQ(rr.status, 0) << rr.out << rr.err;
  EXPECT_NE(rr.out.find("REPRODUCED"), std::string::npos) << rr.out;

  const auto ok = run_kvcheck("check " + sh_quote(write_in_flight(dir, 18).string()) +
                              " --out " + sh_quote(out.string()));
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("BOUNDED_OK(4)"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("on top of the in-flight ones"), std::string::npos) << ok.out;

  // prove and buffer still refuse them (their proofs start from the empty engine)
  const auto prove = run_kvcheck("prove " + sh_quote(write_in_flight(dir, 18).string()));
  EXPECT_EQ(prove.status, 151) << prove.out << prove.err;
  EXPECT_NE(prove.err.find("workload.in_flight"), std::string::npos) << prove.err;
}

// Non-vacuity on the in-flight path (as for BMC from the empty engine): strict WAIT (P2 Alg. 1)
// launches a batch only when at least n = 2 prompts of the type wait (models/policies/p2_wait.h);
// the request in flight is past its prompt, so it never counts. One symbolic arrival, whether at
// steps 10..12 (after the 4-step horizon) or at 0..3, leaves at most one prompt waiting: by hand
// no run schedules a token in steps 0..3 and "no violation" would be vacuous, a config error
// naming [bmc], never BOUNDED_OK. Two arrivals at step 0 make a batch there: BOUNDED_OK.
TEST(PrefixCli, InFlightCheckThatSchedulesNothingIsVacuous) {
  const auto dir = scratch_dir();
  const auto write = [&](int slots, const std::string& arrival) {
    const auto path = dir / "frozen.toml";
    write_text(path, "[meta]\nname = \"frozen\"\n[engine]\nblock_size = 1\nnum_blocks = 32\n"
                     "[policy]\nname = \"p2_wait\"\n[[classes]]\nname = \"t\"\nprompt = 2\n"
                     "output = 3\nthreshold = 2\n[workload]\nkind = \"explicit\"\nrequests = "
                     "[{ arrival = 100, prompt = 2, output = 3 }]\n[[workload.in_flight]]\n"
                     "prompt = 2\noutput = 3\ndecoded = 1\ncount = 1\n[check]\nproperties = "
                     "[\"kv_no_overflow\", \"no_eviction\", \"conservation\"]\n[envelope]\n"
                     "max_requests = 2\n[bmc]\nslots = " +
                     std::to_string(slots) + "\narrival = " + arrival + "\ndepth = 4\n");
    return path;
  };
  for (const std::string arrival : {"[10, 12]", "[0, 3]"}) {
    const auto r = run_kvcheck("check " + sh_quote(write(1, arrival).string()));
    EXPECT_EQ(r.status, 151) << arrival << r.out << r.err;
    EXPECT_NE(r.err.find("bmc"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("vacuous"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("BOUNDED_OK"), std::string::npos) << r.out;
  }
  const auto ok = run_kvcheck("check " + sh_quote(write(2, "[0, 3]").string()));
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("BOUNDED_OK(4)"), std::string::npos) << ok.out;
}

// The least activity still counts: one vLLM FCFS request in flight (prompt 2, output 6, decoded
// 0) decodes one token per step for 4 steps on 16 blocks, and the one symbolic arrival comes at
// steps 10..12, after the horizon. Every run schedules a batch of exactly one request, so the
// check is exercised: BOUNDED_OK(4), not a vacuity error.
TEST(PrefixCli, InFlightCheckOfOneDecodingRequestIsExercised) {
  const auto dir = scratch_dir();
  const auto path = dir / "one.toml";
  write_text(path, "[meta]\nname = \"one\"\n[engine]\nblock_size = 1\nnum_blocks = 16\n"
                   "[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = \"explicit\"\nrequests = "
                   "[{ arrival = 100, prompt = 1, output = 1 }]\n[[workload.in_flight]]\nprompt = 2\n"
                   "output = 6\ndecoded = 0\ncount = 1\n[check]\nproperties = [\"kv_no_overflow\", "
                   "\"no_preemption\"]\n[bmc]\nslots = 1\narrival = [10, 12]\ndepth = 4\n");
  const auto r = run_kvcheck("check " + sh_quote(path.string()));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BOUNDED_OK(4)"), std::string::npos) << r.out;
}

TEST(PrefixCli, AnExhaustedRlimitIsUnknown) {
  const auto dir = scratch_dir();
  const auto cfg = write_config(dir, 8);
  const auto r = run_kvcheck("check " + sh_quote(cfg.string()) + " --from-step 2 --rlimit 1");
  EXPECT_EQ(r.status, 5) << r.out << r.err;
  EXPECT_NE(r.out.find("solver unknown"), std::string::npos) << r.out;
}

// The deployment's pool (8,576 blocks of 16): from the fullest state of 8 long requests (8,499
// blocks held), 2 symbolic arrivals preempt one step later; the 1,001-state trace replays on the
// simulator (~3 s in all; the CPU decode engine takes minutes at this size, see the small case).
TEST(PrefixCli, AzureEngineCascadeFromTheFullestState) {
  const auto dir = scratch_dir();
  const auto r = run_kvcheck("check configs/vllm_fcfs_azure_cascade.toml --from-step auto --out " +
                             sh_quote(dir.string()));
  ASSERT_EQ(r.status, 12) << r.out << r.err;
  EXPECT_NE(r.out.find("8 resident, 8499 of 8576 blocks held"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("VIOLATED no_preemption at step 1000"), std::string::npos) << r.out;
  const auto rr =
      run_kvcheck("replay " + sh_quote((dir / "vllm_fcfs_azure_cascade.bmc.itf.json").string()));
  EXPECT_EQ(rr.status, 0) << rr.out << rr.err;
  EXPECT_NE(rr.out.find("REPRODUCED [sim]: reproduced (1001 states)"), std::string::npos) << rr.out;
}

TEST(PrefixCli, BadStepsAreOneLineConfigErrors) {
  const auto dir = scratch_dir();
  const auto cfg = sh_quote(write_config(dir, 8).string());
  expect_error(run_kvcheck("check " + cfg + " --from-step -3"), 151, {"--from-step", ">= 0"});
  expect_error(run_kvcheck("check " + cfg + " --from-step x"), 151, {"--from-step", "auto"});
  expect_error(run_kvcheck("check " + cfg + " --from-step 500"), 151,
               {"--from-step", "past the end of the workload"});
}

}  // namespace
}  // namespace kvcheck::testing
