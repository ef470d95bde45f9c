// [fuzz] parsing: defaults, derived bounds, and one-line errors (exit 151) naming the field.
#include <gtest/gtest.h>

#include "checkers/fuzz/fuzz_model.h"
#include "checkers/fuzz/fuzz_spec.h"
#include "fuzz_test_util.h"
#include "io/input_error.h"

namespace kvcheck::fuzz {
namespace {

const char* kBase = R"(
[engine]
num_blocks = 64
[policy]
name = "vllm_fcfs"
[workload]
kind = "poisson"
rate = 2.0
count = 10
[envelope]
prompt = [1, 1024]
output = [1, 1024]
max_requests = 0
)";

Config with_fuzz(const std::string& fuzz) { return parse_config(kBase + fuzz, "t.toml"); }

TEST(FuzzSpec, DefaultsDeriveFromThePool) {
  const auto m = make_fuzz_model(with_fuzz(""));
  EXPECT_EQ(m->spec.max_prompt, 16);  // pool / 4
  EXPECT_EQ(m->spec.max_output, 16);
  EXPECT_DOUBLE_EQ(m->spec.rate, 2.0);  // the workload's rate
  EXPECT_EQ(m->spec.starvation_bound, 0);
  EXPECT_EQ(m->spec.max_groups, 8);  // docs/config.md: [fuzz] max_groups, default 8
  EXPECT_GE(m->spec.max_requests, 16);
  EXPECT_FALSE(m->shapes.empty());
}

TEST(FuzzSpec, ReadsEverySection) {
  const auto m = make_fuzz_model(with_fuzz(R"(
[fuzz]
shapes = ["poisson", "sync_finish"]
max_requests = 40
starvation_bound = 7
[fuzz.coverage]
min_preemption = 0.25
[fuzz.stability]
horizon = 500
epsilon = 0.1
)"));
  EXPECT_EQ(m->shapes, (std::vector<Shape>{Shape::Poisson, Shape::SyncFinish}));
  EXPECT_EQ(m->spec.max_requests, 40);
  EXPECT_EQ(m->spec.starvation_bound, 7);
  EXPECT_DOUBLE_EQ(m->spec.min_coverage.preemption, 0.25);
  EXPECT_EQ(m->spec.stability.horizon, 500);
  EXPECT_DOUBLE_EQ(m->spec.stability.epsilon, 0.1);
}

void expect_config_error(const std::string& fuzz, const std::string& field) {
  try {
    (void)make_fuzz_model(with_fuzz(fuzz));
    FAIL() << "no error for " << fuzz;
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_EQ(e.file(), "t.toml");
  }
}

TEST(FuzzSpec, BadValuesAreConfigErrorsNamingTheField) {
  expect_config_error("[fuzz]\nmax_requests = 0\n", "fuzz.max_requests");
  expect_config_error("[fuzz]\nshapes = [\"gaussian\"]\n", "fuzz.shapes[0]");
  expect_config_error("[fuzz]\nshapes = [\"class_mix\"]\n", "fuzz.shapes");  // no [[classes]]
  expect_config_error("[fuzz]\nmax_reqests = 3\n", "fuzz.max_reqests");
  expect_config_error("[fuzz.coverage]\nmin_preemption = 1.5\n", "fuzz.coverage.min_preemption");
  expect_config_error("[fuzz.stability]\nhorizon = \"long\"\n", "fuzz.stability.horizon");
}

// The stability run generates rate x horizon requests up front (backlog 0 here), at most
// limits.h's 10,000,000: at rate 2 per step a horizon of 5,000,000 is exactly the limit, one
// more step is the one-line error naming the horizon.
TEST(FuzzSpec, StabilityRunSizeIsRateTimesHorizon) {
  EXPECT_NO_THROW((void)make_fuzz_model(with_fuzz("[fuzz.stability]\nhorizon = 5000000\n")));
  expect_config_error("[fuzz.stability]\nhorizon = 5000001\n", "fuzz.stability.horizon");
}

}  // namespace
}  // namespace kvcheck::fuzz
