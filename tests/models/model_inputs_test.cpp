// The model's inputs against their documented contracts: the iteration-time models of
// models/time_model.h (hand-computed durations) and a Request's field ranges (models/request.h).
#include <gtest/gtest.h>

#include "models/policy_traits.h"
#include "models/request.h"
#include "models/time_model.h"

namespace kvcheck {
namespace {

// Linear: la + lb*P + lc*D + ld*KV, every coefficient and input non-zero and distinct, all
// binary fractions (exact in double). la = 0.5, lb = 0.25, lc = 2, ld = 0.125; P = 8, D = 3,
// KV = 40: 0.5 + 0.25*8 + 2*3 + 0.125*40 = 0.5 + 2 + 6 + 5 = 13.5 s. An idle tick is la.
TEST(TimeModelByHand, LinearIsTheSumOfItsFourTerms) {
  TimeModel t;
  t.kind = TimeModelKind::Linear;
  t.la = 0.5;
  t.lb = 0.25;
  t.lc = 2.0;
  t.ld = 0.125;
  const BatchShape s{.prefill_tokens = 8, .decode_tokens = 3, .kv_tokens = 40, .num_seqs = 4};
  EXPECT_EQ(t.duration(s), 13.5);
  EXPECT_EQ(t.idle(), 0.5);
  EXPECT_EQ(t.duration(BatchShape{}), 0.0);  // an empty batch takes 0
}

// Roofline: max(la + ld*KV, lb*(P + D)). la = 0.5, ld = 0.125, lb = 0.25. A decode batch of
// D = 3 with KV = 40 is memory-bound: max(0.5 + 5, 0.25*3) = 5.5; adding a prefill of P = 12
// costs nothing while compute stays below (0.25*15 = 3.75 < 5.5); at P = 29 compute takes over:
// 0.25*32 = 8. The lc coefficient does not enter. An idle tick is la.
TEST(TimeModelByHand, RooflineIsTheSlowerOfMemoryAndCompute) {
  TimeModel t;
  t.kind = TimeModelKind::Roofline;
  t.la = 0.5;
  t.lb = 0.25;
  t.lc = 100.0;
  t.ld = 0.125;
  EXPECT_EQ(t.duration({.prefill_tokens = 0, .decode_tokens = 3, .kv_tokens = 40, .num_seqs = 3}),
            5.5);
  EXPECT_EQ(t.duration({.prefill_tokens = 12, .decode_tokens = 3, .kv_tokens = 40, .num_seqs = 4}),
            5.5);
  EXPECT_EQ(t.duration({.prefill_tokens = 29, .decode_tokens = 3, .kv_tokens = 40, .num_seqs = 4}),
            8.0);
  EXPECT_EQ(t.idle(), 0.5);
  EXPECT_EQ(t.duration(BatchShape{}), 0.0);
}

// request.h: prompt s >= 1 and output o >= 1. A Request built without setting them (as by-hand
// workloads do, setting only what they vary) is a valid one: both at least 1.
TEST(RequestContract, DefaultLengthsAreValid) {
  const Request r;
  EXPECT_GE(r.prompt, 1);
  EXPECT_GE(r.output, 1);
  EXPECT_EQ(r.klass, 0);  // "0 if none"
}

// models/policy_traits.h: "false is always safe (the loop then steps one iteration at a
// time)": a policy whose traits do not state a steady-skip argument is never skipped over.
TEST(PolicyTraitsContract, SteadySkipIsOffUnlessArgued) { EXPECT_FALSE(PolicyTraits{}.steady_skip); }

}  // namespace
}  // namespace kvcheck
