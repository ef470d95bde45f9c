// issue 13 end to end: a typo in [bmc], [fuzz] or [explore] fails every command at load, not
// only the one whose checker reads the section (exit 151, one line naming file and field); and
// `kvcheck schema --markdown` prints the generated key tables.
#include "cli_harness.h"

namespace kvcheck::testing {
namespace {

const std::string kBase = slurp(std::filesystem::path(KVCHECK_SOURCE_DIR) /
                                "configs/explore_p1_budgets_safe.toml");

TEST(ConfigSchemaCli, TypoInACheckerSectionFailsSimulateAndCheck) {
  const auto dir = scratch_dir();
  const std::vector<std::pair<std::string, std::string>> typos{
      {"[bmc]\nslotz = 3\n", "bmc.slotz"},
      {"[fuzz]\nrunz = 3\n", "fuzz.runz"},
      {"[fuzz.stability]\nhorizn = 300\n", "fuzz.stability.horizn"},
      {"[explore]\nmax_statez = 3\n", "explore.max_statez"},
  };
  int n = 0;
  for (const auto& [section, field] : typos) {
    // [explore] is in the base config already: append the typo to it instead.
    std::string text = kBase;
    if (section.rfind("[explore]", 0) == 0)
      text = kBase + section.substr(std::string("[explore]\n").size());
    else
      text = kBase + section;
    const auto file = dir / ("typo" + std::to_string(n++) + ".toml");
    write_text(file, text);
    for (const char* cmd : {"simulate", "check", "prove", "fuzz", "explore"}) {
      SCOPED_TRACE(std::string(cmd) + " " + field);
      expect_error(run_kvcheck(std::string(cmd) + " " + sh_quote(file.string())), 151,
                   {file.string(), field, "unknown field"});
    }
  }
}

TEST(ConfigSchemaCli, SchemaMarkdownPrintsTheKeyTables) {
  const auto r = run_kvcheck("schema --markdown");
  EXPECT_EQ(r.status, 0) << r.err;
  for (const char* s : {"<!-- schema:bmc -->", "| `slots` | int | min(3, envelope) | [1, 16] |",
                        "<!-- schema:fuzz.stability -->", "<!-- schema:explore -->"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

}  // namespace
}  // namespace kvcheck::testing
