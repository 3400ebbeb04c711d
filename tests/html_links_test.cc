// Links and titles taken from HTML as a browser reads it.
#include "worker/html_links.h"

#include <gtest/gtest.h>

#include <chrono>

namespace farm {
namespace {

using Links = std::vector<std::string>;

constexpr std::string_view kPage = "http://site.example/dir/page.html?x=1";

TEST(ExtractLinks, RelativeAndAbsoluteLinksResolvedAgainstThePage) {
  HtmlLinks found = ExtractLinks(R"(<html><head><title>Home</title></head><body>
      <a href="next.html">n</a> <a href="../up.html">u</a> <a href="/root">r</a>
      <a href="//other.example/x">o</a> <a href="HTTPS://Third.Example:443/y#part">t</a>
      <a href="?q=2">q</a></body></html>)",
                                 kPage);
  EXPECT_EQ(found.links,
            (Links{"http://site.example/dir/next.html", "http://site.example/up.html",
                   "http://site.example/root", "http://other.example/x", "https://third.example/y",
                   "http://site.example/dir/page.html?q=2"}));
  EXPECT_EQ(found.title, "Home");
}

TEST(ExtractLinks, BaseHrefRulesEveryLinkEvenThoseBeforeIt) {
  HtmlLinks found = ExtractLinks(R"(<a href="early">e</a>
      <base href="/other/dir/"><base href="http://ignored.example/">
      <a href="late">l</a>)",
                                 kPage);
  EXPECT_EQ(found.links,
            (Links{"http://site.example/other/dir/early", "http://site.example/other/dir/late"}));
}

TEST(ExtractLinks, BaseWithoutHrefIsNoBase) {
  HtmlLinks found = ExtractLinks(R"(<base target="_top"><base href="b/"><a href="x">x</a>)", kPage);
  EXPECT_EQ(found.links, (Links{"http://site.example/dir/b/x"}));
}

TEST(ExtractLinks, AreaIframeAndFrameCountImagesAndScriptsDoNot) {
  HtmlLinks found = ExtractLinks(R"(<map><area href="area.html"></map>
      <iframe src="frame1.html"></iframe><img src="pic.png"><script src="s.js"></script>
      <link href="style.css" rel="stylesheet"><a name="anchor-without-href">x</a>)",
                                 kPage);
  EXPECT_EQ(found.links,
            (Links{"http://site.example/dir/area.html", "http://site.example/dir/frame1.html"}));
  HtmlLinks frames = ExtractLinks(R"(<frameset><frame src="left.html"><frame src="right.html">
      </frameset>)",
                                  kPage);
  EXPECT_EQ(frames.links,
            (Links{"http://site.example/dir/left.html", "http://site.example/dir/right.html"}));
}

TEST(ExtractLinks, FragmentsDroppedAndLinksWithinThePageSkipped) {
  HtmlLinks found = ExtractLinks(R"(<a href="#top">top</a><a href="">self</a><a href="  #x">x</a>
      <a href="other.html#part">o</a><a href="other.html#elsewhere">again</a>)",
                                 kPage);
  EXPECT_EQ(found.links, (Links{"http://site.example/dir/other.html"}));
}

TEST(ExtractLinks, OtherSchemesSkipped) {
  HtmlLinks found = ExtractLinks(R"html(<a href="javascript:void(0)">j</a>
      <a href="mailto:ann@example.com">m</a><a href="data:text/html,hi">d</a>
      <a href="ftp://files.example/x">f</a><a href="tel:+123">t</a><a href="ok.html">ok</a>)html",
                                 kPage);
  EXPECT_EQ(found.links, (Links{"http://site.example/dir/ok.html"}));
}

TEST(ExtractLinks, EntitiesAndWhitespaceInAttributesDecoded) {
  HtmlLinks found = ExtractLinks(
      "<a href=\"a.html?x=1&amp;y=2\">a</a><a href=\"&#x2F;slash\">b</a>"
      "<a href=\"\n  spaced.html \t\">c</a><a href=\"caf&eacute;\">d</a>",
      kPage);
  EXPECT_EQ(found.links,
            (Links{"http://site.example/dir/a.html?x=1&y=2", "http://site.example/slash",
                   "http://site.example/dir/spaced.html", "http://site.example/dir/caf%C3%A9"}));
}

TEST(ExtractLinks, DuplicatesDroppedInDocumentOrder) {
  HtmlLinks found = ExtractLinks(R"(<a href="b">1</a><a href="a">2</a>
      <a href="./b">3</a><a href="http://SITE.example:80/dir/a">4</a><a href="c">5</a>)",
                                 kPage);
  EXPECT_EQ(found.links, (Links{"http://site.example/dir/b", "http://site.example/dir/a",
                                "http://site.example/dir/c"}));
}

TEST(ExtractLinks, CommentsScriptsAndAttributeTextAreNoLinks) {
  HtmlLinks found = ExtractLinks(R"(<!-- <a href="commented.html">c</a> -->
      <script>document.write('<a href="scripted.html">s</a>');</script>
      <p title='<a href="attr.html">'>text mentioning href="text.html"</p>
      <textarea><a href="textarea.html"></a></textarea><a href=real.html>r</a>)",
                                 kPage);
  EXPECT_EQ(found.links, (Links{"http://site.example/dir/real.html"}));
}

TEST(ExtractLinks, TitleWhitespaceCollapsedAndOnlyTheFirst) {
  HtmlLinks found = ExtractLinks(
      "<title>\n  A   &amp;\tB\n</title><title>second</title><svg><title>svg</title></svg>", kPage);
  EXPECT_EQ(found.title, "A & B");
  EXPECT_EQ(ExtractLinks("<title></title>", kPage).title, "");
  EXPECT_EQ(ExtractLinks("<svg><title>icon</title></svg><p>x", kPage).title, std::nullopt);
}

// Order is the order of the tree a browser builds: a link misplaced inside
// a table is moved before the table.
TEST(ExtractLinks, BrokenDocumentStillGivesItsLinks) {
  HtmlLinks found = ExtractLinks(R"(<html><body><div><a href="one.html">one<p><table><tr>
      <td><a href=two.html>two</td></tr><a href='three.html'>three</b></i></div></div>
      <a href="four.html)",
                                 kPage);
  EXPECT_EQ(found.links,
            (Links{"http://site.example/dir/one.html", "http://site.example/dir/three.html",
                   "http://site.example/dir/two.html"}));
  EXPECT_EQ(found.title, std::nullopt);
}

TEST(ExtractLinks, ArbitraryBytesNeverFail) {
  std::string binary = "\x89PNG\r\n\x1a\n";
  binary += std::string("\0\xff\xfe<a href=\"x\">", 15);
  HtmlLinks found = ExtractLinks(binary, kPage);
  EXPECT_LE(found.links.size(), 1u);
  EXPECT_TRUE(ExtractLinks("", kPage).links.empty());
}

TEST(ExtractLinks, AtMostTenThousandLinks) {
  std::string html;
  for (int i = 0; i < 10'050; ++i) html += "<a href=\"p" + std::to_string(i) + "\">x</a>";
  HtmlLinks found = ExtractLinks(html, kPage);
  ASSERT_EQ(found.links.size(), kMaxLinks);
  EXPECT_EQ(found.links.back(), "http://site.example/dir/p9999");
}

// Unclosed <div>s cost the tree builder time quadratic in their number:
// this page would take minutes. The parse is abandoned, and a second one,
// in the same process, runs as usual.
TEST(ExtractLinks, ParseOverItsTimeIsAbandoned) {
  std::string html = "<title>t</title><a href=\"first.html\">f</a>";
  for (int i = 0; i < 100'000; ++i) html += "<div>";
  auto start = std::chrono::steady_clock::now();
  HtmlLinks found = ExtractLinks(html, kPage, std::chrono::milliseconds(200));
  EXPECT_TRUE(found.links.empty());
  EXPECT_EQ(found.title, std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(ExtractLinks("<a href=after.html>", kPage).links,
            (Links{"http://site.example/dir/after.html"}));
}

TEST(ExtractLinks, OnlyTheFirstEightMebibytesAreParsed) {
  std::string html = "<a href=\"first.html\">f</a><p>";
  html.append(kMaxParsedBytes, 'x');
  html += "<a href=\"late.html\">l</a>";
  EXPECT_EQ(ExtractLinks(html, kPage).links, (Links{"http://site.example/dir/first.html"}));
}

TEST(ExtractLinks, DeepNestingDoesNotExhaustTheStack) {
  std::string html;
  for (int i = 0; i < 20'000; ++i) html += "<span>";
  html += "<a href=\"deep.html\">deep</a>";
  EXPECT_EQ(ExtractLinks(html, kPage).links, (Links{"http://site.example/dir/deep.html"}));
}

}  // namespace
}  // namespace farm
