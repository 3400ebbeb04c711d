// URLs in their normal form: what a crawl's visited set and per-host
// politeness compare.
#include "common/url.h"

#include <gtest/gtest.h>

namespace farm {
namespace {

std::string Normal(std::string_view url) { return NormalizeUrl(url).value_or("(none)"); }

std::string Resolved(std::string_view base, std::string_view reference) {
  return ResolveUrl(base, reference).value_or("(none)");
}

TEST(NormalizeUrl, SchemeAndHostLowerCasedPathKept) {
  EXPECT_EQ(Normal("HTTP://Example.COM/Some/Path"), "http://example.com/Some/Path");
  EXPECT_EQ(Normal("hTtPs://EXAMPLE.com/A?Q=B"), "https://example.com/A?Q=B");
}

TEST(NormalizeUrl, DefaultPortDroppedOtherPortKept) {
  EXPECT_EQ(Normal("http://example.com:80/x"), "http://example.com/x");
  EXPECT_EQ(Normal("https://example.com:443/x"), "https://example.com/x");
  EXPECT_EQ(Normal("http://example.com:443/x"), "http://example.com:443/x");
  EXPECT_EQ(Normal("https://example.com:80/x"), "https://example.com:80/x");
  EXPECT_EQ(Normal("http://example.com:8080/x"), "http://example.com:8080/x");
}

TEST(NormalizeUrl, FragmentDroppedQueryKept) {
  EXPECT_EQ(Normal("http://h/p?a=1&b=2#section"), "http://h/p?a=1&b=2");
  EXPECT_EQ(Normal("http://h/p#"), "http://h/p");
  EXPECT_EQ(Normal("http://h/p?"), "http://h/p");  // an empty query is none
}

TEST(NormalizeUrl, DotSegmentsRemovedEmptyPathMadeSlash) {
  EXPECT_EQ(Normal("http://h/a/./b/../c"), "http://h/a/c");
  EXPECT_EQ(Normal("http://h/a/b/../../../../c"), "http://h/c");
  EXPECT_EQ(Normal("http://h/a/.."), "http://h/");
  EXPECT_EQ(Normal("http://h"), "http://h/");
  EXPECT_EQ(Normal("http://h?q"), "http://h/?q");
}

// A server decodes %2e before it resolves "..", so a robots.txt rule and a
// crawl's scope must see the path it serves.
TEST(NormalizeUrl, EscapedDotSegmentsAreRemovedToo) {
  EXPECT_EQ(Normal("http://h/pub/%2e%2e/private/x"), "http://h/private/x");
  EXPECT_EQ(Normal("http://h/pub/%2E%2E/private/x"), "http://h/private/x");
  EXPECT_EQ(Normal("http://h/pub/.%2e/private/x"), "http://h/private/x");
  EXPECT_EQ(Normal("http://h/pub/%2E./private/x"), "http://h/private/x");
  EXPECT_EQ(Normal("http://h/a/%2e/b/%2E/c"), "http://h/a/b/c");
  EXPECT_EQ(Normal("http://h/a/b/%2e%2E/./%2e/../c"), "http://h/c");
}

TEST(NormalizeUrl, EscapedDotSegmentsAtTheStartAndEndOfThePath) {
  EXPECT_EQ(Normal("http://h/%2e%2e/x"), "http://h/x");
  EXPECT_EQ(Normal("http://h/%2e/x"), "http://h/x");
  EXPECT_EQ(Normal("http://h/a/b/%2e%2e"), "http://h/a/");
  EXPECT_EQ(Normal("http://h/a/b/%2e"), "http://h/a/b/");
  EXPECT_EQ(Normal("http://h/a/b/%2e%2e?q"), "http://h/a/?q");
}

TEST(NormalizeUrl, EscapedDotSegmentsNeverGoAboveTheRoot) {
  EXPECT_EQ(Normal("http://h/%2e%2e"), "http://h/");
  EXPECT_EQ(Normal("http://h/%2e%2e/%2E%2E/../.%2e/x"), "http://h/x");
  EXPECT_EQ(Normal("http://h/a/%2e%2e/%2e%2e/%2e%2e/b"), "http://h/b");
}

// Only a whole segment of dots is one: an escaped '/' is no separator.
TEST(NormalizeUrl, DotsInsideASegmentStay) {
  EXPECT_EQ(Normal("http://h/a/%2e%2e%2Fb"), "http://h/a/..%2Fb");
  EXPECT_EQ(Normal("http://h/a/%2e%2e%2e/b"), "http://h/a/.../b");
  EXPECT_EQ(Normal("http://h/a/%2e%2ex/b"), "http://h/a/..x/b");
}

TEST(NormalizeUrl, EscapesOfUnreservedCharactersAreDecoded) {
  EXPECT_EQ(Normal("http://h/%7Ec"), "http://h/~c");
  EXPECT_EQ(Normal("http://h/%7ec"), "http://h/~c");
  EXPECT_EQ(Normal("http://h/%41%7a%30%2D%2e%5F%7E"), "http://h/Az0-._~");
}

// %2F is no '/' to a server, nor %3F a '?': such escapes stay, in one case.
TEST(NormalizeUrl, OtherEscapesStayWithUpperCaseHexDigits) {
  EXPECT_EQ(Normal("http://h/A%2fB"), "http://h/A%2FB");
  EXPECT_EQ(Normal("http://h/A%2FB"), "http://h/A%2FB");
  EXPECT_EQ(Normal("http://h/a%3fb%23c%25d%c3%a9"), "http://h/a%3Fb%23c%25d%C3%A9");
}

TEST(NormalizeUrl, QueryEscapesNormalizedButNoDotSegmentsRemoved) {
  EXPECT_EQ(Normal("http://h/p?a=%7e&b=%2f&c=%2e%2e/../x"), "http://h/p?a=~&b=%2F&c=../../x");
  EXPECT_EQ(Normal("http://h/%2e%2e?%2e%2e"), "http://h/?..");
}

TEST(NormalizeUrl, UserInfoKeptAsGiven) {
  EXPECT_EQ(Normal("http://Ann:Secret@Host/x"), "http://Ann:Secret@host/x");
  EXPECT_EQ(Normal("http://ann@host/"), "http://ann@host/");
}

TEST(NormalizeUrl, Ipv6HostKeepsItsBrackets) {
  EXPECT_EQ(Normal("http://[::1]:8080/x"), "http://[::1]:8080/x");
  EXPECT_EQ(Normal("http://[FE80::A]:80/"), "http://[fe80::a]/");
}

TEST(NormalizeUrl, SpacesAndNonAsciiArePercentEncoded) {
  EXPECT_EQ(Normal("http://h/a b?c d"), "http://h/a%20b?c%20d");
  EXPECT_EQ(Normal("http://h/caf\xc3\xa9"), "http://h/caf%C3%A9");
  EXPECT_EQ(Normal("http://h/already%20encoded"), "http://h/already%20encoded");
}

TEST(NormalizeUrl, RejectsOtherSchemesRelativeUrlsAndGarbage) {
  for (const char* url :
       {"ftp://h/x", "file:///etc/passwd", "mailto:ann@example.com", "javascript:alert(1)",
        "data:text/plain,hi", "/relative/path", "x", "example.com/x", "", "http://",
        "http://h:99999/", "http://h/\x01", "gopher://h/"})
    EXPECT_FALSE(NormalizeUrl(url).has_value()) << url;
  EXPECT_FALSE(NormalizeUrl(std::string_view("http://h/a\0b", 12)).has_value());
}

TEST(NormalizeUrl, IsIdempotent) {
  for (const char* url : {"HTTP://H:80/a/../b?x#y", "https://[::1]:443/ä", "http://u:p@H",
                          "http://h/%2e%2e/a/%2E/%7e/b%2f?%2e%7E%3f"}) {
    std::string once = Normal(url);
    EXPECT_EQ(Normal(once), once) << url;
  }
}

TEST(ResolveUrl, RelativeForms) {
  const char* base = "http://h/a/b/c?x=1#f";
  EXPECT_EQ(Resolved(base, "d"), "http://h/a/b/d");
  EXPECT_EQ(Resolved(base, "./d"), "http://h/a/b/d");
  EXPECT_EQ(Resolved(base, "../d"), "http://h/a/d");
  EXPECT_EQ(Resolved(base, "../../../../d"), "http://h/d");
  EXPECT_EQ(Resolved(base, "/d"), "http://h/d");
  EXPECT_EQ(Resolved(base, "//Other:80/d"), "http://other/d");
  EXPECT_EQ(Resolved(base, "?q"), "http://h/a/b/c?q");
  EXPECT_EQ(Resolved(base, "d?q#g"), "http://h/a/b/d?q");
  EXPECT_EQ(Resolved(base, "."), "http://h/a/b/");
  EXPECT_EQ(Resolved(base, ".."), "http://h/a/");
}

TEST(ResolveUrl, EscapedDotSegmentsOfAReferenceAreRemoved) {
  const char* base = "http://h/pub/index.html";
  EXPECT_EQ(Resolved(base, "%2e%2e/private/x.html"), "http://h/private/x.html");
  EXPECT_EQ(Resolved(base, "/pub/%2E%2E/private/x.html"), "http://h/private/x.html");
  EXPECT_EQ(Resolved(base, "%2e/%7Ex.html"), "http://h/pub/~x.html");
}

// The document itself: the base without its fragment, query kept.
TEST(ResolveUrl, FragmentOnlyAndEmptyReferenceAreTheDocument) {
  const char* base = "http://h/a/b/c?x=1#f";
  EXPECT_EQ(Resolved(base, "#g"), "http://h/a/b/c?x=1");
  EXPECT_EQ(Resolved(base, ""), "http://h/a/b/c?x=1");
  EXPECT_EQ(Resolved(base, "  "), "http://h/a/b/c?x=1");
}

TEST(ResolveUrl, AbsoluteReferenceReplacesTheBase) {
  EXPECT_EQ(Resolved("http://h/a", "HTTPS://Other.example:443/x/../y"), "https://other.example/y");
  EXPECT_EQ(Resolved("https://h/a", "//[::1]:8080/z"), "https://[::1]:8080/z");
}

TEST(ResolveUrl, WhitespaceAroundAndNewlinesInsideAreDropped) {
  EXPECT_EQ(Resolved("http://h/", " \n d\ne.html\t "), "http://h/de.html");
  EXPECT_EQ(Resolved("http://h/", "a b.html"), "http://h/a%20b.html");
}

TEST(ResolveUrl, RejectsOtherSchemesAndGarbage) {
  for (const char* reference :
       {"mailto:ann@example.com", "javascript:void(0)", "data:text/html,<p>", "ftp://h/x",
        "file:///etc/passwd", "http://", "http://h:99999/"})
    EXPECT_FALSE(ResolveUrl("http://h/a", reference).has_value()) << reference;
  EXPECT_FALSE(ResolveUrl("relative/base", "x").has_value());
  EXPECT_FALSE(ResolveUrl("ftp://h/a", "x").has_value());
  EXPECT_FALSE(ResolveUrl("", "x").has_value());
}

TEST(UrlParts, OriginHostAndTargetOfANormalUrl) {
  std::string url = *NormalizeUrl("http://Ann:Pw@Example.COM:8080/a/b?q=1#f");
  EXPECT_EQ(UrlOrigin(url), "http://example.com:8080");
  EXPECT_EQ(UrlHost(url), "example.com");
  EXPECT_EQ(UrlTarget(url), "/a/b?q=1");
  EXPECT_EQ(UrlOrigin(*NormalizeUrl("https://example.com:443")), "https://example.com");
  EXPECT_EQ(UrlTarget(*NormalizeUrl("https://example.com:443")), "/");
  EXPECT_EQ(UrlOrigin(*NormalizeUrl("http://[::1]:8080/x")), "http://[::1]:8080");
  EXPECT_EQ(UrlHost(*NormalizeUrl("http://[::1]:8080/x")), "[::1]");
  EXPECT_EQ(UrlHost(*NormalizeUrl("http://127.0.0.1:5000?q")), "127.0.0.1");
  EXPECT_EQ(UrlTarget(*NormalizeUrl("http://127.0.0.1:5000?q")), "/?q");
}

}  // namespace
}  // namespace farm
