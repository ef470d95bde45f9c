// llama2.c checkpoints: files written by the project's own writer read back bit-identically in
// v0 and v1, tied and untied, and give identical first-step logits; damaged files are rejected
// with an InputError naming the file and field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gpu_replay/checkpoint.h"
#include "gpu_replay/reference.h"
#include "io/input_error.h"
#include "test_support.h"

namespace kvcheck::engine {
namespace {

std::filesystem::path tmp(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("kvcheck_ckpt_" + name);
}

void expect_same(const Weights& a, const Weights& b) {
  EXPECT_EQ(a.config.dim, b.config.dim);
  EXPECT_EQ(a.config.n_kv_heads, b.config.n_kv_heads);
  EXPECT_EQ(a.config.tied, b.config.tied);
  EXPECT_EQ(a.token_embedding, b.token_embedding);
  EXPECT_EQ(a.wq, b.wq);
  EXPECT_EQ(a.wk, b.wk);
  EXPECT_EQ(a.w2, b.w2);
  EXPECT_EQ(a.rms_att, b.rms_att);
  EXPECT_EQ(a.rms_final, b.rms_final);
  EXPECT_EQ(a.wcls, b.wcls);
}

class RoundTrip : public ::testing::TestWithParam<std::tuple<CheckpointVersion, bool>> {};

TEST_P(RoundTrip, ReadsBackWhatItWroteWithIdenticalLogits) {
  const auto [version, tied] = GetParam();
  const auto cfg = test::small_model(RopeStyle::Interleaved, tied);
  const auto w = seeded_weights(cfg, 11);
  const auto path = tmp(std::to_string(static_cast<int>(version)) + (tied ? "t" : "u") + ".bin");
  write_llama2c(w, path, version);
  const auto r = read_llama2c(path);
  expect_same(w, r);
  ReferenceModel a(w), b(r);
  EXPECT_EQ(a.step(5), b.step(5));
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Versions, RoundTrip,
                         ::testing::Combine(::testing::Values(CheckpointVersion::V0, CheckpointVersion::V1),
                                            ::testing::Bool()));

TEST(Checkpoint, DifferentSeedsGiveDifferentLogits) {  // the round trip above could not pass vacuously
  const auto cfg = test::small_model();
  const auto w1 = seeded_weights(cfg, 11), w2 = seeded_weights(cfg, 12);
  ReferenceModel a(w1), b(w2);
  EXPECT_NE(a.step(5), b.step(5));
}

TEST(Checkpoint, TruncatedFileIsAnInputErrorNamingTheTensor) {
  const auto w = seeded_weights(test::small_model(), 3);
  const auto path = tmp("trunc.bin");
  write_llama2c(w, path, CheckpointVersion::V0);
  std::filesystem::resize_file(path, 28 + 100);
  try {
    read_llama2c(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::TraceParseError);
    EXPECT_EQ(e.field(), "token_embedding");
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST(Checkpoint, BadHeaderAndTrailingBytesAreRejected) {
  const auto path = tmp("bad.bin");
  {
    std::ofstream f(path, std::ios::binary);
    const std::int32_t h[7] = {32, 64, 2, 5, 5, 64, 16};  // dim 32 is not a multiple of 5 heads
    f.write(reinterpret_cast<const char*>(h), sizeof h);
  }
  EXPECT_THROW(read_llama2c(path), InputError);
  const auto w = seeded_weights(test::small_model(), 3);
  write_llama2c(w, path, CheckpointVersion::V1);
  { std::ofstream f(path, std::ios::binary | std::ios::app); f.put('x'); }
  EXPECT_THROW(read_llama2c(path), InputError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kvcheck::engine
