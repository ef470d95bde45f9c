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
