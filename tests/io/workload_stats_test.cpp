// The workload generators' arrival rates and request shapes, checked statistically against the
// distributions they claim (issue 19): Poisson(mean) per step has mean and variance `mean`, so
// over n samples the sample mean lies within 3 sigma = 3 sqrt(mean / n) of it (a failure rate
// of 0.3 % for a fresh seed; the seeds here are fixed, so the tests are deterministic). The
// expectations are the distributions' textbook moments, never the code's own output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/config.h"
#include "io/input_error.h"
#include "io/workload.h"

namespace kvcheck {
namespace {

struct Moments {
  double mean = 0.0, var = 0.0;
};

Moments moments(const std::vector<double>& xs) {
  Moments m;
  for (double x : xs) m.mean += x;
  m.mean /= static_cast<double>(xs.size());
  for (double x : xs) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(xs.size() - 1);
  return m;
}

/// |mean - expected| within 3 standard errors of a Poisson(expected) sample mean.
void expect_poisson_mean(const std::vector<double>& xs, double expected, const std::string& what) {
  const auto m = moments(xs);
  const double se = std::sqrt(expected / static_cast<double>(xs.size()));
  EXPECT_NEAR(m.mean, expected, 3.0 * se) << what << ": sample mean over " << xs.size();
  // The variance of a Poisson is its mean; the sample variance's standard error is about
  // sqrt((2 mean^2 + mean) / n) (fourth central moment mean + 3 mean^2).
  const double se_var =
      std::sqrt((2.0 * expected * expected + expected) / static_cast<double>(xs.size()));
  EXPECT_NEAR(m.var, expected, 4.0 * se_var) << what << ": sample variance";
}

// poisson_sample itself, both branches (inverse product for means <= 30, normal approximation
// above), at means where an off-by-one is far outside 3 sigma.
TEST(PoissonSample, MeanAndVarianceMatchTheRequestedMean) {
  for (double mean : {0.3, 1.0, 2.5, 7.0, 29.0, 45.0, 200.0}) {
    std::uint64_t state = 12345;
    std::vector<double> xs;
    for (int i = 0; i < 40000; ++i) xs.push_back(static_cast<double>(poisson_sample(state, mean)));
    expect_poisson_mean(xs, mean, "poisson_sample(" + std::to_string(mean) + ")");
  }
}

// P(N = 0) = e^-mean: at mean 1 that is 0.3679; over 40000 draws its standard error is 0.0024.
TEST(PoissonSample, ZeroProbabilityIsExpMinusMean) {
  std::uint64_t state = 99;
  int zeros = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) zeros += poisson_sample(state, 1.0) == 0 ? 1 : 0;
  const double p = std::exp(-1.0);
  EXPECT_NEAR(static_cast<double>(zeros) / n, p, 3.0 * std::sqrt(p * (1 - p) / n));
}

TEST(PoissonSample, NonPositiveMeanGivesNothing) {
  std::uint64_t state = 1;
  EXPECT_EQ(poisson_sample(state, 0.0), 0);
  EXPECT_EQ(poisson_sample(state, -2.0), 0);
  EXPECT_EQ(poisson_sample(state, std::nan("")), 0);
}

TEST(Uniform01, MeanHalfVarianceTwelfth) {
  std::uint64_t state = 7;
  std::vector<double> xs;
  for (int i = 0; i < 40000; ++i) {
    const double u = uniform01(state);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    xs.push_back(u);
  }
  const auto m = moments(xs);
  EXPECT_NEAR(m.mean, 0.5, 3.0 * std::sqrt(1.0 / 12.0 / 40000.0));
  EXPECT_NEAR(m.var, 1.0 / 12.0, 0.002);
}

Config config(const std::string& workload, const std::string& classes = {}) {
  const std::string text = std::string(R"(
[meta]
name = "stats"
[engine]
block_size = 1
num_blocks = 100000
[policy]
name = ")") + (classes.empty() ? "vllm_fcfs" : "p1_class_budgets") + "\"\n" + classes +
                           "\n[workload]\n" + workload + R"(
[check]
properties = ["conservation"]
)";
  return parse_config(text, "stats.toml");
}

/// Arrivals per step over steps [0, last arrival step) (the last step may be cut by `count`).
std::vector<double> per_step_counts(const Workload& w, std::int64_t klass = -1) {
  const auto last = w.requests.back().arrival_step;
  std::vector<double> n(static_cast<std::size_t>(last), 0.0);
  for (const auto& r : w.requests)
    if (r.arrival_step < last && (klass < 0 || r.klass == klass))
      n[static_cast<std::size_t>(r.arrival_step)] += 1.0;
  return n;
}

// kind = "poisson": Poisson(rate) arrivals per step, every request of the configured shape.
TEST(PoissonWorkload, ArrivalsPerStepArePoissonRateAndShapesFixed) {
  for (const char* rate : {"0.5", "3.0", "40.0"}) {
    const auto cfg = config(std::string("kind = \"poisson\"\ncount = 60000\nseed = 5\nrate = ") +
                            rate + "\nprompt = 7\noutput = 11\n");
    const auto w = build_workload(cfg);
    ASSERT_EQ(w.requests.size(), 60000U);
    for (const auto& r : w.requests) {
      ASSERT_EQ(r.prompt, 7);
      ASSERT_EQ(r.output, 11);
      ASSERT_EQ(r.klass, 0);  // a classless workload is class 0 (models/request.h)
    }
    expect_poisson_mean(per_step_counts(w), std::stod(rate), std::string("poisson rate ") + rate);
  }
}

// Below 0.01 per step the generator skips empty steps: the gaps between arrivals are then
// geometric; the mean number of arrivals per step over a long horizon is still the rate:
// count / steps, with a standard error sqrt(rate / steps).
TEST(PoissonWorkload, SparseRateKeepsTheRate) {
  const auto cfg = config("kind = \"poisson\"\ncount = 4000\nseed = 3\nrate = 0.004\n");
  const auto w = build_workload(cfg);
  const auto steps = static_cast<double>(w.requests.back().arrival_step + 1);
  const double rate = static_cast<double>(w.requests.size()) / steps;
  EXPECT_NEAR(rate, 0.004, 3.0 * std::sqrt(0.004 / steps) + 1.0 / steps);
  for (const auto& r : w.requests) {  // the documented default shape, class 0
    ASSERT_EQ(r.prompt, 1);
    ASSERT_EQ(r.output, 1);
    ASSERT_EQ(r.klass, 0);
  }
}

// The backlog is `backlog` requests at step 0 on top of the step-0 draw, counted in `count`.
TEST(PoissonWorkload, BacklogIsAtStepZero) {
  const auto cfg = config("kind = \"poisson\"\ncount = 50\nbacklog = 20\nseed = 3\nrate = 0.5\n");
  const auto w = build_workload(cfg);
  ASSERT_EQ(w.requests.size(), 50U);
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(w.requests[i].arrival_step, 0);
  for (const auto& r : w.requests) EXPECT_EQ(r.klass, 0);
}

// kind = "deterministic": `burst` requests every `interval` steps, exactly.
TEST(DeterministicWorkload, BurstEveryInterval) {
  const auto cfg = config(
      "kind = \"deterministic\"\ncount = 12\nburst = 3\ninterval = 5\nbacklog = 2\nprompt = 4\n"
      "output = 6\n");
  const auto w = build_workload(cfg);
  ASSERT_EQ(w.requests.size(), 14U);
  const std::vector<std::int64_t> steps = {0, 0, 0, 0, 0, 5, 5, 5, 10, 10, 10, 15, 15, 15};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(w.requests[i].arrival_step, steps[i]) << i;
    EXPECT_EQ(w.requests[i].prompt, 4);
    EXPECT_EQ(w.requests[i].output, 6);
  }
}

// docs/config.md's [workload] defaults: prompt and output 1, burst 1, interval 1, backlog 0.
TEST(DeterministicWorkload, DocumentedDefaults) {
  const auto w = build_workload(config("kind = \"deterministic\"\ncount = 3\n"));
  ASSERT_EQ(w.requests.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(w.requests[i].arrival_step, static_cast<std::int64_t>(i));
    EXPECT_EQ(w.requests[i].prompt, 1);
    EXPECT_EQ(w.requests[i].output, 1);
    EXPECT_EQ(w.requests[i].klass, 0);
  }
  const auto p = build_workload(config("kind = \"poisson\"\ncount = 3\nrate = 2.0\n"));
  for (const auto& r : p.requests) {
    EXPECT_EQ(r.prompt, 1);
    EXPECT_EQ(r.output, 1);
  }
}

const char* kClasses = R"(
[[classes]]
name = "a"
prompt = 10
output = 20
rate = 1.5
budget = 1
[[classes]]
name = "b"
prompt = 30
output = 5
rate = 0.5
budget = 1
)";

// clock = "seconds" (issue 16): `burst` requests every `period` seconds from time 0, the
// backlog at time 0, the arrivals timed (the simulator reads arrival_time, not the step).
TEST(SecondsClock, DeterministicBurstEveryPeriod) {
  const auto w = build_workload(config(
      "kind = \"deterministic\"\nclock = \"seconds\"\ncount = 5\nburst = 2\nperiod = 0.25\n"
      "backlog = 1\n"));
  EXPECT_EQ(w.clock, ArrivalClock::Timed);
  const std::vector<double> times = {0.0, 0.0, 0.0, 0.25, 0.25, 0.5};
  ASSERT_EQ(w.requests.size(), times.size());
  for (std::size_t i = 0; i < times.size(); ++i)
    EXPECT_DOUBLE_EQ(w.requests[i].arrival_time, times[i]) << i;
}

// A Poisson process of `rate` per second: exponential gaps of mean 1 / rate and variance
// 1 / rate^2 (the sample mean's standard error is 1 / (rate sqrt(n))).
TEST(SecondsClock, PoissonGapsAreExponentialOfTheRate) {
  const auto w = build_workload(
      config("kind = \"poisson\"\nclock = \"seconds\"\ncount = 40000\nrate = 4.0\nseed = 7\n"));
  EXPECT_EQ(w.clock, ArrivalClock::Timed);
  std::vector<double> gaps;
  double last = 0.0;
  for (const auto& r : w.requests) {
    gaps.push_back(r.arrival_time - last);
    last = r.arrival_time;
  }
  const auto m = moments(gaps);
  const double n = static_cast<double>(gaps.size());
  EXPECT_NEAR(m.mean, 0.25, 3.0 * 0.25 / std::sqrt(n));
  EXPECT_NEAR(m.var, 0.0625, 0.0625 * 4.0 * std::sqrt(8.0 / n));  // var of s^2: 8 sigma^4 / n
}

// class_mix in seconds: the classes' rates (1.5 and 0.5 per second) as independent streams:
// the total gap is exponential of rate 2, and the classes split 3 : 1.
TEST(SecondsClock, ClassMixSplitsInProportionAtTheTotalRate) {
  const auto w = build_workload(
      config("kind = \"class_mix\"\nclock = \"seconds\"\ncount = 40000\nseed = 3\n", kClasses));
  const double n = static_cast<double>(w.requests.size());
  EXPECT_NEAR(w.requests.back().arrival_time / n, 0.5, 3.0 * 0.5 / std::sqrt(n));
  double a = 0;
  for (const auto& r : w.requests) {
    a += r.klass == 0 ? 1.0 : 0.0;
    EXPECT_EQ(r.prompt, r.klass == 0 ? 10 : 30);
  }
  EXPECT_NEAR(a / n, 0.75, 3.0 * std::sqrt(0.75 * 0.25 / n));
}

// Each clock's spacing key only, and a deterministic seconds workload needs its period.
TEST(SecondsClock, TheOtherClocksSpacingKeyIsAnError) {
  const auto fails = [](const std::string& workload, const std::string& field) {
    try {
      (void)config(workload);
      ADD_FAILURE() << "accepted: " << workload;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  fails("kind = \"deterministic\"\nclock = \"seconds\"\ncount = 3\ninterval = 2\nperiod = 1.0\n",
        "workload.interval");
  fails("kind = \"deterministic\"\nclock = \"seconds\"\ncount = 3\n", "workload.period");
  fails("kind = \"deterministic\"\ncount = 3\nperiod = 1.0\n", "workload.period");
  fails("kind = \"poisson\"\nclock = \"seconds\"\ncount = 3\nperiod = 1.0\n", "workload.period");
  fails("kind = \"poisson\"\nclock = \"minutes\"\ncount = 3\n", "workload.clock");
}

// kind = "class_mix": independent Poisson(rate_k) streams, each class with its own shape.
TEST(ClassMixWorkload, PerClassRatesAndShapes) {
  const auto cfg = config("kind = \"class_mix\"\ncount = 60000\nseed = 9\n", kClasses);
  const auto w = build_workload(cfg);
  ASSERT_EQ(w.requests.size(), 60000U);
  for (const auto& r : w.requests) {
    ASSERT_TRUE(r.klass == 0 || r.klass == 1);
    EXPECT_EQ(r.prompt, r.klass == 0 ? 10 : 30);
    EXPECT_EQ(r.output, r.klass == 0 ? 20 : 5);
  }
  expect_poisson_mean(per_step_counts(w, 0), 1.5, "class a");
  expect_poisson_mean(per_step_counts(w, 1), 0.5, "class b");
  expect_poisson_mean(per_step_counts(w), 2.0, "total");
}

// Sparse class_mix (total rate < 0.01): the total rate holds and the classes split 3 : 1.
TEST(ClassMixWorkload, SparseRatesSplitInProportion) {
  std::string classes = kClasses;
  classes.replace(classes.find("rate = 1.5"), 10, "rate = 0.006");
  classes.replace(classes.find("rate = 0.5"), 10, "rate = 0.002");
  const auto cfg = config("kind = \"class_mix\"\ncount = 8000\nseed = 9\n", classes);
  const auto w = build_workload(cfg);
  const auto steps = static_cast<double>(w.requests.back().arrival_step + 1);
  EXPECT_NEAR(static_cast<double>(w.requests.size()) / steps, 0.008,
              3.0 * std::sqrt(0.008 / steps) + 1.0 / steps);
  double a = 0;
  for (const auto& r : w.requests) a += r.klass == 0 ? 1.0 : 0.0;
  const double n = static_cast<double>(w.requests.size());
  EXPECT_NEAR(a / n, 0.75, 3.0 * std::sqrt(0.75 * 0.25 / n));
}

// positive_poisson at the largest draw splitmix64 can give (u = 1 - 2^-53). At rate
// 0.002580935505400139 the floating-point sum of P(N = k | N >= 1) stops at 1 - 4.4e-16 < u, so
// the walk must end where the terms stop changing the sum, not at the 1000 cap: the true k has
// P(N >= k | N >= 1) ~ rate^(k-1) / k! <= 1e-16, i.e. k ~ 6 (rate^5 / 6! = 1.6e-16). The state
// is the one whose next draw is the largest (found by inverting splitmix64's output function).
TEST(PositivePoisson, TheLargestDrawEndsInTheTailNotAtTheCap) {
  const std::uint64_t state = 10604588701194827158ULL + 0x9E3779B97F4A7C15ULL;
  std::uint64_t probe = state;
  ASSERT_EQ(uniform01(probe), 1.0 - 0x1p-53);
  std::uint64_t s = state;
  const auto k = positive_poisson(s, 0.002580935505400139);
  EXPECT_GE(k, 5);
  EXPECT_LE(k, 8);
}

// Its mean at a small rate: E[N | N >= 1] = rate / (1 - e^-rate) (about 1 + rate / 2), within
// 4 standard errors over 200000 draws (variance of N | N >= 1 about rate / 2 for small rate).
TEST(PositivePoisson, MeanIsTheConditionedPoissonMean) {
  const double rate = 0.008;
  std::uint64_t s = 99;
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += static_cast<double>(positive_poisson(s, rate));
  const double mean = rate / -std::expm1(-rate);
  EXPECT_NEAR(sum / n, mean, 4.0 * std::sqrt(rate / 2.0 / n));
}

}  // namespace
}  // namespace kvcheck
