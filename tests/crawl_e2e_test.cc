// farm crawl against a generated site (tests/crawl_site.py) on two hosts of
// 127.0.0.1: what it fetches, once each, against the site's own account of
// what a correct crawl fetches; and politeness as the server counts it. Then
// crawls of a few files written for one edge case each.
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/robots.h"
#include "tests/http_test_server.h"
#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::CrawlSite;

class CrawlE2E : public ::testing::Test {
 protected:
  testing::FarmRun Crawl(const CrawlSite& site, std::vector<std::string> args) {
    std::vector<std::string> command = {"crawl", site.A("/p/0.html"), "--out-dir",
                                        dir_.File("pages"), "--no-progress"};
    command.insert(command.end(), args.begin(), args.end());
    return testing::RunFarm(command);
  }

  // url -> its line.
  static std::map<std::string, json> ByUrl(const std::vector<json>& lines) {
    std::map<std::string, json> by_url;
    for (const json& line : lines) {
      EXPECT_TRUE(by_url.emplace(line["result"]["url"], line).second) << "a second line: " << line;
    }
    return by_url;
  }

  static std::set<std::string> Strings(const json& array) {
    return std::set<std::string>(array.begin(), array.end());
  }

  testing::TempDir dir_;
};

// Every page reachable in scope fetched once, at its smallest depth; robots.txt
// read once and obeyed; nothing out of scope, no non-link, no error page parsed.
TEST_F(CrawlE2E, FetchesEveryReachablePageOnceAndNothingElse) {
  CrawlSite site({"--pages", "300"});
  testing::FarmRun run = Crawl(site, {"-j", "2", "--concurrency", "8", "--depth", "inf"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;  // broken links fail
  std::map<std::string, json> lines = ByUrl(run.results());
  json expected = site.Json("/__expected?depth=-1&scope=host&robots=respect");

  std::set<std::string> fetched, disallowed;
  for (const auto& [url, line] : lines) {
    bool forbidden = line.contains("error") && line["error"]["code"] == "robots_disallowed";
    (forbidden ? disallowed : fetched).insert(url);
    if (!forbidden) {
      EXPECT_EQ(line["result"]["depth"], expected["depth"][url]) << url;
    }
    if (expected["titles"].contains(url)) {
      EXPECT_EQ(line["result"]["title"], expected["titles"][url]) << url;
    }
  }
  EXPECT_EQ(fetched, Strings(expected["fetched"]));
  EXPECT_EQ(disallowed, Strings(expected["disallowed"]));
  EXPECT_GT(fetched.size(), 200u);
  for (const auto& [url, line] : lines) {  // each found on a page fetched, one level up
    const json& parent = line["result"]["parent"];
    if (url == site.A("/p/0.html")) {
      EXPECT_TRUE(parent.is_null());
    } else {
      ASSERT_TRUE(fetched.contains(parent)) << line;
      EXPECT_EQ(lines[parent]["result"]["depth"].get<int>() + 1, line["result"]["depth"]) << url;
    }
  }

  json stats = site.Json("/__stats");
  for (const auto& [path, count] : stats["a"]["counts"].items())
    EXPECT_EQ(count, 1) << path << " was asked for " << count << " times";
  EXPECT_EQ(stats["a"]["counts"]["/robots.txt"], 1);
  EXPECT_TRUE(stats["b"]["requests"].empty()) << "host b is out of scope";
}

TEST_F(CrawlE2E, DepthAndDomainScopeAndIgnoredRobotsFollowTheExpectation) {
  CrawlSite site({"--pages", "200"});
  testing::FarmRun run = Crawl(site, {"-j", "2", "--depth", "3", "--scope", "domain",
                                      "--robots", "ignore"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  std::set<std::string> fetched;
  for (const auto& [url, line] : ByUrl(run.results())) fetched.insert(url);
  json expected = site.Json("/__expected?depth=3&scope=domain&robots=ignore");
  EXPECT_EQ(fetched, Strings(expected["fetched"]));
  bool host_b = false;
  for (const std::string& url : fetched) host_b |= url.starts_with(site.B("/"));
  EXPECT_TRUE(host_b) << "the domain of 127.0.0.1 takes its other port in";
}

TEST_F(CrawlE2E, MaxPerHostHoldsAcrossWorkersAsTheServerCountsIt) {
  CrawlSite site({"--pages", "60", "--slow-ms", "30"});
  testing::FarmRun run = Crawl(site, {"-j", "2", "--concurrency", "8", "--max-per-host", "2",
                                      "--depth", "inf"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  json stats = site.Json("/__stats");
  EXPECT_GT(stats["a"]["requests"].size(), 40u);
  EXPECT_LE(stats["a"]["max_in_flight"], 2);
  EXPECT_EQ(stats["a"]["max_in_flight"], 2) << "and two did run at once";
}

// http://site/ answering 301 to https://site/ is the usual seed: where a
// seed redirects is in scope too, or the crawl would end at its first line.
TEST_F(CrawlE2E, ASeedThatRedirectsToAnotherHostTakesItsScopeAlong) {
  CrawlSite site({"--pages", "60"});
  testing::FarmRun run = testing::RunFarm({"crawl", site.A("/r/b"), "--out-dir",
                                           dir_.File("pages"), "--no-progress", "--depth", "2",
                                           "--robots", "ignore"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  std::set<std::string> fetched;
  for (const json& line : run.results()) fetched.insert(line["result"]["url"]);
  EXPECT_TRUE(fetched.contains(site.B("/b/0.html"))) << run.out;
  EXPECT_GT(fetched.size(), 2u) << "and the pages it links to, on host B" << run.out;
}

// A seed's password goes with every request to its origin, pages found on
// it included, and into no line: farm writes it as ***, and each page is
// still fetched once.
TEST_F(CrawlE2E, ASeedsPasswordIsSentWithEveryPageAndWrittenNowhere) {
  CrawlSite site({"--pages", "60"});
  std::string seed = site.A("/p/0.html");
  seed.insert(seed.find("//") + 2, "ann:s3cret@");
  testing::FarmRun run = testing::RunFarm({"crawl", seed, "--out-dir", dir_.File("pages"),
                                           "--no-progress", "-j", "2", "--depth", "inf",
                                           "--robots", "ignore"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  EXPECT_EQ(run.out.find("s3cret"), std::string::npos) << run.out.substr(0, 2000);
  EXPECT_EQ(run.err.find("s3cret"), std::string::npos) << run.err;
  for (const json& line : run.results()) {
    EXPECT_TRUE(line["result"]["url"].get<std::string>().starts_with("http://ann:***@")) << line;
    for (const json& url : line["result"].value("discovered", json::array()))
      EXPECT_TRUE(url.get<std::string>().starts_with("http://ann:***@")) << line;
  }
  json stats = site.Json("/__stats");
  EXPECT_GT(stats["a"]["requests"].size(), 40u);
  for (const json& request : stats["a"]["requests"])
    EXPECT_EQ(request["auth"], "Basic YW5uOnMzY3JldA==") << request;  // ann:s3cret
  for (const auto& [path, count] : stats["a"]["counts"].items())
    EXPECT_EQ(count, 1) << path << " was asked for " << count << " times";
}

// With slots for 32 transfers and no --max-per-host, a crawl still sends a
// host no more than eight requests at a time.
TEST_F(CrawlE2E, ByDefaultACrawlKeepsToEightRequestsInFlightToAHost) {
  CrawlSite site({"--pages", "200", "--slow-ms", "30"});
  testing::FarmRun run =
      Crawl(site, {"-j", "2", "--concurrency", "16", "--depth", "inf", "--robots", "ignore"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  json stats = site.Json("/__stats");
  EXPECT_GT(stats["a"]["requests"].size(), 150u);
  EXPECT_LE(stats["a"]["max_in_flight"], 8);
  EXPECT_GT(stats["a"]["max_in_flight"], 4) << "and several did run at once";
}

TEST_F(CrawlE2E, DelayAndCrawlDelaySpaceTheRequestStartsToAHost) {
  CrawlSite site({"--pages", "8", "--crawl-delay", "0.3"});
  testing::FarmRun run = Crawl(site, {"-j", "2", "--concurrency", "4", "--delay", "100:150",
                                      "--depth", "1"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  json stats = site.Json("/__stats");
  ASSERT_GT(stats["a"]["requests"].size(), 3u);
  // Crawl-delay 0.3 s is longer than --delay, so it rules; a few ms of slack
  // for the server's own clock reads.
  EXPECT_GE(stats["a"]["min_start_gap_s"].get<double>(), 0.28);
}

TEST_F(CrawlE2E, TransientFailuresAreRetriedWithBackoffAndThenFetched) {
  CrawlSite site({"--pages", "40", "--flaky", "2"});
  testing::FarmRun run = Crawl(site, {"-j", "2", "--depth", "inf", "--robots", "ignore"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  int flaky = 0;
  for (const auto& [url, line] : ByUrl(run.results())) {
    if (url.find("/flaky/") == std::string::npos) continue;
    ++flaky;
    EXPECT_TRUE(line["ok"].get<bool>()) << line;
    EXPECT_EQ(line["attempts"], 3) << "two 503s, then the page";
  }
  EXPECT_GT(flaky, 0);
}

TEST_F(CrawlE2E, InterruptedThenResumedCrawlFetchesEachPageOnce) {
  CrawlSite site({"--pages", "300", "--slow-ms", "10"});
  std::string out = dir_.File("crawl.jsonl");
  std::vector<std::string> args = {"crawl", site.A("/p/0.html"), "--out-dir", dir_.File("pages"),
                                   "-o", out, "-j", "1", "--concurrency", "2", "--depth", "inf"};
  testing::FarmChild child = testing::StartFarm(args);
  ASSERT_TRUE(testing::WaitFor([&] { return testing::ReadFile(out).size() > 20'000; }));
  kill(child.pid, SIGINT);
  testing::FarmRun stopped = testing::FinishFarm(child);
  ASSERT_EQ(stopped.exit_code, 130) << stopped.err;

  args.push_back("--resume");
  testing::FarmRun resumed = testing::RunFarm(args);
  ASSERT_TRUE(resumed.exit_code == 0 || resumed.exit_code == 1) << resumed.err;
  std::vector<json> lines;
  for (const std::string& text : testing::FarmRun{.out = testing::ReadFile(out)}.lines())
    lines.push_back(json::parse(text));
  std::set<std::string> fetched, disallowed;
  for (const auto& [url, line] : ByUrl(lines)) {
    bool forbidden = line.contains("error") && line["error"]["code"] == "robots_disallowed";
    (forbidden ? disallowed : fetched).insert(url);
  }
  json expected = site.Json("/__expected?depth=-1&scope=host&robots=respect");
  EXPECT_EQ(fetched, Strings(expected["fetched"]));
  const json stats = site.Json("/__stats");
  for (const auto& [path, count] : stats["a"]["counts"].items()) {
    if (path != "/robots.txt") {  // each run reads it
      EXPECT_EQ(count, 1) << path;
    }
  }
}

TEST_F(CrawlE2E, ResultsGoIntoADatabaseToo) {
  CrawlSite site({"--pages", "30"});
  std::string db = dir_.File("crawl.sqlite");
  testing::FarmRun run = Crawl(site, {"-j", "2", "--depth", "inf", "--db", db});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  testing::FarmRun exported = testing::RunFarm({"export", "--db", db});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.lines().size(), run.lines().size());
  EXPECT_GT(run.lines().size(), 20u);
}

// A crawl of files served from a directory, as a web server serves them
// (fetch_test_server.py --root): for the cases the generated site has not.
class CrawlFilesE2E : public CrawlE2E {
 protected:
  void Write(const std::string& path, const std::string& text) {
    std::filesystem::path file = root_ + path;
    std::filesystem::create_directories(file.parent_path());
    testing::WriteFile(file, text);
  }

  // url -> its line, of a crawl from `seed_path`.
  std::map<std::string, json> CrawlFrom(const std::string& seed_path,
                                        std::vector<std::string> args = {}) {
    std::vector<std::string> command = {"crawl", server_.Url(seed_path), "--out-dir",
                                        dir_.File("pages"), "--no-progress"};
    command.insert(command.end(), args.begin(), args.end());
    testing::FarmRun run = testing::RunFarm(command);
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
    return ByUrl(run.results());
  }

  static bool Disallowed(const json& line) {
    return line.contains("error") && line["error"]["code"] == "robots_disallowed";
  }

  static std::string MakeDirectory(const std::string& path) {
    std::filesystem::create_directories(path);
    return path;
  }

  std::string root_ = MakeDirectory(dir_.File("site"));
  testing::HttpTestServer server_{testing::HttpTestServer::Scheme::kHttp, root_};
};

// The server resolves %2e%2e as "..": /pub/%2e%2e/private/x.html is
// /private/x.html, which robots.txt forbids however it is spelled.
TEST_F(CrawlFilesE2E, EscapedDotSegmentsDoNotGetPastRobotsTxt) {
  Write("/robots.txt", "User-agent: *\nDisallow: /private/\n");
  Write("/pub/index.html", R"(<a href="/pub/%2e%2e/private/x.html">x</a>
      <a href="%2E%2E/private/y.html">y</a> <a href=".%2e/private/x.html">x again</a>)");
  Write("/private/x.html", "<title>Private x</title>");
  Write("/private/y.html", "<title>Private y</title>");
  std::map<std::string, json> lines = CrawlFrom("/pub/index.html");
  for (const auto& [url, line] : lines) {
    EXPECT_EQ(line.dump().find("\"title\":\"Private"), std::string::npos) << "served: " << line;
  }
  for (const char* path : {"/private/x.html", "/private/y.html"}) {
    auto line = lines.find(server_.Url(path));
    EXPECT_TRUE(line != lines.end() && Disallowed(line->second)) << path << " has no such line";
  }
  EXPECT_EQ(lines.size(), 3u) << "the page and its two links, each once";
}

// The same with --scope prefix; and %61.html is a.html, one page fetched once.
TEST_F(CrawlFilesE2E, EscapedDotSegmentsDoNotLeaveAPrefixScope) {
  Write("/docs/index.html", R"(<a href="/docs/%2e%2e/private/x.html">x</a>
      <a href="a.html">a</a> <a href="%2E%2E/private/y.html">y</a> <a href="%61.html">a</a>)");
  Write("/docs/a.html", "<title>A</title>");
  Write("/private/x.html", "<title>Private x</title>");
  Write("/private/y.html", "<title>Private y</title>");
  std::set<std::string> fetched;
  for (const auto& [url, line] : CrawlFrom("/docs/index.html", {"--scope", "prefix"})) {
    EXPECT_TRUE(line["ok"].get<bool>()) << line;
    fetched.insert(url);
  }
  EXPECT_EQ(fetched, (std::set<std::string>{server_.Url("/docs/index.html"),
                                            server_.Url("/docs/a.html")}));
}

// RFC 9309 2.5: a crawler reads at least the first 500 KiB of a robots.txt.
// farm reads those of a longer one, and what follows them does not count.
TEST_F(CrawlFilesE2E, LongerRobotsTxtIsReadToItsFirst500KiB) {
  std::string padding;
  while (padding.size() < 600'000) padding += "# longer than a crawler has to read\n";
  const std::string rules = "User-agent: *\nDisallow: /secret\n";
  Write("/index.html", R"(<a href="/secret/a">s</a> <a href="/open.html">o</a>)");
  Write("/secret/a", "secret");
  Write("/open.html", "<title>Open</title>");
  const std::string secret = server_.Url("/secret/a");

  Write("/robots.txt", rules + padding);
  std::map<std::string, json> first = CrawlFrom("/index.html");
  EXPECT_TRUE(Disallowed(first[secret])) << first[secret];
  EXPECT_TRUE(first[server_.Url("/open.html")]["ok"].get<bool>());

  Write("/robots.txt", padding + rules);
  std::map<std::string, json> last = CrawlFrom("/index.html");
  EXPECT_TRUE(last[secret]["ok"].get<bool>()) << "rules after 500 KiB are not read";

  // A line the limit cuts is dropped, not read short: the first 500 KiB end
  // inside "Allow: /secret/b", and "Allow: /secret/" would allow /secret/a.
  const std::string allow = "Allow: /secret/";
  const std::string filler(kRobotsTxtMaxBytes - rules.size() - allow.size() - 2, '-');
  Write("/robots.txt", rules + "#" + filler + "\n" + allow + "b\n" + padding);
  std::map<std::string, json> cut_short = CrawlFrom("/index.html");
  EXPECT_TRUE(Disallowed(cut_short[secret])) << cut_short[secret];
}

// An -o file that something else wrote to: a line whose depth is no count
// is skipped, as lines that are no results are, so its page is fetched again.
TEST_F(CrawlFilesE2E, ResumeSkipsALineWhoseDepthIsNoCount) {
  Write("/index.html", R"(<a href="a.html">a</a>)");
  Write("/a.html", R"(<title>A</title><a href="b.html">b</a>)");
  Write("/b.html", "<title>B</title>");
  const std::string index = server_.Url("/index.html"), a = server_.Url("/a.html");
  const std::string out = dir_.File("crawl.jsonl");
  json seed = {{"id", 1}, {"type", "fetch"}, {"ok", true},
               {"result", {{"url", index}, {"depth", 0}, {"parent", nullptr},
                           {"discovered", {a}}}}};
  json odd = {{"id", 2}, {"type", "fetch"}, {"ok", true},
              {"result", {{"url", a}, {"depth", "1"}, {"parent", index},
                          {"discovered", json::array()}}}};
  testing::WriteFile(out, seed.dump() + "\n" + odd.dump() + "\n");
  testing::FarmRun run = testing::RunFarm(
      {"crawl", index, "-o", out, "--resume", "--out-dir", dir_.File("pages"), "--no-progress"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines = testing::FarmRun{.out = testing::ReadFile(out)}.lines();
  ASSERT_EQ(lines.size(), 4u) << testing::ReadFile(out);
  json again = json::parse(lines[2]), found = json::parse(lines[3]);
  EXPECT_EQ(again["id"], 3);
  EXPECT_EQ(again["result"]["url"], a);
  EXPECT_EQ(again["result"]["depth"], 1);
  EXPECT_EQ(found["result"]["url"], server_.Url("/b.html"));
  EXPECT_EQ(found["result"]["depth"], 2);
}

TEST_F(CrawlE2E, BadCommandLinesAreRefusedBeforeAnythingRuns) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::string out = dir_.File("out.jsonl");
  for (const Case& c : std::vector<Case>{
           {{"crawl"}, "give at least one seed URL"},
           {{"crawl", "ftp://127.0.0.1/"}, "not an http or https URL: 'ftp://127.0.0.1/'"},
           {{"crawl", "http://127.0.0.1:1/", "--scope", "site"}, "--scope"},
           {{"crawl", "http://127.0.0.1:1/", "--depth", "-2"}, "--depth"},
           {{"crawl", "http://127.0.0.1:1/", "--urls", "x"}, "--urls"},
           {{"crawl", "http://127.0.0.1:1/", "-o", out, "--db", dir_.File("d.sqlite"), "--resume"},
            "--db can't resume it"},
           {{"crawl", "http://127.0.0.1:1/", "--db", dir_.File("d.sqlite"), "--resume"},
            "--resume of a crawl needs the --output FILE"},
       }) {
    testing::FarmRun run = testing::RunFarm(c.args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace farm
