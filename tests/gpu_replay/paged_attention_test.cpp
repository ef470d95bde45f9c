// The CPU backend's paged path against the unpaged llama2.c reference: bitwise equal in fp32
// for scattered block tables, chunked prefill, ragged multi-sequence batches, prompts of
// exactly k blocks and the token that opens a new block; NaN-poisoned freed blocks expose
// stale reads.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "gpu_replay/cpu_backend.h"
#include "gpu_replay/reference.h"
#include "test_support.h"

namespace kvcheck::engine {
namespace {

std::vector<std::vector<float>> reference_logits(const Weights& w, const std::vector<std::int32_t>& toks) {
  ReferenceModel ref(w);
  std::vector<std::vector<float>> out;
  for (auto t : toks) out.push_back(ref.step(t));
  return out;
}

/// A scattered table of `n` blocks out of a pool of `pool` (never in increasing order).
std::vector<std::int32_t> scattered(std::int32_t n, std::int32_t pool) {
  std::vector<std::int32_t> t;
  for (std::int32_t start : {1, 0})  // distinct ids: odd offsets from the top, then even ones
    for (std::int32_t i = start; i < pool; i += 2) t.push_back(pool - 1 - i);
  t.resize(static_cast<std::size_t>(n));
  return t;
}

bool all_finite(const std::vector<float>& v) {
  for (float x : v) if (!std::isfinite(x)) return false;
  return true;
}

class PagedVsReference
    : public ::testing::TestWithParam<std::tuple<RopeStyle, std::int32_t, std::size_t>> {};

TEST_P(PagedVsReference, BitwiseEqualLogitsAtEveryChunkEnd) {
  const auto [rope, bs, chunk] = GetParam();
  const auto w = seeded_weights(test::small_model(rope), 5);
  // prompt of exactly 3 blocks, then decode tokens that open blocks 4 and 5
  const auto prompt_len = static_cast<std::size_t>(3 * bs);
  const auto toks = test::tokens(prompt_len + static_cast<std::size_t>(bs) + 2, 64);
  const auto nblocks = static_cast<std::int32_t>((toks.size() + static_cast<std::size_t>(bs) - 1) / static_cast<std::size_t>(bs));
  const auto table = scattered(nblocks, nblocks + 3);
  auto be = make_cpu_backend(w, {nblocks + 3, bs});
  const auto ref = reference_logits(w, toks);
  // prefill in chunks, then one token per iteration
  std::vector<std::int32_t> prompt(toks.begin(), toks.begin() + static_cast<std::ptrdiff_t>(prompt_len));
  const auto pre = test::run_chunks(*be, prompt, table, bs, chunk);
  std::size_t end = 0;
  for (const auto& l : pre) {
    end = std::min(end + chunk, prompt_len);
    EXPECT_EQ(l, ref[end - 1]) << "prefill chunk ending at " << end;
  }
  for (std::size_t p = prompt_len; p < toks.size(); ++p) {
    BatchBuilder b(bs);
    b.add(std::vector<std::int32_t>{toks[p]}, static_cast<std::int32_t>(p), table, true);
    EXPECT_EQ(be->forward(b.finish(), true).logits, ref[p]) << "decode at position " << p;
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, PagedVsReference,
                         ::testing::Combine(::testing::Values(RopeStyle::Interleaved, RopeStyle::RotateHalf),
                                            ::testing::Values(1, 4, 16), ::testing::Values(std::size_t{5}, std::size_t{64})));

TEST(PagedAttention, RaggedBatchOfPrefillAndDecodeMatchesEachReference) {
  const auto w = seeded_weights(test::small_model(), 9);
  const std::int32_t bs = 4;
  auto be = make_cpu_backend(w, {12, bs});
  const auto a = test::tokens(9, 64, 1), b = test::tokens(7, 64, 2);
  const std::vector<std::int32_t> ta{3, 8, 1}, tb{10, 0};
  const auto ra = reference_logits(w, a), rb = reference_logits(w, b);
  // a: prefill 0..7 alone; then one batch: a decodes position 8, b prefills 0..6
  test::run_chunks(*be, std::vector<std::int32_t>(a.begin(), a.begin() + 8), ta, bs, 8);
  BatchBuilder bb(bs);
  bb.add(std::vector<std::int32_t>{a[8]}, 8, ta, true);
  bb.add(b, 0, tb, true);
  const auto r = be->forward(bb.finish(), true);
  const auto V = static_cast<std::ptrdiff_t>(w.config.vocab);
  EXPECT_EQ(std::vector<float>(r.logits.begin(), r.logits.begin() + V), ra[8]);
  EXPECT_EQ(std::vector<float>(r.logits.begin() + V, r.logits.end()), rb[6]);
}

TEST(PagedAttention, WrongBlockTableIsCaughtByTheReference) {  // the comparison can fail
  const auto w = seeded_weights(test::small_model(), 9);
  auto be = make_cpu_backend(w, {4, 4});
  const auto t = test::tokens(8, 64);
  const auto ref = reference_logits(w, t);
  test::run_chunks(*be, std::vector<std::int32_t>(t.begin(), t.begin() + 7), {0, 1}, 4, 7);
  BatchBuilder b(4);
  b.add(std::vector<std::int32_t>{t[7]}, 7, std::vector<std::int32_t>{1, 0}, true);  // swapped
  EXPECT_NE(be->forward(b.finish(), true).logits, ref[7]);
}

TEST(PagedAttention, PoisonedFreedBlocksExposeStaleReads) {
  const auto w = seeded_weights(test::small_model(), 9);
  for (const bool poison : {false, true}) {
    auto be = make_cpu_backend(w, {4, 4});
    const auto t = test::tokens(8, 64);
    test::run_chunks(*be, t, {0, 1}, 4, 8);  // sequence A fills blocks 0 and 1
    if (poison) be->poison_blocks(std::vector<std::int32_t>{1, 0});  // A finished: freed
    // B legitimately writes positions 0..3 into block 1: only its own data is read
    const auto fresh = test::run_chunks(*be, std::vector<std::int32_t>(t.begin(), t.begin() + 4), {1}, 4, 4);
    EXPECT_TRUE(all_finite(fresh.back()));
    // a buggy batch claims position 6 in block 0 although positions 4 and 5 were never written
    BatchBuilder b(4);
    b.add(std::vector<std::int32_t>{t[6]}, 6, std::vector<std::int32_t>{1, 0}, true);
    EXPECT_EQ(all_finite(be->forward(b.finish(), true).logits), !poison) << "poison=" << poison;
  }
}

}  // namespace
}  // namespace kvcheck::engine
