// The fetch fields a crawl uses, end to end on the real farm binary: a
// page's links and title, the body in the result, and redirects not followed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/http_test_server.h"
#include "tests/run_farm.h"
#include "worker/sha256.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::HttpTestServer;
using testing::TempDir;

// Every byte but the unreserved ones as %XX: any text fits in a query.
std::string PercentEncode(std::string_view text) {
  std::string encoded;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      snprintf(hex, sizeof hex, "%%%02X", c);
      encoded += hex;
    }
  }
  return encoded;
}

class FetchLinksE2E : public ::testing::Test {
 protected:
  // /page/PATH serving `body` as `type`.
  std::string PageUrl(const std::string& path, std::string_view body,
                      const std::string& type = "text/html; charset=utf-8") const {
    return server_.Url("/page/" + path + "?type=" + PercentEncode(type) +
                       "&body=" + PercentEncode(body));
  }

  // Runs one fetch task; its result line.
  json RunOne(const std::string& url, json fields, int expect_exit = 0) {
    fields["type"] = "fetch";
    fields["url"] = url;
    auto run = testing::RunFarm({"run", "-j", "1", "--out-dir", dir_.File("downloads")},
                                fields.dump() + "\n");
    EXPECT_EQ(run.exit_code, expect_exit) << run.err;
    auto results = run.results();
    EXPECT_EQ(results.size(), 1u) << run.out;
    return results.empty() ? json() : results[0];
  }

  HttpTestServer server_;
  TempDir dir_;
};

TEST_F(FetchLinksE2E, HtmlPageGivesItsTitleAndAbsoluteLinks) {
  std::string html = R"(<!doctype html><title> The
      Index </title><a href="a.html">a</a> <a href="/root#x">r</a>
      <a href="mailto:ann@example.com">m</a> <a href="HTTP://Other.Example:80/b">b</a>
      <a href="a.html#again">dup</a> <iframe src="../frame"></iframe>)";
  std::string url = PageUrl("dir/index", html);
  json r = RunOne(url, {{"links", true}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  const json& result = r["result"];
  EXPECT_EQ(result["title"], "The Index");
  std::string site = server_.Url("");
  EXPECT_EQ(result["links"], json({site + "/page/dir/a.html", site + "/root",
                                   "http://other.example/b", site + "/page/frame"}));
  EXPECT_EQ(result["sha256"], Sha256Hex(html));
  EXPECT_EQ(testing::ReadFile(result["path"]), html);  // parsed, and saved as ever
  EXPECT_FALSE(result.contains("body"));
  EXPECT_FALSE(result.contains("location"));
}

TEST_F(FetchLinksE2E, LinksResolveAgainstThePageReachedByRedirects) {
  std::string page = PageUrl("deep/dir/page", R"(<a href="sibling">s</a><a href="../up">u</a>)");
  std::string via = server_.Url("/redirect-to") + page.substr(server_.Url("").size());
  json r = RunOne(via, {{"links", true}, {"save", false}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["redirects"], 1);
  EXPECT_EQ(r["result"]["links"],
            json({server_.Url("/page/deep/dir/sibling"), server_.Url("/page/deep/up")}));
}

TEST_F(FetchLinksE2E, BaseHrefWinsOverThePageUrl) {
  json r = RunOne(PageUrl("p", R"(<head><base href="/elsewhere/"></head><a href="x">x</a>)"),
                  {{"links", true}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["links"], json({server_.Url("/elsewhere/x")}));
  EXPECT_TRUE(r["result"]["title"].is_null());
}

TEST_F(FetchLinksE2E, XhtmlIsParsedOtherTypesAreNot) {
  const std::string html = R"(<html><title>T</title><a href="x">x</a></html>)";
  json xhtml = RunOne(PageUrl("x1", html, "application/xhtml+xml"), {{"links", true}});
  EXPECT_EQ(xhtml["result"]["links"], json({server_.Url("/page/x")}));
  for (const char* type : {"text/plain", "application/octet-stream", "image/png"}) {
    json r = RunOne(PageUrl("other", html, type), {{"links", true}});
    ASSERT_TRUE(r["ok"].get<bool>()) << r;
    EXPECT_TRUE(r["result"]["title"].is_null()) << type;
    EXPECT_EQ(r["result"]["links"], json::array()) << type;
    EXPECT_EQ(testing::ReadFile(r["result"]["path"]), html);  // still saved
  }
}

TEST_F(FetchLinksE2E, MaxRedirectsZeroGivesTheRedirectWithItsLocation) {
  json r = RunOne(server_.Url("/redirect/2"), {{"max_redirects", 0}, {"links", true}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  const json& result = r["result"];
  EXPECT_EQ(result["status"], 302);
  EXPECT_EQ(result["redirects"], 0);
  EXPECT_EQ(result["effective_url"], server_.Url("/redirect/2"));
  EXPECT_EQ(result["location"], server_.Url("/redirect/1"));
  EXPECT_EQ(result["links"], json({server_.Url("/redirect/1")}));
  EXPECT_TRUE(result["title"].is_null());
  EXPECT_EQ(result["sha256"], Sha256Hex("moved"));  // the redirect's own body
}

TEST_F(FetchLinksE2E, LocationOfAnotherSchemeIsNull) {
  json r = RunOne(server_.Url("/to-file"), {{"max_redirects", 0}, {"links", true}});
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["status"], 302);
  EXPECT_TRUE(r["result"]["location"].is_null()) << r;
  EXPECT_EQ(r["result"]["links"], json::array());
}

TEST_F(FetchLinksE2E, MaxRedirectsBoundsTheChain) {
  json three = RunOne(server_.Url("/redirect/3"), {{"max_redirects", 3}});
  EXPECT_TRUE(three["ok"].get<bool>()) << three;
  json four = RunOne(server_.Url("/redirect/4"), {{"max_redirects", 3}}, 1);
  EXPECT_EQ(four["error"]["code"], "fetch_failed");
  EXPECT_NE(four["error"]["message"].get<std::string>().find("too many redirects (more than 3)"),
            std::string::npos)
      << four;
  json bad = RunOne(server_.Url("/x"), {{"max_redirects", 11}}, 1);
  EXPECT_EQ(bad["error"]["code"], "bad_task");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("'max_redirects'"), std::string::npos);
}

TEST_F(FetchLinksE2E, BodyInTheResultWithInvalidUtf8Replaced) {
  json text = RunOne(server_.Url("/body/100/b"), {{"body", true}, {"save", false}});
  ASSERT_TRUE(text["ok"].get<bool>()) << text;
  std::string expected;
  while (expected.size() < 100) expected += "b:";
  EXPECT_EQ(text["result"]["body"], expected.substr(0, 100));

  json bytes = RunOne(PageUrl("bin", "ok \xff\xfe end", "text/plain"), {{"body", true}});
  ASSERT_TRUE(bytes["ok"].get<bool>()) << bytes;
  EXPECT_EQ(bytes["result"]["body"], "ok \xef\xbf\xbd\xef\xbf\xbd end");
  EXPECT_EQ(bytes["result"]["bytes"], 9);
}

TEST_F(FetchLinksE2E, BodyOverOneMebibyteOrMaxBytesIsTooLarge) {
  json big = RunOne(server_.Url("/body/1048577/big"), {{"body", true}}, 1);
  EXPECT_EQ(big["error"]["code"], "fetch_failed");
  EXPECT_NE(big["error"]["message"].get<std::string>().find("body over 1048576 bytes"),
            std::string::npos)
      << big;
  json fits = RunOne(server_.Url("/body/1048576/fits"), {{"body", true}, {"save", false}});
  EXPECT_TRUE(fits["ok"].get<bool>()) << fits["error"];
  json small = RunOne(server_.Url("/body/11/s"), {{"body", true}, {"max_bytes", 10}}, 1);
  EXPECT_NE(small["error"]["message"].get<std::string>().find("body over max_bytes (10 bytes)"),
            std::string::npos)
      << small;
}

// What a robots.txt fetch asks for: the start of a body however long it is.
TEST_F(FetchLinksE2E, TruncateKeepsTheStartOfALongerBody) {
  json cut = RunOne(server_.Url("/body/100/t"), {{"max_bytes", 10}, {"truncate", true}});
  ASSERT_TRUE(cut["ok"].get<bool>()) << cut;
  EXPECT_EQ(cut["result"]["bytes"], 10);
  EXPECT_EQ(cut["result"]["truncated"], true);
  EXPECT_EQ(cut["result"]["sha256"], Sha256Hex("t:t:t:t:t:"));
  EXPECT_EQ(testing::ReadFile(cut["result"]["path"]), "t:t:t:t:t:");

  json whole = RunOne(server_.Url("/body/10/w"), {{"max_bytes", 10}, {"truncate", true}});
  ASSERT_TRUE(whole["ok"].get<bool>()) << whole;
  EXPECT_EQ(whole["result"]["truncated"], false);

  json body = RunOne(server_.Url("/body/1048600/b"),
                     {{"body", true}, {"truncate", true}, {"save", false}});
  ASSERT_TRUE(body["ok"].get<bool>()) << body["error"];
  EXPECT_EQ(body["result"]["bytes"], 1048576) << "a result holds at most 1 MiB";
  EXPECT_EQ(body["result"]["body"].get<std::string>().size(), 1048576u);
  EXPECT_EQ(body["result"]["truncated"], true);
}

TEST_F(FetchLinksE2E, NewFieldsAreListedWithTheirDefaults) {
  auto run = testing::RunFarm({"help", "tasks"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* field : {"max_redirects", "links", "body", "truncate"})
    EXPECT_NE(run.out.find(field), std::string::npos) << field << "\n" << run.out;
  json r = RunOne(server_.Url("/x"), {{"link", true}}, 1);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("did you mean 'links'?"),
            std::string::npos)
      << r;
}

}  // namespace
}  // namespace farm
