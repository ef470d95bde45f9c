// The regression corpus (counterexamples/corpus): every kept shrunk failure still gives its
// expected verdict on the config of the same name, and its ITF trace replays exactly.
#include <gtest/gtest.h>

#include <map>

#include "checkers/fuzz/corpus.h"
#include "counterexamples/itf.h"
#include "counterexamples/replay.h"
#include "fuzz_test_util.h"

namespace kvcheck::fuzz {
namespace {

std::filesystem::path corpus_dir() { return test::source_dir() / "counterexamples" / "corpus"; }

/// Configs by [meta] name, from configs/ and tests/fuzz/configs/.
std::map<std::string, Config> configs_by_name() {
  std::map<std::string, Config> out;
  for (const auto& dir : {test::source_dir() / "configs", test::source_dir() / "tests/fuzz/configs"})
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".toml") {
        auto c = load_config(e.path());
        out.emplace(c.name, std::move(c));
      }
  return out;
}

TEST(FuzzCorpus, EveryEntryKeepsItsExpectedVerdictAndReplays) {
  const auto configs = configs_by_name();
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(corpus_dir())) {
    if (!e.path().string().ends_with(".itf.json")) continue;
    const auto t = read_itf(e.path());
    if (t.meta.source != "fuzz") continue;
    ++entries;
    Expectation exp;
    ASSERT_TRUE(parse_note(t.meta.note, exp)) << e.path();
    const auto it = configs.find(t.meta.config_name);
    ASSERT_NE(it, configs.end()) << e.path() << ": no config named " << t.meta.config_name;
    const auto m = make_fuzz_model(it->second);
    const auto r = run_case(*m, case_from_trace(t));
    EXPECT_EQ(expectation_of(r).verdict, exp.verdict) << e.path();
    EXPECT_EQ(expectation_of(r).property, exp.property) << e.path();
    const auto rep = replay(t);
    EXPECT_TRUE(rep.reproduced) << e.path() << ": " << rep.message();
  }
  EXPECT_GE(entries, 2);
}

TEST(FuzzCorpus, TheFuzzerReplaysTheCorpusFirst) {
  auto o = test::quick(10, 1);
  o.corpus_dir = corpus_dir();
  const auto r = run_fuzz(test::shipped("p2_example2"), o);
  ASSERT_FALSE(r.corpus.empty());
  for (const auto& c : r.corpus) EXPECT_TRUE(c.matched) << c.file;
  EXPECT_EQ(r.exit, ExitCode::SafetyViolation);
}

TEST(FuzzCorpus, NotesRoundTrip) {
  Expectation e{"violated", "starvation"}, back;
  std::string repro;
  ASSERT_TRUE(parse_note(make_note("reproduce=abc seed=1", e), back, &repro));
  EXPECT_EQ(back.verdict, "violated");
  EXPECT_EQ(back.property, "starvation");
  EXPECT_EQ(repro, "reproduce=abc seed=1");
  EXPECT_FALSE(parse_note("free text", back));
}

}  // namespace
}  // namespace kvcheck::fuzz
