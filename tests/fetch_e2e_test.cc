// End-to-end fetch tasks: the real farm binary downloading from a real HTTP
// server on 127.0.0.1 that the test starts itself.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/http_test_server.h"
#include "tests/run_farm.h"
#include "worker/fetch_file.h"
#include "worker/sha256.h"

namespace farm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HttpTestServer;
using testing::RunFarm;
using testing::TempDir;

// The body /body/N/NAME serves.
std::string PatternBody(size_t n, const std::string& name) {
  std::string unit = name + ":", body;
  while (body.size() < n) body += unit;
  return body.substr(0, n);
}

bool Contains(const json& text, const std::string& part) {
  return text.get<std::string>().find(part) != std::string::npos;
}

class FetchE2E : public ::testing::Test {
 protected:
  std::string out_dir() const { return dir_.File("downloads"); }

  // Runs farm on task lines; results by id (as JSON text), one per line.
  std::map<std::string, json> Run(std::vector<std::string> args, const std::string& input,
                                  int expect_exit) {
    args.insert(args.begin(), {"run", "--seed", "7", "--out-dir", out_dir()});
    auto run = RunFarm(args, input);
    EXPECT_EQ(run.exit_code, expect_exit) << run.err;
    std::map<std::string, json> by_id;
    for (const std::string& line : run.lines()) {
      json result = json::parse(line);
      EXPECT_EQ(result["type"], "fetch") << line;
      EXPECT_TRUE(by_id.emplace(result["id"].dump(), result).second) << "twice: " << line;
    }
    return by_id;
  }

  // One fetch task line.
  static std::string Task(const std::string& url, json fields = json::object()) {
    fields["type"] = "fetch";
    fields["url"] = url;
    return fields.dump() + "\n";
  }

  json RunOne(const std::string& url, json fields = json::object(), int expect_exit = 1,
              std::vector<std::string> flags = {}) {
    flags.insert(flags.begin(), {"-j", "1"});
    auto results = Run(flags, Task(url, fields), expect_exit);
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? json() : results.begin()->second;
  }

  // Every file under the test's temporary directory, outside and inside --out-dir.
  std::vector<fs::path> AllFiles() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path()))
      if (!entry.is_directory()) files.push_back(entry.path());
    return files;
  }

  HttpTestServer server_;
  TempDir dir_;
};

TEST_F(FetchE2E, HundredsOfUrlsGiveCorrectBodiesHashesAndFiles) {
  constexpr int kUrls = 300;
  std::string urls;
  for (int i = 1; i <= kUrls; ++i)
    urls +=
        server_.Url("/body/" + std::to_string(i * 337 % 70000) + "/f" + std::to_string(i)) + "\n";
  std::string list = dir_.File("urls.txt");
  testing::WriteFile(list, urls);
  auto results = Run({"-j", "2", "--concurrency", "8", "--urls", list}, "", 0);
  ASSERT_EQ(results.size(), static_cast<size_t>(kUrls));
  for (int i = 1; i <= kUrls; ++i) {
    const json& r = results[std::to_string(i)];  // ids are line numbers
    ASSERT_TRUE(r["ok"].get<bool>()) << r;
    std::string url =
        server_.Url("/body/" + std::to_string(i * 337 % 70000) + "/f" + std::to_string(i));
    std::string body = PatternBody(static_cast<size_t>(i * 337 % 70000), "f" + std::to_string(i));
    const json& result = r["result"];
    EXPECT_EQ(result["url"], url);
    EXPECT_EQ(result["effective_url"], url);
    EXPECT_EQ(result["status"], 200);
    EXPECT_EQ(result["bytes"], body.size());
    EXPECT_EQ(result["sha256"], Sha256Hex(body));
    EXPECT_EQ(result["content_type"], "application/octet-stream");
    EXPECT_EQ(result["redirects"], 0);
    EXPECT_EQ(result["path"], out_dir() + "/" + SavedFileName(url));
    EXPECT_EQ(testing::ReadFile(result["path"]), body);
  }
  // Exactly the saved bodies and the URL list: no temporary file left over.
  EXPECT_EQ(AllFiles().size(), static_cast<size_t>(kUrls) + 1);
}

TEST_F(FetchE2E, OneConnectionServesManyRequests) {
  std::string input;
  for (int i = 0; i < 10; ++i) input += Task(server_.Url("/peer?" + std::to_string(i)));
  auto results = Run({"-j", "1", "--concurrency", "1"}, input, 0);
  ASSERT_EQ(results.size(), 10u);
  std::set<std::string> client_ports;
  for (const auto& [id, r] : results)
    client_ports.insert(testing::ReadFile(r["result"]["path"].get<std::string>()));
  EXPECT_EQ(client_ports.size(), 1u);  // kept alive, not reconnected
}

// As with wget -i: spaces around a URL are dropped, and blank lines and
// # comments are no URL at all; ids stay line numbers.
TEST_F(FetchE2E, UrlListLinesAreTrimmedAndBlankOrCommentLinesSkipped) {
  std::string list = dir_.File("urls.txt");
  testing::WriteFile(list, "# mirrors\n  " + server_.Url("/body/3/w") + " \t\r\n\n" +
                               server_.Url("/body/2/v") + "\n\n");
  auto results = Run({"-j", "1", "--urls", list, "--keep-order"}, "", 0);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results["2"]["result"]["url"], server_.Url("/body/3/w"));
  EXPECT_EQ(results["4"]["result"]["url"], server_.Url("/body/2/v"));
}

TEST_F(FetchE2E, HttpErrorStatusIsFetchFailedNamingTheStatus) {
  auto results =
      Run({"-j", "1"}, Task(server_.Url("/status/404")) + Task(server_.Url("/status/500")), 1);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results["1"]["error"]["code"], "fetch_failed");
  EXPECT_EQ(results["1"]["error"]["message"], "HTTP 404 for " + server_.Url("/status/404"));
  EXPECT_EQ(results["2"]["error"]["message"], "HTTP 500 for " + server_.Url("/status/500"));
  EXPECT_TRUE(AllFiles().empty());  // a failed transfer leaves no file
}

TEST_F(FetchE2E, RedirectChainIsFollowedAndCounted) {
  json r = RunOne(server_.Url("/redirect/3"), {}, 0);
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["redirects"], 3);
  EXPECT_EQ(r["result"]["effective_url"], server_.Url("/redirect/0"));
  EXPECT_EQ(r["result"]["sha256"], Sha256Hex("arrived"));
  EXPECT_EQ(r["result"]["content_type"], "text/plain");
}

TEST_F(FetchE2E, TenRedirectsPassElevenFail) {
  auto results =
      Run({"-j", "1"}, Task(server_.Url("/redirect/10")) + Task(server_.Url("/redirect/11")), 1);
  EXPECT_TRUE(results["1"]["ok"].get<bool>()) << results["1"];
  EXPECT_TRUE(Contains(results["2"]["error"]["message"], "too many redirects")) << results["2"];
}

TEST_F(FetchE2E, RedirectLoopStops) {
  json r = RunOne(server_.Url("/loop"));
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "too many redirects")) << r;
}

TEST_F(FetchE2E, RedirectToFileSchemeIsRefused) {
  json r = RunOne(server_.Url("/to-file"));
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "scheme not allowed")) << r;
  EXPECT_TRUE(AllFiles().empty());
}

TEST_F(FetchE2E, OtherSchemesAreRefused) {
  auto results = Run({"-j", "1"}, Task("file:///etc/passwd") + Task("ftp://127.0.0.1/x"), 1);
  for (const auto& [id, r] : results)
    EXPECT_TRUE(Contains(r["error"]["message"], "scheme not allowed")) << r;
  EXPECT_TRUE(AllFiles().empty());
}

TEST_F(FetchE2E, ConnectionRefused) {
  std::string url = "http://127.0.0.1:" + std::to_string(testing::UnusedPort()) + "/x";
  json r = RunOne(url);
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "connection refused")) << r;
  EXPECT_TRUE(Contains(r["error"]["message"], url)) << r;
}

TEST_F(FetchE2E, UnresolvableHost) {
  json r = RunOne("http://no-such-host.invalid/x");
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "DNS lookup failed")) << r;
}

TEST_F(FetchE2E, UntrustedCertificateIsTlsError) {
  HttpTestServer tls_server(HttpTestServer::Scheme::kHttpsSelfSigned);
  json r = RunOne(tls_server.Url("/body/10/tls"));
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "TLS error")) << r;
  EXPECT_TRUE(AllFiles().empty());
}

TEST_F(FetchE2E, SlowResponseHitsTimeout) {
  json r = RunOne(server_.Url("/slow/5000"), {{"timeout_s", 0.5}});
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "timeout after 0.5 s")) << r;
  EXPECT_LT(r["elapsed_ms"].get<double>(), 4500);  // not the full 5 s
}

TEST_F(FetchE2E, HugeBodyStopsNearMaxBytes) {
  json r = RunOne(server_.Url("/huge/50000000/h"), {{"max_bytes", 1 << 20}});
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_TRUE(Contains(r["error"]["message"], "body over max_bytes (1048576 bytes)")) << r;
  // The server saw the client go long before 50 MB (socket buffers hold a few).
  std::string sent;
  for (int i = 0; i < 200 && sent.find("done") == std::string::npos; ++i) {
    sent = server_.Get("/sent/h");
    if (sent.find("done") == std::string::npos)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(sent.find("done"), std::string::npos) << sent;
  EXPECT_LT(std::stoll(sent), 25'000'000) << sent;
  EXPECT_TRUE(AllFiles().empty());
}

// A 429 or 503 is tried again (--fetch-retries), once the server's
// Retry-After has passed.
TEST_F(FetchE2E, RetryAfterIsWaitedOutThenServed) {
  auto start = std::chrono::steady_clock::now();
  auto results = Run({"-j", "1"},
                     Task(server_.Url("/retry-after/a/1/429")) +
                         Task(server_.Url("/retry-after/b/1/503")),
                     0);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  for (const auto& [id, r] : results) {
    ASSERT_TRUE(r["ok"].get<bool>()) << r;
    EXPECT_EQ(r["attempts"], 2);
    EXPECT_EQ(r["result"]["status"], 200);
    EXPECT_EQ(r["result"]["sha256"], Sha256Hex("served after waiting"));
  }
}

TEST_F(FetchE2E, RetryAfterOfMoreThanAMinuteFailsAtOnce) {
  auto start = std::chrono::steady_clock::now();
  json r = RunOne(server_.Url("/retry-after/c/100/429"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_EQ(r["attempts"], 1);
  EXPECT_TRUE(Contains(r["error"]["message"], "HTTP 429")) << r;
}

TEST_F(FetchE2E, WithoutFetchRetriesATransientFailureIsFinal) {
  json r = RunOne(server_.Url("/retry-after/d/1/503"), {}, 1, {"--fetch-retries", "0"});
  EXPECT_EQ(r["error"]["code"], "fetch_failed");
  EXPECT_EQ(r["attempts"], 1);
}

TEST_F(FetchE2E, SaveFalseHashesWithoutWriting) {
  json r = RunOne(server_.Url("/body/5000/nosave"), {{"save", false}}, 0);
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_TRUE(r["result"]["path"].is_null());
  EXPECT_EQ(r["result"]["sha256"], Sha256Hex(PatternBody(5000, "nosave")));
  EXPECT_TRUE(AllFiles().empty());
}

TEST_F(FetchE2E, CompressedBodyIsDecoded) {
  json r = RunOne(server_.Url("/gzip/100000"), {}, 0);
  ASSERT_TRUE(r["ok"].get<bool>()) << r;
  EXPECT_EQ(r["result"]["bytes"], 100000);
  EXPECT_EQ(r["result"]["sha256"], Sha256Hex(PatternBody(100000, "gz")));
}

TEST_F(FetchE2E, PathTrickUrlsStayInsideOutDir) {
  std::vector<std::string> paths = {"/files/%2e%2e%2f%2e%2e%2fescape",
                                    "/files/..%2F..%2F..%2Fescape2",
                                    "/files/a/../../../escape3",
                                    "/files/%2e%2e",
                                    "/files/nul%00byte",
                                    "/files/" + std::string(600, 'n'),
                                    "/files/back%5c..%5cslash",
                                    "/files/.hidden"};
  std::string input;
  for (const std::string& path : paths) input += Task(server_.Url(path));
  auto results = Run({"-j", "2"}, input, 0);
  ASSERT_EQ(results.size(), paths.size());
  for (const auto& [id, r] : results) {
    ASSERT_TRUE(r["ok"].get<bool>()) << r;
    fs::path saved = r["result"]["path"].get<std::string>();
    EXPECT_EQ(saved.parent_path(), fs::path(out_dir())) << r;
    EXPECT_LE(saved.filename().string().size(), 255u);
  }
  auto files = AllFiles();
  EXPECT_EQ(files.size(), paths.size());
  for (const fs::path& file : files) EXPECT_EQ(file.parent_path(), fs::path(out_dir())) << file;
}

TEST_F(FetchE2E, MaxPerHostCapsTransfersInFlightAcrossWorkers) {
  std::string input;
  for (int i = 0; i < 8; ++i) input += Task(server_.Url("/slow/300?" + std::to_string(i)));
  Run({"-j", "2", "--concurrency", "8", "--max-per-host", "2"}, input, 0);
  int capped = std::stoi(server_.Get("/max-in-flight"));
  Run({"-j", "1", "--concurrency", "8"}, input, 0);
  int uncapped = std::stoi(server_.Get("/max-in-flight"));
  EXPECT_GE(capped, 1);
  EXPECT_LE(capped, 2);
  EXPECT_GT(uncapped, 2);  // the cap, not a lack of concurrency, held it down
}

// One worker thread drives many transfers on its own multi handle, as a
// worker process does; sequential mode runs one at a time.
TEST_F(FetchE2E, ThreadModeOverlapsTransfersInOneThread) {
  std::string input;
  for (int i = 0; i < 6; ++i) input += Task(server_.Url("/slow/300?t" + std::to_string(i)));
  auto threaded = Run({"--mode", "thread", "-j", "1", "--concurrency", "6"}, input, 0);
  int overlapped = std::stoi(server_.Get("/max-in-flight"));
  auto sequential = Run({"--mode", "sequential", "--concurrency", "6"}, input, 0);
  int one_at_a_time = std::stoi(server_.Get("/max-in-flight"));
  EXPECT_EQ(threaded.size(), 6u);
  EXPECT_EQ(sequential.size(), 6u);
  EXPECT_GT(overlapped, 2);
  EXPECT_EQ(one_at_a_time, 1);
}

// --delay spaces the starts of requests to one host for the whole run: two
// workers with four transfer slots each still start them 200 ms apart, so
// three requests take 400 ms at least. (crawl_e2e_test.cc measures the
// spacing from the server's side.)
TEST_F(FetchE2E, DelaySpacesTheRequestsToOneHostAcrossWorkers) {
  std::string input;
  for (int i = 0; i < 3; ++i) input += Task(server_.Url("/body/10/d" + std::to_string(i)));
  auto start = std::chrono::steady_clock::now();
  auto results = Run({"-j", "2", "--concurrency", "4", "--delay", "200:300"}, input, 0);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

TEST_F(FetchE2E, FetchLinesMixWithOtherTasksAndKeepTheirIds) {
  std::string input = Task(server_.Url("/body/3/m"), {{"id", "page"}}) +
                      "{\"type\":\"sleep\",\"ms\":1,\"id\":\"nap\"}\n";
  auto run = RunFarm({"run", "-j", "1", "--out-dir", out_dir()}, input);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, json> by_id;
  for (const std::string& line : run.lines()) by_id[json::parse(line)["id"]] = json::parse(line);
  EXPECT_EQ(by_id["page"]["result"]["sha256"], Sha256Hex("m:m"));
  EXPECT_EQ(by_id["nap"]["result"]["ms"], 1);
}

// Every transfer in flight in a dead worker was running, so each is charged
// an attempt, and each is retried to success on the replacement.
TEST_F(FetchE2E, KilledWorkerRetriesEveryTransferItHeld) {
  std::string input;
  for (int i = 0; i < 4; ++i) input += Task(server_.Url("/slow/1500?" + std::to_string(i)));
  std::string tasks = dir_.File("tasks.jsonl");
  testing::WriteFile(tasks, input);
  auto child =
      testing::StartFarm({"run", "-j", "1", "--concurrency", "4", "--out-dir", out_dir()}, tasks);
  for (int i = 0; i < 400 && server_.Get("/in-flight") != "4"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  ASSERT_EQ(server_.Get("/in-flight"), "4");
  std::string children = testing::ReadFile("/proc/" + std::to_string(child.pid) + "/task/" +
                                           std::to_string(child.pid) + "/children");
  ASSERT_FALSE(children.empty());
  ASSERT_EQ(kill(std::stoi(children), SIGKILL), 0);
  auto run = testing::FinishFarm(child);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto lines = run.lines();
  ASSERT_EQ(lines.size(), 4u);
  for (const std::string& line : lines) {
    json result = json::parse(line);
    EXPECT_TRUE(result["ok"].get<bool>()) << line;
    EXPECT_EQ(result["attempts"], 2) << line;
  }
  EXPECT_NE(run.err.find("1 restarts"), std::string::npos) << run.err;
}

TEST_F(FetchE2E, BadFieldsAreBadTaskNamingTheField) {
  std::string input =
      "{\"type\":\"fetch\"}\n"
      "{\"type\":\"fetch\",\"url\":\"http://x/\",\"timeout_s\":-1}\n"
      "{\"type\":\"fetch\",\"url\":\"http://x/\",\"save\":\"yes\"}\n"
      "{\"type\":\"fetch\",\"url\":\"http://x/\",\"max_bytes\":-5}\n";
  auto results = Run({"-j", "1"}, input, 1);
  ASSERT_EQ(results.size(), 4u);
  const char* fields[] = {"'url'", "'timeout_s'", "'save'", "'max_bytes'"};
  for (int i = 0; i < 4; ++i) {
    const json& r = results[std::to_string(i + 1)];
    EXPECT_EQ(r["error"]["code"], "bad_task") << r;
    EXPECT_TRUE(Contains(r["error"]["message"], fields[i])) << r;
  }
}

}  // namespace
}  // namespace farm
