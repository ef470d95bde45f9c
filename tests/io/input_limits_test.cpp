// Extreme numeric input (issue 12): non-finite floats, rates, times, counts and file sizes
// outside what the machine can hold are one-line InputErrors naming the file and the field, at
// load; the generators stay bounded and exact whatever they are given. Expected limits are the
// ones docs/config.md states.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "io/config.h"
#include "io/input_error.h"
#include "io/toml_section.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

const std::string kEngine = "[engine]\nnum_blocks = 64\n[policy]\nname = \"vllm_fcfs\"\n";
const std::string kExplicit =
    "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2 }]\n";

std::string poisson(const std::string& fields) {
  return kEngine + "[workload]\nkind = \"poisson\"\ncount = 10\n" + fields + "\n";
}

std::string class_mix(const std::string& rate) {
  return kEngine + "[[classes]]\nprompt = 2\noutput = 2\nrate = " + rate +
         "\n[workload]\nkind = \"class_mix\"\ncount = 10\n";
}

/// The InputError `parse_config(text)` throws (a failed test if it loads).
InputError config_failure(const std::string& text) {
  try {
    (void)parse_config(text, "c.toml");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "loaded:\n" << text;
  return config_error("", "", "");
}

struct Case {
  std::string text;
  const char* field;
};

void expect_config_errors(std::initializer_list<Case> cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto e = config_failure(c.text);
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.file(), "c.toml");
    EXPECT_EQ(e.field(), c.field) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
}

TEST(NonFinite, EveryFloatFieldRejectsInfAndNan) {
  for (const std::string v : {"inf", "+inf", "-inf", "nan", "-nan"}) {
    SCOPED_TRACE(v);
    expect_config_errors({
        {class_mix(v), "classes[0].rate"},
        {poisson("rate = " + v), "workload.rate"},
        {kEngine + "[time]\nunit = " + v + "\n" + kExplicit, "time.unit"},
        {kEngine + "[time]\nd0 = " + v + "\n" + kExplicit, "time.d0"},
        {kEngine + "[time]\nd1 = " + v + "\n" + kExplicit, "time.d1"},
        {kEngine + "[time]\nc = " + v + "\n" + kExplicit, "time.c"},
        {kEngine + "[time]\na = " + v + "\n" + kExplicit, "time.a"},
        {kEngine + "[time]\nla = " + v + "\n" + kExplicit, "time.la"},
        {kEngine + "[time]\nlb = " + v + "\n" + kExplicit, "time.lb"},
        {kEngine + "[time]\nlc = " + v + "\n" + kExplicit, "time.lc"},
        {kEngine + "[time]\nld = " + v + "\n" + kExplicit, "time.ld"},
        {kEngine + "[workload]\nkind = \"trace\"\npath = \"t.csv\"\ntime_scale = " + v + "\n",
         "workload.time_scale"},
    });
  }
}

TEST(NonFinite, TomlSectionNumberRejectsThemWhateverTheBounds) {
  // The one reader every section ([fuzz], [explore], [bmc] too) goes through.
  for (const std::string v : {"inf", "-inf", "nan"}) {
    const auto t = parse_toml("x = " + v + "\n", "s.toml");
    TomlSection s(&t, "s.toml", "sec");
    try {
      (void)s.number("x", 0.0, -1e300);
      ADD_FAILURE() << v << " accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "sec.x");
      EXPECT_NE(e.reason().find("finite"), std::string::npos) << e.what();
    }
  }
}

TEST(Rates, OutsideTheStatedRangeAreRejectedAtLoad) {
  // Rates are arrivals per step: 0 < rate in [1e-6, 1e6] (docs/config.md).
  expect_config_errors({
      {poisson("rate = 1e308"), "workload.rate"},
      {poisson("rate = 1e7"), "workload.rate"},
      {poisson("rate = 1e-300"), "workload.rate"},
      {poisson("rate = 1e-9"), "workload.rate"},
      {poisson("rate = 0.0"), "workload.rate"},
      {class_mix("1e19"), "classes[0].rate"},
      {class_mix("1e308"), "classes[0].rate"},
      {class_mix("1e-300"), "classes[0].rate"},
  });
  // The bounds themselves load; a class may have rate 0 (no arrivals).
  EXPECT_EQ(parse_config(poisson("rate = 1e6"), "c.toml").workload.rate, 1e6);
  EXPECT_EQ(parse_config(poisson("rate = 1e-6"), "c.toml").workload.rate, 1e-6);
  EXPECT_EQ(parse_config(class_mix("0.0") + "", "c.toml").model.classes[0].rate, 0.0);
}

TEST(Times, UnitsAndScalesOutsideTheStatedRangeAreRejected) {
  // [time] coefficients and workload.time_scale: 0 or in [1e-15, 1e6].
  const auto trace = [](const std::string& v) {
    return kEngine + "[workload]\nkind = \"trace\"\npath = \"t.csv\"\ntime_scale = " + v + "\n";
  };
  expect_config_errors({
      {kEngine + "[time]\nunit = 1e308\n" + kExplicit, "time.unit"},
      {kEngine + "[time]\nunit = 5e-324\n" + kExplicit, "time.unit"},
      {kEngine + "[time]\nunit = 1e-16\n" + kExplicit, "time.unit"},
      {kEngine + "[time]\nmodel = \"p2_linear\"\nd0 = 2e6\n" + kExplicit, "time.d0"},
      {kEngine + "[time]\nmodel = \"linear\"\nld = 1e-320\n" + kExplicit, "time.ld"},
      {trace("1.7e308"), "workload.time_scale"},
      {trace("5e-324"), "workload.time_scale"},
  });
  EXPECT_EQ(parse_config(kEngine + "[time]\nunit = 0.0\n" + kExplicit, "c.toml").time.unit, 0.0);
  EXPECT_EQ(parse_config(kEngine + "[time]\nunit = 1e6\n" + kExplicit, "c.toml").time.unit, 1e6);
  EXPECT_EQ(parse_config(kEngine + "[time]\nunit = 1e-15\n" + kExplicit, "c.toml").time.unit,
            1e-15);
}

TEST(Counts, RequestsBeyondTheMemoryLimitAreRejected) {
  // At most 10^7 requests in a workload (count + backlog), about 2 GB of simulator state.
  const auto det = [](const std::string& f) {
    return kEngine + "[workload]\nkind = \"deterministic\"\n" + f + "\n";
  };
  expect_config_errors({
      {det("count = 100000000"), "workload.count"},
      {det("count = 10000001"), "workload.count"},
      {det("count = 6000000\nbacklog = 6000000"), "workload.backlog"},
      {det("count = 10\nburst = 10000001"), "workload.burst"},
      {det("count = 10\ninterval = 1099511627777"), "workload.interval"},
      {det("count = 10000\ninterval = 1000000000"), "workload.interval"},
      {det("count = 10\nprompt = 1073741825"), "workload.prompt"},
      {det("count = 10\noutput = 1073741825"), "workload.output"},
      {kEngine + "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 1099511627777, "
                 "prompt = 1, output = 1 }]\n",
       "workload.requests[0].arrival"},
      {kEngine + "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1073741825, "
                 "output = 1 }]\n",
       "workload.requests[0].prompt"},
      {kEngine + "[[classes]]\nprompt = 1073741825\noutput = 1\n" + kExplicit,
       "classes[0].prompt"},
      {"[engine]\nkv_capacity_tokens = 1099511627776\n[policy]\nname = \"vllm_fcfs\"\n" +
           kExplicit,
       "engine.kv_capacity_tokens"},
  });
  EXPECT_EQ(parse_config(det("count = 10000000"), "c.toml").workload.count, 10'000'000);
  // The last deterministic arrival may be at step 2^40 exactly: (2 - 1) / 1 * 2^40.
  EXPECT_NO_THROW(parse_config(det("count = 2\ninterval = 1099511627776"), "c.toml"));
}

// The last deterministic arrival is ((count - 1) / burst) x interval and may be 2^40 at most
// (2^40 = 1099511627776, 2^39 = 549755813888), counted by hand:
//   count 3, burst 1, interval 2^39:     2 x 2^39 = 2^40          -> accepted
//   count 3, burst 1, interval 2^39 + 1: 2 x (2^39 + 1) = 2^40 + 2 -> workload.interval
//   count 5, burst 2, interval 2^39 + 1: (4 / 2) = 2 groups, same  -> workload.interval
//   count 4, burst 2, interval 2^40:     (3 / 2) = 1 group: 2^40   -> accepted
TEST(Counts, LastDeterministicArrivalAtStepTwoToTheFortyAtMost) {
  const auto det = [](const std::string& f) {
    return kEngine + "[workload]\nkind = \"deterministic\"\n" + f + "\n";
  };
  expect_config_errors({
      {det("count = 3\ninterval = 549755813889"), "workload.interval"},
      {det("count = 5\nburst = 2\ninterval = 549755813889"), "workload.interval"},
  });
  EXPECT_NO_THROW(parse_config(det("count = 3\ninterval = 549755813888"), "c.toml"));
  EXPECT_NO_THROW(parse_config(det("count = 4\nburst = 2\ninterval = 1099511627776"), "c.toml"));
}

TEST(Sections, ProveAndGpuHaveNoFieldsSoAnyKeyIsAnError) {
  expect_config_errors({
      {kEngine + kExplicit + "[prove]\nmax_k = \"banana\"\n", "prove.max_k"},
      {kEngine + kExplicit + "[gpu]\ndevice = 0\n", "gpu.device"},
      {"prove = 3\n" + kEngine + kExplicit, "prove"},
      {"gpu = \"x\"\n" + kEngine + kExplicit, "gpu"},
  });
  EXPECT_NO_THROW(parse_config(kEngine + kExplicit + "[prove]\n[gpu]\n", "c.toml"));
}

TEST(OneLine, TomlSyntaxErrorsWithNewlinesBecomeOneLine) {
  const auto e = config_failure(kEngine + kExplicit + "[check]\nchunked = tru\n");
  EXPECT_EQ(e.code(), ExitCode::ConfigError);
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find('\r'), std::string::npos) << e.what();
  const auto e2 = config_failure("[engine]\nchunked_prefill = tru\n");
  EXPECT_EQ(std::string(e2.what()).find('\n'), std::string::npos) << e2.what();
}

TEST(OneLine, InputErrorFlattensEveryControlCharacter) {
  const auto e = trace_error("dir\n/f.json", "a\r\nb", "line one\nline two\ttab");
  const std::string what = e.what();
  EXPECT_EQ(what, "dir /f.json: a  b: line one line two tab");
  EXPECT_EQ(e.reason(), "line one line two tab");
  EXPECT_EQ(e.field(), "a  b");
  EXPECT_EQ(e.file(), "dir /f.json");
}

std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::path(KVCHECK_BINARY_DIR) / "test-out" / "io-limits";
  std::filesystem::create_directories(dir);
  return dir / name;
}

/// A sparse file of `bytes` zero bytes (takes no disk space).
std::filesystem::path sparse(const std::string& name, std::uintmax_t bytes) {
  const auto p = scratch(name);
  std::ofstream(p, std::ios::binary).put('x');
  std::filesystem::resize_file(p, bytes);
  return p;
}

TEST(Files, ConfigsLargerThan64MiBOrNotRegularAreRefusedBeforeReading) {
  const auto big = sparse("big.toml", (64ULL << 20) + 1);
  try {
    (void)load_config(big);
    ADD_FAILURE() << "loaded";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.file(), big.string());
    EXPECT_NE(e.reason().find("64 MiB"), std::string::npos) << e.what();
  }
  const auto dir = scratch("a_directory.toml");
  std::filesystem::create_directories(dir);
  for (const auto& p : {dir, std::filesystem::path("/dev/zero")}) {
    try {
      (void)load_config(p);
      ADD_FAILURE() << "loaded " << p;
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::ConfigError);
      EXPECT_NE(e.reason().find("not a regular file"), std::string::npos) << e.what();
    }
  }
}

TEST(Files, TracesLargerThan256MiBOrNotRegularAreRefusedBeforeReading) {
  const auto big = sparse("big.csv", (256ULL << 20) + 1);
  for (const auto& p : {big, std::filesystem::path("/dev/zero")}) {
    try {
      (void)load_azure_csv(p, 1.0, 0);
      ADD_FAILURE() << "loaded " << p;
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::TraceParseError);
      EXPECT_EQ(e.file(), p.string());
      EXPECT_TRUE(e.reason().find("256 MiB") != std::string::npos ||
                  e.reason().find("not a regular file") != std::string::npos)
          << e.what();
    }
  }
}

TEST(Files, TraceValuesOutsideTheLimitsNameTheLineAndColumn) {
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string row0 = "2023-11-16 18:15:46.0000000,4,2\n";
  const struct {
    std::string rows;
    double time_scale;
    const char* field;
  } cases[] = {
      {"2023-11-16 18:15:46.0000000,1073741825,2\n", 1.0, "line 2: ContextTokens"},
      {row0 + "2023-11-16 18:15:47.0000000,4,1073741825\n", 1.0, "line 3: GeneratedTokens"},
      // tests/fuzz_readers/regressions/csv/open/timestamp_year_int_min.csv: the year went into
      // int arithmetic that overflowed (undefined behaviour).
      {"-2147483648-01-16 18:15:46.6805900,374,44\n", 1.0, "line 2: TIMESTAMP"},
      {"2147483648-01-16 18:15:46.6805900,374,44\n", 1.0, "line 2: TIMESTAMP"},
      {"0-01-16 18:15:46.6805900,374,44\n", 1.0, "line 2: TIMESTAMP"},
      {"2023-11-16 18:15:nan,374,44\n", 1.0, "line 2: TIMESTAMP"},
      // 2 s x 1.7e308 overflows to inf (a scale past the config's limit, e.g. from a flag).
      {row0 + "2023-11-16 18:15:48.0000000,4,2\n", 1.7e308, "line 3: TIMESTAMP"},
  };
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rows);
    const auto p = scratch("limits" + std::to_string(i++) + ".csv");
    std::ofstream(p, std::ios::binary) << header << c.rows;
    try {
      (void)load_azure_csv(p, c.time_scale, 0);
      ADD_FAILURE() << "loaded";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::TraceParseError);
      EXPECT_EQ(e.field(), c.field) << e.what();
    }
  }
}

TEST(Generators, PoissonSampleNeverOverflowsToZero) {
  // llround of a huge mean used to overflow (to INT64_MIN, clamped to 0): 0 arrivals forever.
  for (double mean : {1e6, 1e12, 1e19, 1e300, 1.7e308}) {
    std::uint64_t rng = 7;
    for (int i = 0; i < 100; ++i) {
      const auto n = poisson_sample(rng, mean);
      EXPECT_GT(n, 0) << mean;
      // Within 40 standard deviations (checked where a double resolves them).
      if (mean <= 1e12) {
        EXPECT_LT(std::abs(static_cast<double>(n) - mean), 40 * std::sqrt(mean));
      }
    }
  }
  std::uint64_t rng = 7;
  EXPECT_GT(poisson_sample(rng, std::numeric_limits<double>::infinity()), 0);
  EXPECT_EQ(poisson_sample(rng, std::numeric_limits<double>::quiet_NaN()), 0);
}

/// The Poisson workload of `rate` with `count` requests, built without the load-time checks.
Workload raw_poisson(double rate, std::int64_t count, WorkloadKind kind = WorkloadKind::Poisson) {
  Config c = parse_config(class_mix("1.0"), "c.toml");
  c.workload.kind = kind;
  c.workload.rate = rate;
  c.model.classes[0].rate = rate;
  c.workload.count = count;
  c.workload.seed = 3;
  return build_workload(c);
}

TEST(Generators, TinyRatesSkipAheadInsteadOfSteppingThroughTheGap) {
  // rate 1e-6 with 2000 requests: the mean gap is 10^6 steps, so the last arrival is near
  // 2 * 10^9 (a step-by-step generator draws 2 * 10^9 times: minutes). Mean of 2000 gaps:
  // relative standard deviation 1/sqrt(2000) = 2.2 %, so +-15 % is > 6 sigma.
  for (auto kind : {WorkloadKind::Poisson, WorkloadKind::ClassMix}) {
    const auto w = raw_poisson(1e-6, 2000, kind);
    ASSERT_EQ(w.requests.size(), 2000U);
    const double last = static_cast<double>(w.requests.back().arrival_step);
    EXPECT_GT(last, 0.85 * 2e9);
    EXPECT_LT(last, 1.15 * 2e9);
    for (std::size_t i = 1; i < w.requests.size(); ++i)
      ASSERT_LE(w.requests[i - 1].arrival_step, w.requests[i].arrival_step);
  }
}

TEST(Generators, OutOfRangeRatesAreAnErrorEvenAfterLoading) {
  // Specs changed after loading (command-line overrides, the fuzzer's runs) are checked again:
  // 1e-300 would put arrivals past int64, 1e19 overflowed llround (0 arrivals, forever).
  for (double rate : {1e-300, 1e-9, 1e19, 1e308}) {
    for (auto kind : {WorkloadKind::Poisson, WorkloadKind::ClassMix}) {
      try {
        (void)raw_poisson(rate, 10, kind);
        ADD_FAILURE() << "built at rate " << rate;
      } catch (const InputError& e) {
        EXPECT_EQ(e.code(), ExitCode::ConfigError);
        EXPECT_NE(e.field().find("rate"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(Generators, TheLargestRatePutsEveryRequestInTheFirstStep) {
  // Poisson(10^6) arrivals in step 0 are ~10^6 +- 5000, so 1000 requests all arrive there.
  for (auto kind : {WorkloadKind::Poisson, WorkloadKind::ClassMix}) {
    const auto w = raw_poisson(1e6, 1000, kind);
    ASSERT_EQ(w.requests.size(), 1000U);
    EXPECT_EQ(w.requests.back().arrival_step, 0);
  }
}

TEST(Generators, CountsBeyondTheMemoryLimitAreAnErrorEvenAfterLoading) {
  Config c = parse_config(poisson("rate = 1.0"), "c.toml");
  c.workload.count = 100'000'000;
  try {
    (void)build_workload(c);
    ADD_FAILURE() << "built";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "workload.count");
  }
}

}  // namespace
}  // namespace kvcheck
