// The crawl frontier alone: scope, depth, each URL once, and the order that
// gives every URL its smallest depth whatever order replies come in.
#include "coordinator/crawl_frontier.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/run_farm.h"

namespace farm {
namespace {

CrawlOptions Options(CrawlOptions::Scope scope = CrawlOptions::Scope::kHost, int depth = -1) {
  return {.seeds = {"http://a.test/docs/index.html"}, .depth = depth, .scope = scope};
}

TEST(CrawlFrontier, EachUrlOnceWithinScopeAndDepth) {
  CrawlFrontier frontier(Options(CrawlOptions::Scope::kHost, 1));
  frontier.OfferSeeds();
  EXPECT_TRUE(frontier.Offer("http://a.test/x", 1, "p"));
  EXPECT_FALSE(frontier.Offer("http://a.test/x", 1, "q")) << "seen";
  EXPECT_FALSE(frontier.Offer("http://a.test/y", 2, "p")) << "too deep";
  EXPECT_FALSE(frontier.Offer("http://a.test:81/x", 1, "p")) << "another port is another host";
  EXPECT_FALSE(frontier.Offer("http://b.test/x", 1, "p"));
}

TEST(CrawlFrontier, DomainAndPrefixScopes) {
  CrawlFrontier domain(Options(CrawlOptions::Scope::kDomain));
  EXPECT_TRUE(domain.Offer("http://www.a.test:8080/", 1, "p"));
  EXPECT_TRUE(domain.Offer("https://cdn.a.test/", 1, "p"));
  EXPECT_FALSE(domain.Offer("http://xa.test/", 1, "p"));
  CrawlFrontier prefix(Options(CrawlOptions::Scope::kPrefix));
  EXPECT_TRUE(prefix.Offer("http://a.test/docs/deeper/page", 1, "p"));
  EXPECT_FALSE(prefix.Offer("http://a.test/blog/", 1, "p"));
}

TEST(CrawlFrontier, MaxPagesCountsEveryUrlQueued) {
  CrawlOptions options = Options();
  options.max_pages = 2;
  CrawlFrontier frontier(options);
  frontier.OfferSeeds();
  EXPECT_TRUE(frontier.Offer("http://a.test/1", 1, "p"));
  EXPECT_FALSE(frontier.Offer("http://a.test/2", 1, "p"));
}

// A page goes out only once nothing two levels above it is in flight, and
// a URL found again by a shorter path before it went out moves up.
TEST(CrawlFrontier, PagesGoOutAtTheirSmallestDepth) {
  CrawlFrontier frontier(Options());
  frontier.OfferSeeds();
  CrawlFrontier::Page seed, page;
  ASSERT_TRUE(frontier.Next(&seed));
  ASSERT_TRUE(frontier.Offer("http://a.test/a", 1, seed.url));
  ASSERT_TRUE(frontier.Offer("http://a.test/b", 1, seed.url));
  frontier.Done(seed);
  CrawlFrontier::Page a, b;
  ASSERT_TRUE(frontier.Next(&a));
  ASSERT_TRUE(frontier.Next(&b));
  ASSERT_TRUE(frontier.Offer("http://a.test/deep", 2, a.url));
  ASSERT_TRUE(frontier.Offer("http://a.test/deeper", 3, "http://a.test/deep"));
  frontier.Done(a);
  ASSERT_TRUE(frontier.Next(&page));
  EXPECT_EQ(page.url, "http://a.test/deep");
  EXPECT_FALSE(frontier.Next(&page)) << "depth 3 waits while b (depth 1) is in flight";
  EXPECT_TRUE(frontier.Offer("http://a.test/deeper", 2, b.url)) << "a shorter path moves it up";
  frontier.Done(b);
  ASSERT_TRUE(frontier.Next(&page));
  EXPECT_EQ(page.url, "http://a.test/deeper");
  EXPECT_EQ(page.depth, 2);
  EXPECT_EQ(page.parent, b.url);
  EXPECT_FALSE(frontier.Next(&page)) << "its old entry is gone";
  EXPECT_TRUE(frontier.empty());
}

// A result line of a crawl, as farm writes it but for `depth` and
// `discovered`, given as JSON text.
std::string CrawlLine(int id, const std::string& page, const std::string& depth,
                      const std::string& discovered) {
  return R"({"id":)" + std::to_string(id) + R"(,"ok":true,"result":{"url":"http://a.test/docs/)" +
         page + R"(","depth":)" + depth + R"(,"discovered":)" + discovered + "}}\n";
}

// --resume reads the lines farm crawl writes. One whose depth is no count,
// or whose "discovered" is no list, is skipped whole, as a line that is no
// result is: its page counts as not fetched, and what it lists as not found.
TEST(LoadCrawl, LinesFarmDoesNotWriteAreSkipped) {
  testing::TempDir dir;
  const std::string path = dir.File("crawl.jsonl");
  std::string text = CrawlLine(1, "index.html", "0",
                               R"(["http://a.test/docs/a","http://a.test/docs/b",)"
                               R"("http://a.test/docs/c","http://a.test/docs/d"])");
  const std::string lost = R"(["http://a.test/x"])";  // on no line read
  text += CrawlLine(12, "a", R"("1")", lost);
  text += CrawlLine(3, "b", "null", lost);
  text += CrawlLine(4, "c", "-1", lost);
  text += CrawlLine(5, "d", "1.5", lost);
  text += CrawlLine(6, "d", "[1]", lost);
  text += CrawlLine(7, "e", "99999999999", lost);
  text += CrawlLine(8, "f", "1", R"("http://a.test/x")");
  text += CrawlLine(9, "g", "1", R"(["http://a.test/docs/h"])");
  text += R"({"id":10,"ok":true,"result":"no object"})" "\n";
  testing::WriteFile(path, text);
  CrawlFrontier frontier(Options());
  uint64_t last_id = 0;
  ASSERT_TRUE(LoadCrawl(path, &frontier, &last_id).ok());
  EXPECT_EQ(last_id, 12u) << "a new task takes no id the file has, on a line read or not";
  std::map<std::string, int> queued;  // url -> depth
  for (CrawlFrontier::Page page; frontier.Next(&page);) {
    queued[page.url] = page.depth;
    frontier.Done(page);
  }
  EXPECT_EQ(queued, (std::map<std::string, int>{{"http://a.test/docs/a", 1},
                                                {"http://a.test/docs/b", 1},
                                                {"http://a.test/docs/c", 1},
                                                {"http://a.test/docs/d", 1},
                                                {"http://a.test/docs/h", 2}}));
}

// The seed redirected to another host, which the crawl took into its scope
// as it ran: resumed, the pages found there are still in scope.
TEST(LoadCrawl, ASeedsRedirectStaysInScope) {
  testing::TempDir dir;
  const std::string path = dir.File("crawl.jsonl");
  testing::WriteFile(
      path, R"({"id":1,"ok":true,"result":{"url":"http://a.test/docs/index.html","depth":0,)"
            R"("status":301,"discovered":["https://b.test/"]}})" "\n"
            R"({"id":2,"ok":true,"result":{"url":"https://b.test/","depth":1,"status":200,)"
            R"("discovered":["https://b.test/page"]}})" "\n");
  CrawlFrontier frontier(Options());
  uint64_t last_id = 0;
  ASSERT_TRUE(LoadCrawl(path, &frontier, &last_id).ok());
  CrawlFrontier::Page page;
  ASSERT_TRUE(frontier.Next(&page));
  EXPECT_EQ(page.url, "https://b.test/page");
  EXPECT_EQ(page.depth, 2);
}

}  // namespace
}  // namespace farm
