// vLLM bench serve's workloads (io/bench_workload.h, kinds "random" and "dataset") and the
// closed-loop key: RandomDataset's length bounds computed by hand from vLLM's formula
// (vllm/benchmarks/datasets/random.py: [floor(L (1 - r)), ceil(L (1 + r))], outputs >= 1), the
// gamma inter-arrival times' moments (vllm/benchmarks/serve.py get_request: shape k, scale
// 1 / (rate k)), and the one-line config errors of every bad value.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/bench_workload.h"
#include "io/config.h"
#include "io/envelope.h"
#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

const std::string kHead = "[engine]\nnum_blocks = 28180\nblock_size = 16\n"
                          "[policy]\nname = \"vllm_fcfs\"\n";

Config random_config(const std::string& keys) {
  return parse_config(kHead + "[workload]\nkind = \"random\"\n" + keys, "c.toml");
}

// L = 1024, r = 0.5: [floor(512), ceil(1536)] = [512, 1536]; O = 128: [64, 192].
// L = 7, r = 0.3: 7 x 0.7 = 4.9 -> 4, 7 x 1.3 = 9.1 -> 10. O = 1, r = 0.9: floor(0.1) = 0,
// clamped to 1; ceil(1.9) = 2.
TEST(RandomDataset, BoundsAreVllmsFloorAndCeil) {
  const auto in = random_input_bounds(1024, 0.5);
  EXPECT_EQ(in.lo, 512);
  EXPECT_EQ(in.hi, 1536);
  const auto out = random_output_bounds(128, 0.5);
  EXPECT_EQ(out.lo, 64);
  EXPECT_EQ(out.hi, 192);
  EXPECT_EQ(random_input_bounds(7, 0.3).lo, 4);
  EXPECT_EQ(random_input_bounds(7, 0.3).hi, 10);
  EXPECT_EQ(random_output_bounds(1, 0.9).lo, 1);
  EXPECT_EQ(random_output_bounds(1, 0.9).hi, 2);
}

// range_ratio 0: every prompt is exactly prefix + input_len, every output exactly output_len;
// request_rate inf: every request at time 0; 1000 prompts by default.
TEST(RandomDataset, RatioZeroGivesExactLengths) {
  const auto c = random_config("input_len = 300\noutput_len = 20\nprefix_len = 12\n");
  const auto w = build_workload(c);
  ASSERT_EQ(w.requests.size(), 1000U);
  EXPECT_EQ(w.clock, ArrivalClock::Timed);
  EXPECT_EQ(w.max_concurrency, 0);
  for (const auto& r : w.requests) {
    EXPECT_EQ(r.prompt, 312);
    EXPECT_EQ(r.output, 20);
    EXPECT_EQ(r.arrival_time, 0.0);
  }
}

// r = 0.5 around 1024 / 128 with a prefix of 10: prompts in [522, 1546], outputs in [64, 192],
// and both ends are reached in 5000 draws (each end has probability 1/1025, 1/129 per draw).
TEST(RandomDataset, LengthsStayInVllmsRangeAndReachBothEnds) {
  const auto c = random_config(
      "range_ratio = 0.5\nprefix_len = 10\nnum_prompts = 5000\nmax_concurrency = 64\n");
  const auto w = build_workload(c);
  ASSERT_EQ(w.requests.size(), 5000U);
  EXPECT_EQ(w.max_concurrency, 64);
  std::int64_t plo = 1 << 30, phi = 0, olo = 1 << 30, ohi = 0;
  for (const auto& r : w.requests) {
    plo = std::min(plo, r.prompt), phi = std::max(phi, r.prompt);
    olo = std::min(olo, r.output), ohi = std::max(ohi, r.output);
  }
  EXPECT_GE(plo, 522);
  EXPECT_LE(phi, 1546);
  EXPECT_EQ(olo, 64);
  EXPECT_EQ(ohi, 192);
  // the envelope states the same hull
  const auto e = workload_envelope(c);
  EXPECT_EQ(e.classes.front().prompt, (LengthRange{522, 1546}));
  EXPECT_EQ(e.classes.front().output, (LengthRange{64, 192}));
  EXPECT_EQ(e.max_requests, 5000);
  EXPECT_EQ(e.max_concurrency, 64);
}

// Gamma(k, 1) has mean k and variance k. Scaled by 1 / (rate k), gaps have mean 1 / rate and
// variance 1 / (k rate^2); k = 1 is the exponential (variance = mean^2). 10^5 draws: the
// sample mean's standard error is 0.3 % of the mean for k = 1, so 2 % is far outside noise.
TEST(GammaSampler, MomentsMatchTheGammaDistribution) {
  for (const double k : {0.5, 1.0, 4.0}) {
    SCOPED_TRACE(k);
    std::uint64_t rng = 42;
    const int n = 100'000;
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < n; ++i) {
      const double g = gamma_sample(rng, k);
      ASSERT_GE(g, 0.0);
      sum += g;
      sq += g * g;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    EXPECT_NEAR(mean, k, 0.02 * k);
    EXPECT_NEAR(var, k, 0.05 * k);
  }
}

// vLLM's send times at rate 4/s, burstiness 1: gaps exponential with mean 0.25 s; the times are
// then scaled so that the last is exactly n / rate = 25000 s. Before that scaling the mean gap
// is 1 / rate within a few %, so the factor is within a few % of 1.
TEST(GammaSampler, SendTimesEndAtNOverRate) {
  std::uint64_t rng = 7;
  const auto t = bench_send_times(rng, 100'000, 4.0, 1.0);
  ASSERT_EQ(t.size(), 100'000U);
  EXPECT_DOUBLE_EQ(t.back(), 25'000.0);
  double var = 0.0;
  for (std::size_t i = 1; i < t.size(); ++i) {
    ASSERT_GE(t[i], t[i - 1]);
    const double d = t[i] - t[i - 1] - 0.25;
    var += d * d;
  }
  var /= static_cast<double>(t.size() - 1);
  EXPECT_NEAR(var, 0.0625, 0.0625 * 0.05);  // exponential: variance = mean^2
  EXPECT_GT(t.front(), 0.0);                // the first request waits one gap, as in vLLM
  std::uint64_t r2 = 7;
  for (double x : bench_send_times(r2, 10, std::numeric_limits<double>::infinity(), 1.0))
    EXPECT_EQ(x, 0.0);
}

TEST(RandomDataset, SameSeedSameWorkload) {
  const auto a = build_workload(random_config("range_ratio = 0.3\nrequest_rate = 2.5\n"));
  const auto b = build_workload(random_config("range_ratio = 0.3\nrequest_rate = 2.5\n"));
  ASSERT_EQ(a.requests.size(), b.requests.size());
  for (std::size_t i = 0; i < a.requests.size(); ++i) {
    EXPECT_EQ(a.requests[i].prompt, b.requests[i].prompt);
    EXPECT_EQ(a.requests[i].arrival_time, b.requests[i].arrival_time);
  }
  EXPECT_DOUBLE_EQ(a.requests.back().arrival_time, 1000 / 2.5);
}

TEST(DatasetWorkload, ReadsPromptOutputRowsWithOptionalHeader) {
  const auto dir = std::filesystem::temp_directory_path() / "kvcheck_dataset_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "lens.csv");
    f << "prompt,output\n100,7\n2000,1\n\n33,44\n";
  }
  {
    std::ofstream f(dir / "bad.csv");
    f << "100,7\n12,x\n";
  }
  const auto c = parse_config(kHead + "[workload]\nkind = \"dataset\"\npath = \"lens.csv\"\n"
                                      "max_concurrency = 2\nrequest_rate = 10.0\n",
                              dir / "c.toml");
  const auto w = build_workload(c);
  ASSERT_EQ(w.requests.size(), 3U);
  EXPECT_EQ(w.requests[1].prompt, 2000);
  EXPECT_EQ(w.requests[2].output, 44);
  EXPECT_EQ(w.max_concurrency, 2);
  EXPECT_DOUBLE_EQ(w.requests.back().arrival_time, 0.3);  // n / rate = 3 / 10
  const auto bad = parse_config(kHead + "[workload]\nkind = \"dataset\"\npath = \"bad.csv\"\n",
                                dir / "c.toml");
  try {
    (void)build_workload(bad);
    ADD_FAILURE() << "bad row accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "line 2");
    EXPECT_EQ(e.file(), (dir / "bad.csv").string());
  }
}

struct Bad {
  std::string workload;
  std::string field, reason_part;
};

// Each bad value is one InputError (exit 151) naming c.toml, the field and the reason.
TEST(BenchConfigErrors, EachBadValueIsOneLineNamingFileAndField) {
  const Bad cases[] = {
      {"kind = \"random\"\nmax_concurrency = 0\n", "workload.max_concurrency", "[1, "},
      {"kind = \"random\"\nmax_concurrency = -3\n", "workload.max_concurrency", "got -3"},
      {"kind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\nmax_concurrency = 0\n",
       "workload.max_concurrency", "got 0"},
      {"kind = \"random\"\nrange_ratio = 1.5\n", "workload.range_ratio", "[0, 1)"},
      {"kind = \"random\"\nrange_ratio = 1.0\n", "workload.range_ratio", "[0, 1)"},
      {"kind = \"random\"\ninput_len = 1\nrange_ratio = 0.5\n", "workload.input_len", "empty"},
      {"kind = \"random\"\nnum_prompts = 0\n", "workload.num_prompts", "> 0"},
      {"kind = \"random\"\nrequest_rate = \"fast\"\n", "workload.request_rate", "\"inf\""},
      {"kind = \"random\"\nrequest_rate = 0.0\n", "workload.request_rate", "got 0"},
      {"kind = \"random\"\nburstiness = 0.0\n", "workload.burstiness", "got 0"},
      {"kind = \"random\"\npath = \"x.csv\"\n", "workload.path", "not used"},
      {"kind = \"dataset\"\npath = \"no_such_file.csv\"\n", "workload.path",
       "cannot open dataset file"},
      {"kind = \"dataset\"\n", "workload.path", "missing"},
  };
  for (const auto& b : cases) {
    SCOPED_TRACE(b.workload);
    try {
      (void)parse_config(kHead + "[workload]\n" + b.workload, "c.toml");
      ADD_FAILURE() << "loaded";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::ConfigError);
      EXPECT_EQ(e.file(), "c.toml");
      EXPECT_EQ(e.field(), b.field);
      EXPECT_NE(e.reason().find(b.reason_part), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

TEST(BenchConfig, RequestRateAcceptsInfAsStringOrTomlInf) {
  EXPECT_TRUE(std::isinf(random_config("request_rate = \"inf\"\n").workload.request_rate));
  EXPECT_TRUE(std::isinf(random_config("request_rate = inf\n").workload.request_rate));
  EXPECT_TRUE(std::isinf(random_config("").workload.request_rate));
  EXPECT_EQ(random_config("request_rate = 3\n").workload.request_rate, 3.0);
}

}  // namespace
}  // namespace kvcheck
