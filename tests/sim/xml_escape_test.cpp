// The one XML escaper (sim/xml_escape.h) against hand-written expectations.
#include <gtest/gtest.h>

#include <string>

#include "sim/xml_escape.h"

namespace kvcheck {
namespace {

TEST(XmlEscape, EntitiesForTheFiveSpecialCharacters) {
  EXPECT_EQ(xml_escape(R"(a<b>&"c"'d')"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
  EXPECT_EQ(xml_escape("plain text 123"), "plain text 123");
  EXPECT_EQ(xml_escape(""), "");
}

TEST(XmlEscape, ForbiddenControlCharactersBecomeQuestionMarks) {
  EXPECT_EQ(xml_escape(std::string("a\x01" "b\x1f" "c", 5)), "a?b?c");
  EXPECT_EQ(xml_escape(std::string("nul\0end", 7)), "nul?end");
  EXPECT_EQ(xml_escape("tab\tnl\ncr\r"), "tab\tnl\ncr\r");  // allowed by XML 1.0
  EXPECT_EQ(xml_escape("\x7f" "utf8: \xc3\xa9"), "\x7f" "utf8: \xc3\xa9");  // bytes >= 0x20 kept
}

}  // namespace
}  // namespace kvcheck
