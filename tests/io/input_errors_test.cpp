// Malformed configs (exit 151) and Azure CSV traces (exit 150) at the library level: each is an
// InputError with the right code naming the file and the exact field; valid input loads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

const std::string kBase =
    "[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n"
    "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 2, output = 2 }]\n";

const std::string kNestedWait =
    "[engine]\nnum_blocks = 16\n[policy]\nname = \"p2_nested_wait\"\n"
    "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 0, prompt = 1, output = 2 }]\n";

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

TEST(ConfigErrors, BaseConfigLoads) {
  const auto c = parse_config(kBase, "c.toml");
  EXPECT_EQ(c.model.engine.num_blocks, 16);
  EXPECT_EQ(c.name, "c");
}

struct Case {
  std::string text;
  const char* field;
};

TEST(ConfigErrors, EachNamesFileAndField) {
  const Case cases[] = {
      {kBase + "[engine2]\n", "engine2"},
      {kBase + "[meta]\nexpect = \"maybe\"\n", "meta.expect"},
      {kBase + "[meta]\nexpect_property = \"fast\"\n", "meta.expect_property"},
      {kBase + "[time]\nmodel = \"quantum\"\n", "time.model"},
      {kBase + "[time]\nmodel = \"p2_linear\"\n", "time.d0"},
      {kBase + "[check]\nmax_steps = 0\n", "check.max_steps"},
      {kBase + "[check]\nproperties = [3]\n", "check.properties[0]"},
      {kBase + "[[classes]]\nprompt = 2\n", "classes[0].output"},
      {kBase + "[[classes]]\nprompt = 2\noutput = 2\nrate = -1.0\n", "classes[0].rate"},
      {"[engine]\nnum_blocks = 16\nkv_capacity_tokens = 16\n[policy]\nname = \"p2_fcfs\"\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\n",
       "engine.num_blocks"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\nwatermark_blocks = 16\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\n",
       "policy.watermark_blocks"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"p1_flow_control\"\nflow_budget_min = 3\n"
       "flow_budget_max = 2\n[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\n",
       "policy.flow_budget_max"},
      // Algorithm 2 with a zero budget admits nothing, silently (issue 16); the field named is
      // the one given
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"p1_flow_control\"\nflow_budget_max = 0\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\n",
       "policy.flow_budget_max"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"p1_flow_control\"\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\n",
       "policy.flow_budget_min"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"p2_wait\"\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 1, output = 1 }]\n", "classes"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ arrival = 2, prompt = 1, output = 1 },"
       " { arrival = 1, prompt = 1, output = 1 }]\n", "workload.requests[1].arrival"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n"
       "[workload]\nkind = \"explicit\"\nrequests = [{ prompt = 0, output = 1 }]\n",
       "workload.requests[0].prompt"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n[workload]\nkind = \"poisson\"\n",
       "workload.count"},
      {"[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n", "workload"},
      {"[engine]\nnum_blocks = 16\n[policy]\n[workload]\nkind = \"explicit\"\n", "policy.name"},
      // Nested WAIT (models/policies/p2_nested_wait.h): every class is a segment with n_k >= 1,
      // listed by strictly increasing output, thresholds strictly decreasing (Eq. 12)
      {kNestedWait + "[[classes]]\nprompt = 1\noutput = 2\nthreshold = 2\n"
                     "[[classes]]\nprompt = 1\noutput = 4\n",
       "classes[1].threshold"},
      {kNestedWait + "[[classes]]\nprompt = 1\noutput = 2\nthreshold = 2\n"
                     "[[classes]]\nprompt = 1\noutput = 4\nthreshold = 2\n",
       "classes[1].threshold"},
      {kNestedWait + "[[classes]]\nprompt = 1\noutput = 4\nthreshold = 2\n"
                     "[[classes]]\nprompt = 1\noutput = 2\nthreshold = 1\n",
       "classes[1].output"},
      {kNestedWait + "[[classes]]\nprompt = 1\noutput = 2\n", "classes[0].threshold"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto e = config_failure(c.text);
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.file(), "c.toml");
    EXPECT_EQ(e.field(), c.field) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

// A string key with a fixed set of values names them all in the error, in the schema's order
// (docs/config.md: [time] model is one of unit, p2_linear, p4_step, linear, roofline; [engine] requeue
// one of front, back): "a", "b" or "c", on one line.
TEST(ConfigErrors, ABadChoiceListsEveryAllowedValue) {
  const auto model = config_failure(kBase + "[time]\nmodel = \"cubic\"\n");
  EXPECT_EQ(std::string(model.what()),
            "c.toml: time.model: expected \"unit\", \"p2_linear\", \"p4_step\", \"linear\" or "
            "\"roofline\", got \"cubic\"");
  const auto requeue = config_failure(
      "[engine]\nnum_blocks = 16\nrequeue = \"middle\"\n" + kBase.substr(kBase.find("[policy]")));
  EXPECT_EQ(std::string(requeue.what()),
            "c.toml: engine.requeue: expected \"front\" or \"back\", got \"middle\"");
}

/// Writes `text` as a CSV under the build tree and returns its path.
std::filesystem::path csv(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::path(KVCHECK_BINARY_DIR) / "test-out" / "io";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << text;
  return dir / name;
}

const std::string kHeader = "TIMESTAMP,ContextTokens,GeneratedTokens\n";

TEST(AzureCsvErrors, ValidTraceLoads) {
  const auto w = load_azure_csv(csv("ok.csv", kHeader + "2023-11-16 18:15:46.6805900,374,44\n"
                                                       "2023-11-16 18:15:48.1805900,10,2\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 2U);
  EXPECT_NEAR(w.requests[1].arrival_time, 1.5, 1e-6);
}

// Arrival times are exact differences of the TIMESTAMPs, to the trace's 100 ns resolution (as
// one double of seconds since 1970 they were off by up to ~2.4e-7 s: 100 ns came out as
// 2.384e-7 s and 4.314579 s as 4.31457901 s).
TEST(AzureCsvErrors, TimestampDifferencesAreExact) {
  const auto w = load_azure_csv(csv("exact.csv", kHeader + "2023-11-16 18:15:46.6805900,3,4\n"
                                                          "2023-11-16 18:15:46.6805901,3,4\n"
                                                          "2023-11-16 18:15:50.9951690,3,4\n"
                                                          "2023-11-17 18:15:46.6805900,3,4\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 4U);
  EXPECT_EQ(w.requests[0].arrival_time, 0.0);
  EXPECT_DOUBLE_EQ(w.requests[1].arrival_time, 1e-7);
  EXPECT_DOUBLE_EQ(w.requests[2].arrival_time, 4.314579);
  EXPECT_EQ(w.requests[3].arrival_time, 86400.0);
  // nine fraction digits are nanoseconds; a tenth is dropped
  const auto ns = load_azure_csv(csv("ns.csv", kHeader + "2023-11-16 18:15:46.000000001,3,4\n"
                                                      "2023-11-16 18:15:46.0000000029,3,4\n"
                                                      "2023-11-16 18:15:46.5,3,4\n"),
                                 1.0, 0);
  ASSERT_EQ(ns.requests.size(), 3U);
  EXPECT_DOUBLE_EQ(ns.requests[1].arrival_time, 1e-9);
  EXPECT_DOUBLE_EQ(ns.requests[2].arrival_time, 0.5 - 1e-9);
}

// Only the documented form is a TIMESTAMP: trailing text, a missing fraction after the point
// or a signed field is an error (sscanf accepted "46.5xyz" and "+46").
TEST(AzureCsvErrors, TimestampWithTrailingTextIsAnError) {
  for (const char* bad : {"2023-11-16 18:15:46.5xyz", "2023-11-16 18:15:46.", "2023-11-16 18:15:+46",
                          "2023-11-16 18:15:46.5 "}) {
    try {
      load_azure_csv(csv("trail.csv", kHeader + bad + ",3,4\n"), 1.0, 0);
      ADD_FAILURE() << bad;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "line 2: TIMESTAMP") << e.what();
    }
  }
}

// A leap second (seconds in [60, 61)) is a valid TIMESTAMP.
TEST(AzureCsvErrors, LeapSecondLoads) {
  const auto w = load_azure_csv(csv("leap.csv", kHeader + "2016-12-31 23:59:59.5000000,3,4\n"
                                                         "2016-12-31 23:59:60.9990000,3,4\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 2U);
  EXPECT_NEAR(w.requests[1].arrival_time, 1.499, 1e-6);
}

TEST(AzureCsvErrors, EachNamesFileLineAndColumn) {
  const Case cases[] = {
      {"", "line 1"},
      {"a,b,c\n1,2,3\n", "line 1"},
      {kHeader + "2023-11-16 18:15:46.6805900,374\n", "line 2"},
      {kHeader + "yesterday,374,44\n", "line 2: TIMESTAMP"},
      {kHeader + "2023-11-16 18:15:46.6805900,0,44\n", "line 2: ContextTokens"},
      {kHeader + "2023-11-16 18:15:46.6805900,3,x\n", "line 2: GeneratedTokens"},
      {kHeader + "2023-11-16 18:15:46.6805900,3,4\n2023-11-16 18:15:45.0000000,3,4\n",
       "line 3: TIMESTAMP"},
      {kHeader + "2023-11-16 18:15:61.0000000,3,4\n", "line 2: TIMESTAMP"},  // seconds < 61
      {kHeader + "2023-11-16 18:15:61.5000000,3,4\n", "line 2: TIMESTAMP"},
      {kHeader, ""},
  };
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto path = csv("bad" + std::to_string(i++) + ".csv", c.text);
    try {
      (void)load_azure_csv(path, 1.0, 0);
      ADD_FAILURE() << "loaded";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), ExitCode::TraceParseError);
      EXPECT_EQ(e.file(), path.string());
      EXPECT_EQ(e.field(), c.field) << e.what();
    }
  }
}

// TIMESTAMP differences across month, year and leap-day boundaries, by the calendar (each
// difference counted by hand in days):
//   2023-01-31 12:00 -> 2023-02-01 12:00:  1 day                       =    86400 s
//   -> 2023-03-01 12:00: February 2023 has 28 days                     = 28 * 86400
//   -> 2024-02-29 12:00: Mar 2023..Feb 2024 = 365 days + 1 for the leap day (2024) - 1 = 365
//      (2023-03-01 -> 2024-03-01 is 366 days as it spans 2024-02-29; one day earlier: 365)
//   -> 2024-03-01 12:00:  1 day (after the leap day)
//   -> 2025-01-01 00:00: Mar 1 .. Dec 31 2024 = 306 days to 2025-01-01 12:00, minus 12 h
// arrival_time is seconds since the first row.
TEST(AzureCsvCalendar, DifferencesAcrossMonthsYearsAndLeapDays) {
  const auto w = load_azure_csv(csv("cal.csv", kHeader + "2023-01-31 12:00:00.0,3,4\n"
                                                         "2023-02-01 12:00:00.0,3,4\n"
                                                         "2023-03-01 12:00:00.0,3,4\n"
                                                         "2024-02-29 12:00:00.0,3,4\n"
                                                         "2024-03-01 12:00:00.0,3,4\n"
                                                         "2025-01-01 00:00:00.0,3,4\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 6U);
  const double day = 86400.0;
  double t = 0;
  const double steps[] = {1 * day, 28 * day, 365 * day, 1 * day, 306 * day - 12 * 3600.0};
  for (std::size_t i = 0; i < 5; ++i) {
    t += steps[i];
    EXPECT_NEAR(w.requests[i + 1].arrival_time, t, 1e-3) << "row " << i + 2;
  }
}

// Across the civil calendar's 400-year cycle (days are counted per era of 400 years, March-
// based, so an era starts on 2000-03-01): 2000 is a leap year (divisible by 400), so
// 2000-02-29 23:59:59 is followed one second later by 2000-03-01 00:00:00; and 1999-12-31
// 23:59:59 -> 2000-01-01 00:00:00 is one second too. Rows: 1999-12-31 23:59:59 (t = 0),
// 2000-01-01 00:00:00 (1 s), 2000-02-29 23:59:59 (the same time of day 31 days (January) + 29
// days (February 2000) later: 60 days), 2000-03-01 00:00:00 (one second later: 60 days + 1 s).
TEST(AzureCsvCalendar, AcrossTheFourHundredYearCycle) {
  const auto w = load_azure_csv(csv("era.csv", kHeader + "1999-12-31 23:59:59.0,3,4\n"
                                                         "2000-01-01 00:00:00.0,3,4\n"
                                                         "2000-02-29 23:59:59.0,3,4\n"
                                                         "2000-03-01 00:00:00.0,3,4\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 4U);
  const double day = 86400.0;
  EXPECT_NEAR(w.requests[1].arrival_time, 1.0, 1e-3);
  EXPECT_NEAR(w.requests[2].arrival_time, 60 * day, 1e-3);
  EXPECT_NEAR(w.requests[3].arrival_time, 60 * day + 1.0, 1e-3);
}

// Year 0001 is the first valid year (the reader takes years 1..9999; 0000 is rejected below):
// 0001-01-01 -> 0001-03-01 is January's 31 days + February's 28 (year 1 is not divisible by
// 4, so not a leap year) = 59 days, at the same time of day. (Every row before 1970 once failed
// as "timestamps must not decrease": its time since the epoch is negative.)
TEST(AzureCsvCalendar, YearOneIsTheFirstYear) {
  const auto w = load_azure_csv(csv("year1.csv", kHeader + "0001-01-01 00:00:00.0,3,4\n"
                                                           "0001-03-01 00:00:00.0,3,4\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 2U);
  EXPECT_NEAR(w.requests[1].arrival_time, 59 * 86400.0, 1e-3);
}

// Gregorian rule: a year divisible by 100 is a leap year only when divisible by 400. 2100 is
// not (2100 = 21 x 100, 2100 / 400 = 5.25): February 2100 has 28 days, so 2100-02-28 12:00 ->
// 2100-03-01 12:00 is one day; 2000 is (AcrossTheFourHundredYearCycle), 2000-02-28 12:00 ->
// 2000-03-01 12:00 is two days. Rows (in time order): 2000-02-28 12:00 (t = 0), 2000-03-01
// 12:00 (2 days), 2100-02-28 12:00, 2100-03-01 12:00 (1 day after the row before).
TEST(AzureCsvCalendar, CenturyYearsAreLeapOnlyByFourHundred) {
  const auto w = load_azure_csv(csv("century.csv", kHeader + "2000-02-28 12:00:00.0,3,4\n"
                                                             "2000-03-01 12:00:00.0,3,4\n"
                                                             "2100-02-28 12:00:00.0,3,4\n"
                                                             "2100-03-01 12:00:00.0,3,4\n"),
                                1.0, 0);
  ASSERT_EQ(w.requests.size(), 4U);
  const double day = 86400.0;
  EXPECT_NEAR(w.requests[1].arrival_time, 2 * day, 1e-3);
  EXPECT_NEAR(w.requests[3].arrival_time - w.requests[2].arrival_time, 1 * day, 1e-3);
}

// Each calendar field out of range is a TIMESTAMP error, one field at a time (month 0 and 13,
// day 0 and 32, hour 24, minute 60, negative seconds).
TEST(AzureCsvCalendar, EachFieldOutOfRangeIsRejected) {
  const char* bad[] = {"2023-00-16 18:15:46.0", "2023-13-16 18:15:46.0", "2023-11-00 18:15:46.0",
                       "2023-11-32 18:15:46.0", "2023-11-16 24:15:46.0", "2023-11-16 18:60:46.0",
                       "2023-11-16 18:15:-1.0",  "0000-11-16 18:15:46.0"};
  int i = 0;
  for (const char* ts : bad) {
    SCOPED_TRACE(ts);
    const auto path = csv("field" + std::to_string(i++) + ".csv", kHeader + ts + ",3,4\n");
    try {
      (void)load_azure_csv(path, 1.0, 0);
      ADD_FAILURE() << "loaded";
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "line 2: TIMESTAMP") << e.what();
    }
  }
  // and the edges inside the range load: month 12, day 31, 23:59:59
  EXPECT_EQ(load_azure_csv(csv("edge.csv", kHeader + "2023-12-31 23:59:59.0,3,4\n"), 1.0, 0)
                .requests.size(),
            1U);
}

// The config hash (Config::hash, recorded in reports and traces) is 64-bit FNV-1a of the text
// as 16 lower-case hex digits. Published FNV-1a 64 test vectors (Fowler/Noll/Vo, "FNV test
// vectors"): "" -> cbf29ce484222325 (the offset basis), "a" -> af63dc4c8601ec8c,
// "foobar" -> 85944171f73967e8.
TEST(ConfigHash, IsFnv1a64InSixteenHexDigits) {
  EXPECT_EQ(fnv1a_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a_hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1a_hex("foobar"), "85944171f73967e8");
  EXPECT_EQ(parse_config(kBase, "c.toml").hash, fnv1a_hex(kBase));
}

}  // namespace
}  // namespace kvcheck
