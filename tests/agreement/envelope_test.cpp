// The workload envelope (io/envelope.h) and the checkers' defaults derived from it, against
// configs worked out by hand: what the envelope holds, what each checker takes by default, and
// every widening refused with a one-line config error (exit 151).
#include <gtest/gtest.h>

#include <string>

#include "checkers/z3/bmc_spec.h"
#include "checkers/explicit/explore_options.h"
#include "checkers/fuzz/fuzz_model.h"
#include "io/config.h"
#include "io/envelope.h"
#include "io/input_error.h"

namespace kvcheck {
namespace {

// explore_p1_budgets_safe.toml's model and workload, in a string.
const std::string kClasses = R"(
[engine]
block_size = 1
num_blocks = 8
lookahead = 1
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 1
output = 2
budget = 1
[[classes]]
name = "b"
prompt = 2
output = 1
budget = 1
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 1, output = 2, class = 0 },
            { arrival = 1, prompt = 2, output = 1, class = 1 },
            { arrival = 1, prompt = 2, output = 1, class = 1 }]
)";

// Classless: explicit lengths 2..5 and 1..4, two requests.
const std::string kClassless = R"(
[engine]
block_size = 1
num_blocks = 16
[policy]
name = "vllm_fcfs"
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 2, output = 4 }, { arrival = 2, prompt = 5, output = 1 }]
)";

Config cfg(const std::string& text) { return parse_config(text, "t.toml"); }

/// The config error a reader throws for `text`, or "" when it accepts it.
template <class Read>
std::string error_of(const std::string& text, Read read) {
  try {
    (void)read(cfg(text));
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::ConfigError);
    return e.what();
  }
  return "";
}

TEST(Envelope, ClassesAreExactAndTheCountIsTheWorkloads) {
  const auto e = workload_envelope(cfg(kClasses));
  ASSERT_EQ(e.classes.size(), 2U);
  EXPECT_TRUE(e.from_classes);
  EXPECT_EQ(e.classes[1].prompt, (LengthRange{2, 2}));
  EXPECT_EQ(e.classes[1].output, (LengthRange{1, 1}));
  EXPECT_EQ(e.max_requests, 3);
  EXPECT_EQ(e.max_arrivals_per_step, 0);
  EXPECT_EQ(e.last_arrival, -1);
  EXPECT_EQ(describe_envelope(e),
            "workloads of <= 3 requests of the classes a (prompt 1, output 2), b (prompt 2, "
            "output 1); any number arriving per step; arrivals at any step");
}

TEST(Envelope, ClasslessIsTheHullOfTheWorkloadsLengths) {
  const auto e = workload_envelope(cfg(kClassless));
  ASSERT_EQ(e.classes.size(), 1U);
  EXPECT_EQ(e.classes[0].prompt, (LengthRange{2, 5}));
  EXPECT_EQ(e.classes[0].output, (LengthRange{1, 4}));
  EXPECT_EQ(e.max_requests, 2);
  const auto d = workload_envelope(cfg(kClassless + "[envelope]\nprompt = [1, 8]\nmax_requests = 0\n"));
  EXPECT_EQ(d.classes[0].prompt, (LengthRange{1, 8}));
  EXPECT_EQ(d.max_requests, 0);
}

TEST(Envelope, TheConfigsOwnWorkloadMustLieInside) {
  const auto read = [](const Config& c) { return workload_envelope(c); };
  EXPECT_NE(error_of(kClassless + "[envelope]\nprompt = [3, 8]\n", read)
                .find("workload.requests[0]: prompt 2, output 4 lies outside"),
            std::string::npos);
  EXPECT_NE(error_of(kClassless + "[envelope]\nmax_requests = 1\n", read).find("envelope.max_requests"),
            std::string::npos);
  EXPECT_NE(error_of(kClassless + "[envelope]\nlast_arrival = 1\n", read).find("step 2"),
            std::string::npos);
  EXPECT_NE(error_of(kClasses + "[envelope]\nprompt = [1, 3]\n", read).find("classes' own"),
            std::string::npos);
}

// Before the envelope, [bmc] without a section invented prompt and output in [1, 3] for every
// class; now the classes' own, 3 slots (the envelope's 3), arrival steps 0..3.
TEST(Envelope, BmcDefaultsComeFromTheEnvelope) {
  const auto s = parse_bmc_spec(cfg(kClasses));
  EXPECT_TRUE(s.per_class);
  EXPECT_EQ(s.slots, 3);
  EXPECT_EQ(s.arrival_lo, 0);
  EXPECT_EQ(s.arrival_hi, 3);
  const auto c = parse_bmc_spec(cfg(kClassless));
  EXPECT_FALSE(c.per_class);
  EXPECT_EQ(c.slots, 2);  // min(3, the envelope's 2)
  EXPECT_EQ(c.prompt_lo, 2);
  EXPECT_EQ(c.prompt_hi, 5);
  EXPECT_EQ(c.output_lo, 1);
  EXPECT_EQ(c.output_hi, 4);
  EXPECT_EQ(describe_coverage(c.envelope, bmc_coverage(c)),
            "part of the envelope: arrival steps <= 3 of the envelope's any step");
}

TEST(Envelope, BmcMayNarrowButNotWiden) {
  const auto read = [](const Config& c) { return parse_bmc_spec(c); };
  EXPECT_EQ(error_of(kClassless + "[bmc]\nslots = 1\nprompt = [2, 3]\n", read), "");
  EXPECT_EQ(error_of(kClassless + "[bmc]\nslots = 3\n", read),
            "t.toml: bmc.slots: widens the workload envelope: requests 3 where the envelope "
            "allows 2 (a checker section may only narrow it; declare the wider space in "
            "[envelope])");
  EXPECT_NE(error_of(kClassless + "[bmc]\nprompt = [1, 3]\n", read).find("bmc.prompt: widens"),
            std::string::npos);
  // an envelope of one request admits one slot, not two (max_requests = 1 is a bound, 0 alone
  // is unbounded)
  const std::string one = "[engine]\nnum_blocks = 16\n[policy]\nname = \"vllm_fcfs\"\n"
                          "[workload]\nkind = \"explicit\"\n"
                          "requests = [{ arrival = 0, prompt = 2, output = 4 }]\n"
                          "[envelope]\nmax_requests = 1\n";
  EXPECT_EQ(error_of(one + "[bmc]\nslots = 1\n", read), "");
  EXPECT_NE(error_of(one + "[bmc]\nslots = 2\n", read)
                .find("bmc.slots: widens the workload envelope: requests 2 where the envelope "
                      "allows 1"),
            std::string::npos)
      << error_of(one + "[bmc]\nslots = 2\n", read);
  EXPECT_NE(error_of(kClasses + "[bmc]\noutput = [1, 3]\n", read).find("classes' own"),
            std::string::npos);
  EXPECT_NE(error_of(kClassless + "[envelope]\nmax_arrivals_per_step = 1\n[bmc]\n"
                                  "max_arrivals_per_step = 0\n", read)
                .find("bmc.max_arrivals_per_step: widens"),
            std::string::npos);
  EXPECT_NE(error_of(kClassless + "[envelope]\nlast_arrival = 2\n[bmc]\narrival = [0, 3]\n", read)
                .find("bmc.arrival: widens"),
            std::string::npos);
  // the per-step bound narrows or equals the envelope's: 1 and 2 under the envelope's 2 are
  // fine (equal is no widening), 3 widens, and so does 0 (any number per step)
  const auto per_step = [&](int bmc) {
    return error_of(kClassless + "[envelope]\nmax_arrivals_per_step = 2\n[bmc]\n"
                                 "max_arrivals_per_step = " + std::to_string(bmc) + "\n", read);
  };
  EXPECT_EQ(per_step(1), "");
  EXPECT_EQ(per_step(2), "");
  EXPECT_NE(per_step(3).find("bmc.max_arrivals_per_step: widens"), std::string::npos);
  EXPECT_NE(per_step(0).find("bmc.max_arrivals_per_step: widens"), std::string::npos);
  EXPECT_EQ(parse_bmc_spec(cfg(kClassless + "[envelope]\nmax_arrivals_per_step = 2\n[bmc]\n"
                                            "max_arrivals_per_step = 2\n")).max_arrivals_per_step, 2);
}

// [bmc] properties replace [check]'s, every one in the order written (the first included);
// without the key, [check]'s are kept. An empty list, or an unknown name at index 1, is refused.
TEST(Envelope, BmcPropertiesAreAllTheNamedOnesInOrder) {
  const auto checked = kClassless + "[check]\nproperties = [\"kv_no_overflow\"]\n";
  const auto s = parse_bmc_spec(
      cfg(checked + "[bmc]\nproperties = [\"no_preemption\", \"kv_within_capacity\"]\n"));
  EXPECT_EQ(s.properties,
            (std::vector<PropertyId>{PropertyId::NoPreemption, PropertyId::KvWithinCapacity}));
  EXPECT_EQ(parse_bmc_spec(cfg(checked + "[bmc]\nproperties = [\"no_preemption\"]\n")).properties,
            std::vector<PropertyId>{PropertyId::NoPreemption});
  EXPECT_EQ(parse_bmc_spec(cfg(checked)).properties,
            std::vector<PropertyId>{PropertyId::KvNoOverflow});
  const auto read = [](const Config& c) { return parse_bmc_spec(c); };
  EXPECT_NE(error_of(checked + "[bmc]\nproperties = []\n", read).find("bmc.properties: empty"),
            std::string::npos);
  EXPECT_NE(error_of(checked + "[bmc]\nproperties = [\"no_preemption\", \"nope\"]\n", read)
                .find("bmc.properties[1]: unknown property \"nope\""),
            std::string::npos);
}

TEST(Envelope, ExplorerDefaultsAndWidenings) {
  const auto o = explicit_state::read_explore_options(cfg(kClassless));
  EXPECT_EQ(o.shapes.size(), 16U);  // prompts 2..5 x outputs 1..4
  EXPECT_EQ(o.max_requests, 2);     // min(3, the envelope's 2)
  const auto read = [](const Config& c) { return explicit_state::read_explore_options(c); };
  EXPECT_NE(error_of(kClassless + "[explore]\nmax_requests = 3\n", read)
                .find("explore.max_requests: widens"),
            std::string::npos);
  EXPECT_NE(error_of(kClassless + "[explore]\nprompts = [1]\noutputs = [1]\n", read)
                .find("explore.prompts: widens"),
            std::string::npos);
  EXPECT_NE(error_of(kClasses + "[explore]\nmode = \"saturated\"\nprompts = [1]\noutputs = [2]\n", read)
                .find("explore.mode: saturated mode is an unbounded stream"),
            std::string::npos);
}

TEST(Envelope, FuzzDefaultsAndWidenings) {
  const auto m = fuzz::make_fuzz_model(cfg(kClassless));
  EXPECT_EQ(m->spec.max_prompt, 4);  // pool / 4 = 4, inside [2, 5]
  EXPECT_EQ(m->spec.max_output, 4);  // clamp(pool / 4, 2, 512) = 4, inside [1, 4]
  EXPECT_EQ(m->min_prompt, 2);
  EXPECT_EQ(m->spec.max_requests, 2);  // min(clamp(2 * 16 / 2, 16, 1000), 2)
  const auto read = [](const Config& c) { return fuzz::make_fuzz_model(c); };
  EXPECT_NE(error_of(kClassless + "[fuzz]\nmax_prompt = 6\n", read).find("fuzz.max_prompt: widens"),
            std::string::npos);
  EXPECT_NE(error_of(kClassless + "[fuzz]\nmax_requests = 5\n", read)
                .find("fuzz.max_requests: widens"),
            std::string::npos);
  // outputs: the envelope's [1, 4]; 4 is the edge, 5 widens it
  EXPECT_EQ(error_of(kClassless + "[fuzz]\nmax_output = 4\n", read), "");
  EXPECT_NE(error_of(kClassless + "[fuzz]\nmax_output = 5\n", read).find("fuzz.max_output: widens"),
            std::string::npos);
  // prompts: [2, 5]; a largest prompt of 1 lies below every prompt the envelope allows
  EXPECT_NE(error_of(kClassless + "[fuzz]\nmax_prompt = 1\n", read).find("fuzz.max_prompt: widens"),
            std::string::npos);
}


// Length ranges may reach any 64-bit integer in the [lo, hi] reader; the envelope's own limit,
// 2^30 tokens (docs/envelope.md), is what rejects a longer one, and 2^30 itself is accepted:
// explore.prompts may then name it (an integer array's upper end is in range).
// A coverage that says nothing about arrival steps claims none: an envelope with its last
// arrival at step 5 and a default EnvelopeCoverage give "all of the envelope"; one bound by
// step 3 names it ("arrival steps <= 3 of the envelope's <= 5"), and step 5 itself is no
// narrowing. (The explorer sets no arrival-step bound: its coverage keeps the default.)
TEST(Envelope, CoverageWithoutAnArrivalBoundClaimsNone) {
  Envelope e;
  e.classes = {{"c", {1, 2}, {1, 2}}};
  e.last_arrival = 5;
  EnvelopeCoverage c;
  EXPECT_EQ(describe_coverage(e, c), "all of the envelope");
  c.last_arrival = 3;
  EXPECT_EQ(describe_coverage(e, c), "part of the envelope: arrival steps <= 3 of the envelope's <= 5");
  c.last_arrival = 5;
  EXPECT_EQ(describe_coverage(e, c), "all of the envelope");
  e.last_arrival = -1;  // unbounded: any bound of the checker's is a narrowing
  c.last_arrival = 0;
  EXPECT_EQ(describe_coverage(e, c), "part of the envelope: arrival steps <= 0 of the envelope's any step");
}

// The hull of classes whose prompts are all 1 is exactly [1, 1] (not wider): classes a
// (prompt 1, output 1) and b (prompt 1, output 3) give prompt hull [1, 1], output hull [1, 3].
TEST(Envelope, HullOfTheClassesIsExact) {
  const auto e = workload_envelope(cfg(R"(
[engine]
num_blocks = 8
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 1
output = 1
budget = 1
[[classes]]
name = "b"
prompt = 1
output = 3
budget = 1
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 1, output = 1, class = 0 }]
)"));
  EXPECT_EQ(e.prompt_hull(), (LengthRange{1, 1}));
  EXPECT_EQ(e.output_hull(), (LengthRange{1, 3}));
  EXPECT_EQ(e.prompt_hi(), 1);
  EXPECT_EQ(e.output_hi(), 3);
  // and the output hull of classes whose outputs are all 1 is [1, 1] (prompts 1 and 2: [1, 2])
  const auto ones = workload_envelope(cfg(R"(
[engine]
num_blocks = 8
[policy]
name = "p1_class_budgets"
[[classes]]
name = "a"
prompt = 2
output = 1
budget = 1
[[classes]]
name = "b"
prompt = 1
output = 1
budget = 1
[workload]
kind = "explicit"
requests = [{ arrival = 0, prompt = 2, output = 1, class = 0 }]
)"));
  EXPECT_EQ(ones.output_hull(), (LengthRange{1, 1}));
  EXPECT_EQ(ones.prompt_hull(), (LengthRange{1, 2}));
}

// max_arrivals_per_step = 1 is a bound like any other (0 alone means unbounded): kClassless's
// arrivals at steps 0 and 2 fit it; a second arrival at step 0 does not, and 2 per step allows
// that workload again.
TEST(Envelope, OneArrivalPerStepIsEnforced) {
  const auto read = [](const Config& c) { return workload_envelope(c); };
  EXPECT_EQ(error_of(kClassless + "[envelope]\nmax_arrivals_per_step = 1\n", read), "");
  std::string two_at_zero = kClassless;
  two_at_zero.replace(two_at_zero.find("arrival = 2"), 11, "arrival = 0");
  EXPECT_EQ(error_of(two_at_zero + "[envelope]\nmax_arrivals_per_step = 1\n", read),
            "t.toml: envelope.max_arrivals_per_step: the [workload] has more arrivals at step 0");
  EXPECT_EQ(error_of(two_at_zero + "[envelope]\nmax_arrivals_per_step = 2\n", read), "");
}

// An Envelope whose bounds are not set is unbounded (envelope.h: max_requests and
// max_arrivals_per_step 0 = unbounded, last_arrival -1 = unbounded; "unbounded when not
// given"), and says so; a checker's 3 requests are then a narrowing of an unbounded count.
TEST(Envelope, BoundsNotSetAreUnbounded) {
  Envelope e;
  e.classes = {{"c", {1, 2}, {1, 2}}};
  EXPECT_EQ(describe_envelope(e),
            "workloads of any number of requests with prompt [1, 2], output [1, 2]; any number "
            "arriving per step; arrivals at any step");
  EnvelopeCoverage c;
  c.max_requests = 3;
  EXPECT_EQ(describe_coverage(e, c), "part of the envelope: N <= 3 requests of the envelope's "
                                     "unbounded count");
}

TEST(Envelope, LengthsUpToTwoToTheThirtyAndNoFurther) {
  const auto env = [](const Config& c) { return workload_envelope(c); };
  EXPECT_EQ(error_of(kClassless + "[envelope]\nprompt = [2, 9223372036854775807]\n", env),
            "t.toml: envelope.prompt: longer than 2^30 tokens");
  EXPECT_EQ(error_of(kClassless + "[envelope]\noutput = [1, 1073741825]\n", env),
            "t.toml: envelope.output: longer than 2^30 tokens");
  const auto e = workload_envelope(cfg(kClassless + "[envelope]\nprompt = [2, 1073741824]\n"));
  EXPECT_EQ(e.classes.front().prompt.hi, 1073741824);
  const auto o = explicit_state::read_explore_options(
      cfg(kClassless + "[envelope]\nprompt = [2, 1073741824]\n"
                       "[explore]\nprompts = [1073741824]\noutputs = [4]\n"));
  ASSERT_EQ(o.shapes.size(), 1U);
  EXPECT_EQ(o.shapes[0].prompt, 1073741824);
  EXPECT_EQ(o.shapes[0].output, 4);
}
}  // namespace
}  // namespace kvcheck
