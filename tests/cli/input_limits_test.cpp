// Issue 12's reproducers, end to end on the built binary: extreme numeric input is a one-line
// error with exit 151 (config) or 150 (trace) naming file and field, never a hang, an
// out-of-memory exit 255 or a silently wrong verdict. Every run is under `timeout 20`, so a
// hang shows as exit 124.
#include <gtest/gtest.h>

#include <string>

#include "cli_harness.h"

namespace kvcheck {
namespace {

using testing::CliRun;
using testing::expect_error;
using testing::run_kvcheck;
using testing::scratch_dir;
using testing::sh_quote;
using testing::write_text;

/// Runs `kvcheck ARGS` under a 20 s timeout (a hang is exit 124).
CliRun run_bounded(const std::string& args) { return run_kvcheck(args, "timeout 20"); }

/// Writes `text` as NAME under the test's scratch directory; returns the quoted path.
std::string config(const std::string& name, const std::string& text) {
  const auto p = scratch_dir() / name;
  write_text(p, text);
  return sh_quote(p.string());
}

const std::string kEngine = "[engine]\nnum_blocks = 64\n[policy]\nname = \"vllm_fcfs\"\n";
const std::string kExplicit =
    "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 2, output = 2 }]\n";

std::string poisson(const std::string& rate) {
  return kEngine + "[workload]\nkind = \"poisson\"\ncount = 10\nrate = " + rate + "\n";
}

TEST(InputLimits, AnalyzeOfAnInfiniteOrHugeRateIsAConfigErrorNotOk) {
  // Was: "inf <= 64 holds", verdict ok, exit 0.
  for (const std::string rate : {"1e308", "inf"}) {
    const auto text = "[engine]\nnum_blocks = 64\nmax_batched_tokens = 64\n[policy]\n"
                      "name = \"sarathi\"\n[[classes]]\nprompt = 2\noutput = 2\nrate = " +
                      rate + "\n[workload]\nkind = \"class_mix\"\ncount = 10\n";
    const auto r = run_bounded("analyze " + config("a.toml", text));
    expect_error(r, 151, {"a.toml", "classes[0].rate"});
  }
  const auto r = run_bounded("analyze " + config("p.toml", poisson("1e308")));
  expect_error(r, 151, {"p.toml", "workload.rate"});
}

TEST(InputLimits, SimulateOfExtremePoissonRatesIsAConfigErrorNotAHang) {
  for (const std::string rate : {"1e308", "inf", "nan", "1e-300", "1e-9"}) {
    SCOPED_TRACE(rate);
    expect_error(run_bounded("simulate " + config("p.toml", poisson(rate))), 151,
                 {"p.toml", "workload.rate"});
  }
  const auto mix = kEngine + "[[classes]]\nprompt = 2\noutput = 2\nrate = 1e19\n"
                             "[workload]\nkind = \"class_mix\"\ncount = 10\n";
  expect_error(run_bounded("simulate " + config("m.toml", mix)), 151,
               {"m.toml", "classes[0].rate"});
}

TEST(InputLimits, FuzzOfATinyRateIsAConfigErrorNotAHang) {
  expect_error(run_bounded("fuzz --runs 2 " + config("p.toml", poisson("1e-300"))), 151,
               {"p.toml", "workload.rate"});
}

TEST(InputLimits, FuzzRatesOutsideTheRangeAreConfigErrors) {
  // [fuzz] rate = 1e-300 made exp(-rate) == 1 and the arrival tables divide 0 by 0.
  for (const std::string rate : {"1e-300", "1e-9", "inf", "2e6"}) {
    SCOPED_TRACE(rate);
    expect_error(run_bounded("fuzz --runs 2 " +
                             config("f.toml", poisson("1.0") + "[fuzz]\nrate = " + rate + "\n")),
                 151, {"f.toml", "fuzz.rate"});
  }
}

TEST(InputLimits, SimulateOutOfExtremeTimeUnitsIsAConfigErrorNotAHang) {
  const auto dir = scratch_dir();
  for (const std::string unit : {"1e308", "inf", "5e-324"}) {
    SCOPED_TRACE(unit);
    const auto text = kEngine + "[time]\nunit = " + unit + "\n" + kExplicit;
    write_text(dir / "u.toml", text);
    expect_error(run_bounded("simulate " + sh_quote((dir / "u.toml").string()) + " --out " +
                             sh_quote((dir / "out").string())),
                 151, {"u.toml", "time.unit"});
  }
  write_text(dir / "t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                            "2023-11-16 18:15:46.6805900,4,2\n2023-11-16 18:15:47.6805900,4,2\n");
  write_text(dir / "t.toml", kEngine + "[workload]\nkind = \"trace\"\npath = \"t.csv\"\n"
                                       "time_scale = 1.7e308\n");
  expect_error(run_bounded("simulate " + sh_quote((dir / "t.toml").string()) + " --out " +
                           sh_quote((dir / "out").string())),
               151, {"t.toml", "workload.time_scale"});
}

TEST(InputLimits, RequestCountsBeyondMemoryAreRefusedUpFront) {
  // Was: 79 s, then exit 255 "out of memory".
  const auto text = kEngine + "[workload]\nkind = \"deterministic\"\ncount = 100000000\n";
  expect_error(run_bounded("simulate " + config("c.toml", text)), 151,
               {"c.toml", "workload.count"});
}

TEST(InputLimits, FuzzStabilityRunBeyondMemoryIsRefusedUpFront) {
  // configs/p2_wait_safe.toml with burst = 1048576: the stability run would generate
  // 1048576 x 2000 requests. Was: 82 s, then exit 255 "out of memory".
  const auto text =
      "[engine]\nblock_size = 1\nnum_blocks = 32\n[policy]\nname = \"p2_wait\"\n"
      "[[classes]]\nname = \"t\"\nprompt = 2\noutput = 3\nthreshold = 2\n"
      "[workload]\nkind = \"deterministic\"\ncount = 200\nburst = 1048576\ninterval = 1\n"
      "prompt = 2\noutput = 3\n[check]\nproperties = [\"progress\", \"kv_no_overflow\"]\n"
      "max_steps = 30\n";
  expect_error(run_bounded("fuzz --runs 2 " + config("f.toml", text)), 151,
               {"f.toml", "fuzz.stability.horizon"});
}

TEST(InputLimits, ExploreDefaultQueueWindowHonoursTheCap) {
  // Was: exit 255 at once (queue_window defaulted to num_blocks + 1, past the 4096 cap).
  const auto text =
      "[engine]\nblock_size = 1\nnum_blocks = 2147483648\n[policy]\nname = \"p2_fcfs\"\n"
      "[[classes]]\nprompt = 1\noutput = 2\nrate = 4.0\n"
      "[workload]\nkind = \"deterministic\"\ncount = 10\n"
      "[explore]\nmode = \"saturated\"\nmin_arrivals_per_step = 4\nmax_arrivals_per_step = 4\n";
  expect_error(run_bounded("explore " + config("e.toml", text)), 151,
               {"e.toml", "explore.queue_window"});
}

TEST(InputLimits, NonRegularConfigFilesAreRefusedBeforeReading) {
  // Was: `simulate /dev/zero` read until memory ran out.
  expect_error(run_bounded("simulate /dev/zero"), 151, {"/dev/zero", "not a regular file"});
}

TEST(InputLimits, SectionsWithoutFieldsRejectEveryKey) {
  const auto text = kEngine + kExplicit + "[prove]\nmax_k = \"banana\"\n";
  expect_error(run_bounded("simulate " + config("p.toml", text)), 151, {"p.toml", "prove.max_k"});
  const auto gpu = kEngine + kExplicit + "[gpu]\nmax_k = 3\n";
  expect_error(run_bounded("simulate " + config("g.toml", gpu)), 151, {"g.toml", "gpu.max_k"});
}

TEST(InputLimits, TomlSyntaxErrorsAreOneLine) {
  // toml++'s description of `tru` spans two lines; the error must stay one line.
  const auto r = run_bounded("simulate " + config("s.toml", "[engine]\nchunked_prefill = tru\n"));
  expect_error(r, 151, {"s.toml", "TOML syntax"});
}

}  // namespace
}  // namespace kvcheck
