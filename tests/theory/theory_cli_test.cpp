// `kvcheck analyze` end to end: the binary's exit code per config (0 / 5 / 13 / 151), the
// --json file and --only. Runs the kvcheck executable built in the same tree.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>

namespace {

/// A temporary name of this process's own: two runs of these tests at once (two developers, or
/// a helper's ctest beside CI's) must not delete each other's files.
std::string unique(const std::string& name) {
  return std::to_string(static_cast<long>(::getpid())) + "_" + name;
}

const std::string kBin = KVCHECK_BINARY_DIR "/kvcheck";
const std::string kSrc = KVCHECK_SOURCE_DIR;

/// Runs `kvcheck analyze <args>`, returns the exit status; stdout+stderr go to `out`.
int analyze(const std::string& args, std::string& out) {
  const auto cmd = kBin + " analyze " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  out.clear();
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Case {
  const char* config;  // relative to the source tree
  int exit_code;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.config << " -> exit " << c.exit_code; }

class AnalyzeExit : public ::testing::TestWithParam<Case> {};

TEST_P(AnalyzeExit, MatchesTheTheorem) {
  std::string out;
  EXPECT_EQ(analyze(kSrc + "/" + GetParam().config, out), GetParam().exit_code) << out;
}

INSTANTIATE_TEST_SUITE_P(
    Configs, AnalyzeExit,
    ::testing::Values(Case{"configs/p1_alg1_sec41.toml", 13},  // lambda 5 > lambda* 4.0621
                      Case{"tests/theory/configs/p1_stable.toml", 0},
                      Case{"tests/theory/configs/p1_sufficient_only.toml", 5},
                      Case{"configs/p2_example2.toml", 0},  // M* = C = 12
                      Case{"tests/theory/configs/p2_outside.toml", 13},
                      Case{"tests/theory/configs/p4_sarathi_below.toml", 0},
                      Case{"tests/theory/configs/p4_sarathi_above.toml", 13},
                      Case{"tests/theory/configs/p4_ft_below.toml", 5},
                      Case{"configs/vllm_fcfs_azure_conv.toml", 151},  // no rates, linear time
                      Case{"tests/theory/configs/does_not_exist.toml", 151}),
    [](const ::testing::TestParamInfo<Case>& p) {
      return std::filesystem::path(p.param.config).stem().string();
    });

TEST(AnalyzeCli, JsonFileCarriesEveryNumber) {
  const auto path = std::filesystem::temp_directory_path() / unique("kvcheck_theory_cli_test.json");
  std::string out;
  ASSERT_EQ(analyze(kSrc + "/tests/theory/configs/p4_sarathi_below.toml --json " + path.string(),
                    out), 0) << out;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str());
  std::filesystem::remove(path);
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["verdict"], "ok");
  const auto& p4 = j["analyses"][2];
  EXPECT_EQ(p4["id"], "p4");
  EXPECT_NEAR(p4["numbers"]["capacity"].get<double>(), 3.343, 5e-4);
  EXPECT_NEAR(p4["numbers"]["max_rate"].get<double>(), 0.016715, 5e-7);
  EXPECT_NE(out.find("capacity"), std::string::npos);  // the table went to stdout
}

TEST(AnalyzeCli, OnlyRequestsAnAnalysisAndFailsWhenItCannotApply) {
  std::string out;
  EXPECT_EQ(analyze(kSrc + "/configs/p2_example2.toml --only p2", out), 0) << out;
  EXPECT_EQ(out.find("P1  "), std::string::npos);
  EXPECT_EQ(analyze(kSrc + "/configs/p2_example2.toml --only p1", out), 151) << out;
  EXPECT_NE(out.find("time.model"), std::string::npos);
  EXPECT_EQ(analyze(kSrc + "/configs/p2_example2.toml --only p3", out), 151) << out;
}

// Issue 14: --exact prints the exact smallest pool beside ineq. (2). Hand-computed: one class
// (l, o) with budget 1 holds, in steady saturation, one request at each of its o stages, each of
// l + g + 1 entries (lookahead 1), g = 0..o-1.
//  - (1, 2), blocks of 1: 2 + 3 = 5 entries = 5 blocks: ineq. (2) is tight, and 4 overflows.
//  - (2, 3), blocks of 2: 3 + 4 + 5 = 12 entries = 6 blocks by the formula, but each request
//    rounds up to whole blocks: 2 + 2 + 3 = 7 blocks; the exact answer is 7, and 6 overflows.
TEST(AnalyzeCli, ExactPoolBesideInequality2) {
  const auto dir = std::filesystem::temp_directory_path() / unique("kvcheck_analyze_exact");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string out;
  EXPECT_EQ(analyze(kSrc + "/configs/z3_p1_alg1_safe.toml --exact --out " + dir.string(), out), 5)
      << out;  // analyze's own verdict: ineq. (2) holds only with equality
  EXPECT_NE(out.find("smallest engine.num_blocks = 5: PROVED"), std::string::npos) << out;
  EXPECT_NE(out.find("engine.num_blocks = 4: VIOLATED kv_no_overflow"), std::string::npos) << out;
  EXPECT_NE(out.find("the closed form is tight"), std::string::npos) << out;

  std::ifstream in(kSrc + "/configs/z3_p1_alg1_safe.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  for (auto [from, to] : {std::pair{"block_size = 1", "block_size = 2"},
                          {"num_blocks = 5", "num_blocks = 7"},
                          {"prompt = 1", "prompt = 2"},
                          {"output = 2", "output = 3"}})
    text.replace(text.find(from), std::string(from).size(), to);
  const auto cfg = dir / "p1_blocks_of_2.toml";
  std::ofstream(cfg) << text;
  EXPECT_EQ(analyze(cfg.string() + " --exact --json - --out " + dir.string(), out), 5) << out;
  EXPECT_NE(out.find("smallest engine.num_blocks = 7: PROVED"), std::string::npos) << out;
  EXPECT_NE(out.find("engine.num_blocks = 6: VIOLATED kv_no_overflow"), std::string::npos) << out;
  const auto j = nlohmann::json::parse(out.substr(out.find("\n{") + 1));
  EXPECT_EQ(j["analyses"][0]["numbers"]["exact_min_pool"], 7.0);
  EXPECT_EQ(j["analyses"][0]["numbers"]["memory_bound"], 12.0);
  std::filesystem::remove_all(dir);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// `text` with a p2_linear [time] section before its [workload] (P2's analysis needs d0, d1).
std::string with_p2_linear(std::string text) {
  text.replace(text.find("\n[workload]"), 11,
               "\n[time]\nmodel = \"p2_linear\"\nd0 = 0.5\nd1 = 0.01\n\n[workload]");
  return text;
}

// --exact beside P2 Eq. 11, hand-computed. configs/p2_wait_safe.toml: one type (l = 2, o = 3,
// so l' = 2 decode iterations), threshold n = 2. A full WAIT batch holds n requests at each of
// the stages s = 0, 1, 2 with l + s = 2, 3, 4 tokens: M^pi = 2 (2 + 3 + 4) = 18 tokens.
//  - blocks of 1: 18 blocks, the closed form is tight; 17 overflows.
//  - blocks of 2: each request holds ceil(2/2) + ceil(3/2) + ceil(4/2) = 1 + 2 + 2 = 5 blocks
//    over its stages, so 2 x 5 = 10 blocks, where ceil(18 / 2) = 9: the formula undercounts by 1.
TEST(AnalyzeCli, ExactPoolBesideWaitEq11) {
  const auto dir = std::filesystem::temp_directory_path() / unique("kvcheck_analyze_exact_wait");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto text = with_p2_linear(read_text(kSrc + "/configs/p2_wait_safe.toml"));
  const auto ones = dir / "wait_blocks_of_1.toml";
  std::ofstream(ones) << text;
  std::string out;
  EXPECT_EQ(analyze(ones.string() + " --exact --out " + dir.string(), out), 0) << out;
  EXPECT_NE(out.find("smallest engine.num_blocks = 18: PROVED"), std::string::npos) << out;
  EXPECT_NE(out.find("engine.num_blocks = 17: VIOLATED kv_no_overflow"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Eq. 11's M^pi = sum_j n_j S_j (in blocks of 1): the closed form is tight"),
            std::string::npos) << out;

  text.replace(text.find("block_size = 1"), 14, "block_size = 2");
  const auto twos = dir / "wait_blocks_of_2.toml";
  std::ofstream(twos) << text;
  EXPECT_EQ(analyze(twos.string() + " --exact --json - --out " + dir.string(), out), 0) << out;
  EXPECT_NE(out.find("smallest engine.num_blocks = 10: PROVED"), std::string::npos) << out;
  EXPECT_NE(out.find("engine.num_blocks = 9: VIOLATED kv_no_overflow"), std::string::npos) << out;
  const auto j = nlohmann::json::parse(out.substr(out.find("\n{") + 1));
  for (const auto& a : j["analyses"]) {
    if (a["id"] != "p2") continue;
    EXPECT_EQ(a["numbers"]["exact_min_pool"], 10.0);
    EXPECT_EQ(a["numbers"]["M_pi"], 18.0);
  }
  EXPECT_NE(out.find("the formula undercounts by 1"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

// Nested WAIT has no every-N argument yet (it is not in the population encoding), so --exact
// must say UNKNOWN with the reason, never a number from the [bmc] slots; Eq. 14 is noted beside.
TEST(AnalyzeCli, ExactBesideNestedWaitIsUnknownWithoutAnEveryNProof) {
  const auto dir = std::filesystem::temp_directory_path() / unique("kvcheck_analyze_exact_nested");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto cfg = dir / "nested.toml";
  std::ofstream(cfg) << with_p2_linear(read_text(kSrc + "/configs/p2_nested_wait_safe.toml"));
  std::string out;
  EXPECT_EQ(analyze(cfg.string() + " --exact --json - --out " + dir.string(), out), 5) << out;
  EXPECT_NE(out.find("exact: no engine.num_blocks in [18, 27] is proved for every workload"),
            std::string::npos) << out;  // M^pi = 19 (Eq. 13, the config's comment works it)
  EXPECT_NE(out.find("not proved for every N"), std::string::npos) << out;
  EXPECT_NE(out.find("Eq. 14's M_req"), std::string::npos) << out;
  EXPECT_EQ(out.find("exact_min_pool"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST(AnalyzeCli, ExactNeedsAClosedForm) {
  std::string out;
  EXPECT_EQ(analyze(kSrc + "/configs/p2_example2.toml --exact", out), 151) << out;
  EXPECT_NE(out.find("--exact"), std::string::npos) << out;
}

}  // namespace
