#include "coordinator/robots.h"

#include <gtest/gtest.h>

#include <string>

namespace farm {
namespace {

bool Allowed(std::string_view robots_txt, std::string_view token, std::string_view path) {
  return RobotsRules::Parse(robots_txt, token).Allowed(path);
}

// RFC 9309 5.1, verbatim (with the figure's EOF line, which has no colon).
constexpr std::string_view kRfcSimpleExample =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n"
    "\n"
    "EOF\n";

TEST(RobotsRules, RfcSimpleExampleStarGroupForAnUnnamedCrawler) {
  EXPECT_FALSE(Allowed(kRfcSimpleExample, "otherbot", "/example/page.html"));
  EXPECT_FALSE(Allowed(kRfcSimpleExample, "otherbot", "/pics/cat.gif"));
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "otherbot", "/pics/cat.gif?size=2"));  // '$' ends it
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "otherbot", "/publications/report.html"));
  // /publications/ (14 octets) is longer than *.gif$ (6): the Allow wins.
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "otherbot", "/publications/chart.gif"));
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "otherbot", "/"));
}

TEST(RobotsRules, RfcSimpleExampleNamedGroupReplacesTheStarGroup) {
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "foobot", "/example/page.html"));
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "foobot", "/example/allowed.gif"));
  EXPECT_FALSE(Allowed(kRfcSimpleExample, "foobot", "/example/other.html"));
  EXPECT_FALSE(Allowed(kRfcSimpleExample, "foobot", "/publications/report.html"));
  EXPECT_FALSE(Allowed(kRfcSimpleExample, "foobot", "/"));
}

TEST(RobotsRules, RfcSimpleExampleGroupOfTwoAgents) {
  for (std::string_view bot : {"barbot", "bazbot"}) {
    EXPECT_FALSE(Allowed(kRfcSimpleExample, bot, "/example/page.html")) << bot;
    EXPECT_TRUE(Allowed(kRfcSimpleExample, bot, "/example/other.html")) << bot;
    EXPECT_TRUE(Allowed(kRfcSimpleExample, bot, "/cat.gif")) << bot;  // not the * group's
  }
}

TEST(RobotsRules, RfcSimpleExampleEmptyLastGroupAllowsEverything) {
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "quxbot", "/example/page.html"));
  EXPECT_TRUE(Allowed(kRfcSimpleExample, "quxbot", "/cat.gif"));
}

TEST(RobotsRules, RfcGroupsOfTheSameTokenAreMerged) {
  constexpr std::string_view kText =
      "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
      "user-agent: ExampleBot\ndisallow: /baz\n";
  for (std::string_view path : {"/foo", "/bar", "/baz/1"})
    EXPECT_FALSE(Allowed(kText, "ExampleBot", path)) << path;
  EXPECT_TRUE(Allowed(kText, "ExampleBot", "/qux"));
}

TEST(RobotsRules, RfcStarGroupAppliesWhenNoGroupNamesUs) {
  constexpr std::string_view kText =
      "user-agent: *\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: BazBot\ndisallow: /baz\n";
  EXPECT_FALSE(Allowed(kText, "ExampleBot", "/foo"));
  EXPECT_FALSE(Allowed(kText, "ExampleBot", "/bar"));
  EXPECT_TRUE(Allowed(kText, "ExampleBot", "/baz"));
  EXPECT_FALSE(Allowed(kText, "BazBot", "/baz"));
  EXPECT_TRUE(Allowed(kText, "BazBot", "/foo"));
}

TEST(RobotsRules, NoGroupForUsAndNoStarGroupAllowsEverything) {
  EXPECT_TRUE(Allowed("User-agent: other\nDisallow: /\n", "farm", "/x"));
  EXPECT_TRUE(Allowed("", "farm", "/x"));
  EXPECT_TRUE(Allowed("Disallow: /\n", "farm", "/x"));  // a rule in no group
}

TEST(RobotsRules, AgentIsMatchedByProductTokenIgnoringCase) {
  constexpr std::string_view kText = "User-agent: FARM/2.0 (+https://example.org)\nDisallow: /x\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/x"));
  EXPECT_FALSE(Allowed(kText, "Farm", "/x"));
  // A longer or shorter name is another crawler.
  EXPECT_TRUE(Allowed("User-agent: farmer\nDisallow: /x\n", "farm", "/x"));
  EXPECT_TRUE(Allowed("User-agent: farm-bot\nDisallow: /x\n", "farm", "/x"));
  EXPECT_TRUE(Allowed("User-agent: far\nDisallow: /x\n", "farm", "/x"));
}

TEST(RobotsRules, EmptyProductTokenGetsTheStarGroupOnly) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /a\n\nUser-agent: \nDisallow: /b\n";
  EXPECT_FALSE(Allowed(kText, "", "/a"));
  EXPECT_TRUE(Allowed(kText, "", "/b"));
}

TEST(RobotsRules, UserAgentAfterRulesStartsANewGroup) {
  constexpr std::string_view kText =
      "User-agent: farm\nDisallow: /a\nUser-agent: other\nDisallow: /b\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/a"));
  EXPECT_TRUE(Allowed(kText, "farm", "/b"));
}

TEST(RobotsRules, OtherRecordsDoNotEndAGroup) {
  // RFC 9309 2.2.4: a Sitemap line (or any unknown one) must not split the
  // two User-agent lines into two groups.
  constexpr std::string_view kText =
      "User-agent: farm\nSitemap: https://example.org/sitemap.xml\nHost: example.org\n"
      "Crawl-delay: 1\nUser-agent: other\nDisallow: /\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/x"));
}

TEST(RobotsRules, RfcLongestMatchWins) {
  constexpr std::string_view kText =
      "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n";
  EXPECT_TRUE(Allowed(kText, "foobot", "/example/page/"));
  EXPECT_TRUE(Allowed(kText, "foobot", "/example/page/other.gif"));
  EXPECT_FALSE(Allowed(kText, "foobot", "/example/page/disallowed.gif"));
}

TEST(RobotsRules, LongestMatchCountsWildcardsAsWritten) {
  constexpr std::string_view kText = "User-agent: *\nAllow: /a\nDisallow: /*.php\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/a.php"));  // "/*.php" has 6 octets, "/a" 2
  EXPECT_TRUE(Allowed(kText, "farm", "/a.html"));
}

TEST(RobotsRules, AllowWinsATieWhicheverComesFirst) {
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow: /same\nAllow: /same\n", "farm", "/same/x"));
  EXPECT_TRUE(Allowed("User-agent: *\nAllow: /same\nDisallow: /same\n", "farm", "/same/x"));
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow: /*.a\nAllow: /x.*\n", "farm", "/x.a"));
}

TEST(RobotsRules, EmptyDisallowAllowsEverything) {
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow:\n", "farm", "/anything"));
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow:   # nothing\n", "farm", "/"));
  // An empty Allow allows nothing more: the Disallow still holds.
  EXPECT_FALSE(Allowed("User-agent: *\nAllow:\nDisallow: /\n", "farm", "/x"));
}

TEST(RobotsRules, PatternIsAPrefixAndCaseSensitive) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /fish\n";
  for (std::string_view path : {"/fish", "/fish.html", "/fish/salmon.html", "/fishheads?id=1"})
    EXPECT_FALSE(Allowed(kText, "farm", path)) << path;
  EXPECT_TRUE(Allowed(kText, "farm", "/Fish.asp"));
  EXPECT_TRUE(Allowed(kText, "farm", "/catfish"));
}

TEST(RobotsRules, StarMatchesAnyRunIncludingSlashes) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /a/*/c\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/a/b/c"));
  EXPECT_FALSE(Allowed(kText, "farm", "/a/b/x/y/c/d"));
  EXPECT_FALSE(Allowed(kText, "farm", "/a//c"));
  EXPECT_TRUE(Allowed(kText, "farm", "/a/c"));
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /*\n", "farm", "/"));
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /**x**\n", "farm", "/abcx"));
}

TEST(RobotsRules, DollarAnchorsTheEndOfThePath) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /*.gif$\nDisallow: /exact$\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/a/b.gif"));
  EXPECT_TRUE(Allowed(kText, "farm", "/a/b.gifs"));
  EXPECT_TRUE(Allowed(kText, "farm", "/a/b.gif?x=1"));
  EXPECT_FALSE(Allowed(kText, "farm", "/exact"));
  EXPECT_TRUE(Allowed(kText, "farm", "/exact/"));
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /$\n", "farm", "/"));
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow: /$\n", "farm", "/index.html"));
}

TEST(RobotsRules, QueryIsPartOfWhatIsMatched) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /*?\nAllow: /*?page=\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/search?q=x"));
  EXPECT_TRUE(Allowed(kText, "farm", "/search?page=2"));
  EXPECT_TRUE(Allowed(kText, "farm", "/search"));
}

TEST(RobotsRules, RfcPercentEncodingIsNormalizedOnBothSides) {
  // RFC 9309 2.2.2's table: unreserved characters decoded, UTF-8 encoded.
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /foo/bar/baz\n", "farm", "/foo/bar/%62%61%7A"));
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /foo/bar/%62%61%7a\n", "farm", "/foo/bar/baz"));
  EXPECT_FALSE(
      Allowed("User-agent: *\nDisallow: /foo/bar/\xE3\x83\x84\n", "farm", "/foo/bar/%E3%83%84"));
  EXPECT_FALSE(
      Allowed("User-agent: *\nDisallow: /foo/bar/%E3%83%84\n", "farm", "/foo/bar/\xE3\x83\x84"));
  EXPECT_FALSE(
      Allowed("User-agent: *\nDisallow: /foo/bar/%e3%83%84\n", "farm", "/foo/bar/%E3%83%84"));
}

TEST(RobotsRules, EscapedReservedCharactersStayEscapedInEitherCase) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /a%2fb\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/a%2Fb"));
  EXPECT_FALSE(Allowed(kText, "farm", "/a%2fb"));
  EXPECT_TRUE(Allowed(kText, "farm", "/a/b"));  // %2F is not a path separator
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /a b\n", "farm", "/a%20b"));
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /100%\n", "farm", "/100%25"));
}

TEST(RobotsRules, RfcEscapedSpecialCharactersMatchLiterally) {
  // RFC 9309 2.2.3: "%2A" and "%24" in a pattern are a literal '*' and '$'.
  constexpr std::string_view kText =
      "User-agent: *\nDisallow: /path/file-with-a-%2A.html\nDisallow: /path/foo-%24\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/path/file-with-a-*.html"));
  EXPECT_TRUE(Allowed(kText, "farm", "/path/file-with-a-b.html"));
  EXPECT_FALSE(Allowed(kText, "farm", "/path/foo-$"));
  EXPECT_TRUE(Allowed(kText, "farm", "/path/foo-"));
  // A '$' inside a pattern is literal too.
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /a$b\n", "farm", "/a$b/c"));
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow: /a$b\n", "farm", "/a"));
}

TEST(RobotsRules, RobotsTxtItselfIsAlwaysAllowed) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /\n";
  EXPECT_TRUE(Allowed(kText, "farm", "/robots.txt"));
  EXPECT_FALSE(Allowed(kText, "farm", "/robots.txt.bak"));
  EXPECT_FALSE(Allowed(kText, "farm", "/"));
}

TEST(RobotsRules, CommentsBlankLinesCrlfAndBomAreTolerated) {
  constexpr std::string_view kText =
      "\xEF\xBB\xBF# site rules\r\n\r\nUser-agent: * # everyone\r\n\r\n"
      "Disallow: /x # not /y\r\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/x"));
  EXPECT_TRUE(Allowed(kText, "farm", "/y"));
  // Old Mac line ends, a bare CR.
  EXPECT_FALSE(Allowed("User-agent: *\rDisallow: /x\r", "farm", "/x"));
  // No line end after the last line.
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: /x", "farm", "/x"));
}

TEST(RobotsRules, JunkLinesAreSkipped) {
  constexpr std::string_view kText =
      "<html>oops</html>\nUser-agent: *\nthis line has no colon\nNonsense: 1\n"
      ":\n: /x\nDisallow /y\nDisallow: /z\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/z"));
  EXPECT_TRUE(Allowed(kText, "farm", "/x"));
  EXPECT_TRUE(Allowed(kText, "farm", "/y"));
}

TEST(RobotsRules, KeysIgnoreCaseAndSpacesAroundTheColon) {
  constexpr std::string_view kText = "USER-AGENT:*\n  DisAllow  :\t/x  \n\tallow : /x/ok\n";
  EXPECT_FALSE(Allowed(kText, "farm", "/x/no"));
  EXPECT_TRUE(Allowed(kText, "farm", "/x/ok"));
}

TEST(RobotsRules, OnlyTheFirst500KiBAreRead) {
  std::string text = "User-agent: *\nDisallow: /early\n";
  while (text.size() < kRobotsTxtMaxBytes) text += "# padding padding padding padding\n";
  text += "Disallow: /late\n";
  EXPECT_FALSE(Allowed(text, "farm", "/early"));
  EXPECT_TRUE(Allowed(text, "farm", "/late"));
}

TEST(RobotsRules, LineCutByTheLimitIsDropped) {
  // "Disallow: /abcdef" cut after "/ab" would disallow far more than its
  // author wrote; the line is dropped instead.
  std::string text = "User-agent: *\n";
  std::string line = "Disallow: /abcdef\n";
  text += std::string(kRobotsTxtMaxBytes - text.size() - 14, '#') + "\n";
  text += line;
  ASSERT_LT(text.size() - line.size(), kRobotsTxtMaxBytes);
  ASSERT_GT(text.size(), kRobotsTxtMaxBytes);
  EXPECT_TRUE(Allowed(text, "farm", "/abx"));
  EXPECT_TRUE(Allowed(text, "farm", "/abcdef"));
}

TEST(RobotsRules, HostilePatternEndsQuickly) {
  // Backtracking would take 2^n steps here; the match is bounded by
  // pattern length times path length.
  std::string pattern = "/";
  for (int i = 0; i < 200; ++i) pattern += "*a";
  std::string path = "/" + std::string(5000, 'a') + "b";
  EXPECT_TRUE(Allowed("User-agent: *\nDisallow: " + pattern + "$\n", "farm", path));
  EXPECT_FALSE(Allowed("User-agent: *\nDisallow: " + pattern + "\n", "farm", path));
}

TEST(RobotsRules, PathIsTakenAsTheRequestWouldSendIt) {
  constexpr std::string_view kText = "User-agent: *\nDisallow: /$\nDisallow: /x$\n";
  EXPECT_FALSE(Allowed(kText, "farm", ""));        // the empty path is "/"
  EXPECT_FALSE(Allowed(kText, "farm", "/x#top"));  // a fragment is never sent
}

TEST(RobotsRules, CrawlDelayOfTheGroupThatApplies) {
  constexpr std::string_view kText =
      "User-agent: *\nCrawl-delay: 10\nDisallow: /a\n\nUser-agent: farm\nCrawl-delay: 0.5\n";
  EXPECT_EQ(RobotsRules::Parse(kText, "farm").crawl_delay_s(), 0.5);
  EXPECT_EQ(RobotsRules::Parse(kText, "other").crawl_delay_s(), 10);
  EXPECT_EQ(RobotsRules::Parse("User-agent: x\nCrawl-delay: 3\n", "farm").crawl_delay_s(),
            std::nullopt);
  EXPECT_EQ(RobotsRules::Parse("User-agent: *\nDisallow: /\n", "farm").crawl_delay_s(),
            std::nullopt);
}

TEST(RobotsRules, CrawlDelayOfMergedGroupsIsTheLargest) {
  constexpr std::string_view kText =
      "User-agent: farm\nCrawl-delay: 2\nDisallow: /a\nUser-agent: farm\nCrawl-delay: 7.25\n";
  EXPECT_EQ(RobotsRules::Parse(kText, "farm").crawl_delay_s(), 7.25);
}

TEST(RobotsRules, NonsenseCrawlDelayIsIgnored) {
  for (std::string_view value : {"-1", "abc", "1s", "inf", "nan", "", "1,5", "0x10", "2 3"}) {
    std::string text = "User-agent: *\nCrawl-delay: " + std::string(value) + "\n";
    EXPECT_EQ(RobotsRules::Parse(text, "farm").crawl_delay_s(), std::nullopt) << value;
  }
  EXPECT_EQ(RobotsRules::Parse("User-agent: *\nCrawl-delay: 0\n", "farm").crawl_delay_s(), 0);
  // Nonsense does not hide a good value given before it.
  EXPECT_EQ(
      RobotsRules::Parse("User-agent: *\nCrawl-delay: 4\nCrawl-delay: x\n", "farm").crawl_delay_s(),
      4);
}

TEST(RobotsRules, AllowAllAndDisallowAll) {
  RobotsRules all = RobotsRules::AllowAll();
  EXPECT_TRUE(all.Allowed("/"));
  EXPECT_TRUE(all.Allowed("/private/x?y=1"));
  EXPECT_EQ(all.crawl_delay_s(), std::nullopt);
  RobotsRules none = RobotsRules::DisallowAll();
  EXPECT_FALSE(none.Allowed("/"));
  EXPECT_FALSE(none.Allowed("/robots.txt"));
  EXPECT_EQ(none.crawl_delay_s(), std::nullopt);
}

TEST(RobotsRules, DisallowedByNamesTheRule) {
  RobotsRules rules = RobotsRules::Parse("User-agent: *\nDisallow: /private/\n", "farm");
  EXPECT_EQ(rules.DisallowedBy("/private/1.html"), "Disallow: /private/");
  EXPECT_EQ(rules.DisallowedBy("/public.html"), std::nullopt);
  EXPECT_NE(RobotsRules::DisallowAll().DisallowedBy("/"), std::nullopt);
}

TEST(RobotsProductToken, IsTheNameBeforeVersionAndComments) {
  EXPECT_EQ(RobotsProductToken("farm/1.2 (+https://example.org/farm)"), "farm");
  EXPECT_EQ(RobotsProductToken("farm"), "farm");
  EXPECT_EQ(RobotsProductToken("  farm 1.0"), "farm");
  EXPECT_EQ(RobotsProductToken("ExampleBot\t(x)"), "ExampleBot");
  EXPECT_EQ(RobotsProductToken("Mozilla/5.0 (compatible; ExampleBot/0.1)"), "Mozilla");
  EXPECT_EQ(RobotsProductToken(""), "");
}

}  // namespace
}  // namespace farm
