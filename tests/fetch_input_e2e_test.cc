// End-to-end: the URL a fetch task downloads is the URL it was given, and
// what farm writes of it never holds its password. A real farm binary and a
// real HTTP server on 127.0.0.1.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/http_test_server.h"
#include "tests/run_farm.h"
#include "worker/fetch_file.h"

namespace farm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HttpTestServer;
using testing::RunFarm;
using testing::TempDir;

class FetchInputE2E : public ::testing::Test {
 protected:
  std::string out_dir() const { return dir_.File("downloads"); }

  // Runs farm; its result lines by id, as JSON text.
  std::map<std::string, json> Run(std::vector<std::string> args, const std::string& input,
                                  std::string* raw_output = nullptr) {
    args.insert(args.begin(), {"run", "-j", "1", "--out-dir", out_dir()});
    auto run = RunFarm(args, input);
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
    if (raw_output != nullptr) *raw_output = run.out + run.err;
    std::map<std::string, json> by_id;
    for (const std::string& line : run.lines()) {
      json result = json::parse(line);
      by_id[result["id"].dump()] = result;
    }
    return by_id;
  }

  std::string UrlList(const std::string& text) {
    std::string path = dir_.File("urls.txt");
    testing::WriteFile(path, text);
    return path;
  }

  size_t SavedFiles() const {
    if (!fs::exists(out_dir())) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(out_dir()), {}));
  }

  HttpTestServer server_;
  TempDir dir_;
};

// libcurl takes a C string: a NUL would cut the URL short and the task would
// report a download of a different URL. Every control character is refused.
TEST_F(FetchInputE2E, ControlCharacterInAUrlIsBadTask) {
  std::string input;
  for (const char* escape : {"\\u0000", "\\u0001", "\\t", "\\n", "\\r", "\\u001f", "\\u007f"})
    input += R"({"type":"fetch","url":")" + server_.Url("/body/5/a") + escape + "/x\"}\n";
  auto results = Run({}, input);
  ASSERT_EQ(results.size(), 7u);
  for (const auto& [id, r] : results) {
    EXPECT_EQ(r["error"]["code"], "bad_task") << r;
    std::string message = r["error"]["message"];
    EXPECT_NE(message.find("field 'url' holds a control character"), std::string::npos) << r;
  }
  EXPECT_EQ(results["1"]["error"]["message"],
            "field 'url' holds a control character (U+0000) at byte " +
                std::to_string(server_.Url("/body/5/a").size()));
  EXPECT_EQ(SavedFiles(), 0u);
}

// A --urls line is a URL as given: bytes that are not UTF-8 cannot travel
// in JSON, and replacing them (U+FFFD) would fetch another URL.
TEST_F(FetchInputE2E, UrlListLineWithInvalidUtf8IsBadTask) {
  std::string good = server_.Url("/caf\xc3\xa9");
  std::string list = UrlList(server_.Url("/caf\xe9") + "\n" + good + "\n" + server_.Url("/a\x01") +
                             "b\n" + server_.Url("/c\tc") + "\n");
  auto results = Run({"--urls", list}, "");
  ASSERT_EQ(results.size(), 4u);
  const json& bad = results["1"];
  EXPECT_EQ(bad["type"], "fetch");
  EXPECT_EQ(bad["error"]["code"], "bad_task");
  EXPECT_EQ(bad["error"]["message"], "field 'url' is not valid UTF-8 (byte 0xE9 at offset " +
                                         std::to_string(server_.Url("/caf").size()) +
                                         "); percent-encode such a byte (%E9)");
  // Well-formed UTF-8 is fetched, and reported, as given.
  ASSERT_TRUE(results["2"]["ok"].get<bool>()) << results["2"];
  EXPECT_EQ(results["2"]["result"]["url"], good);
  // Control characters inside a line are the worker's to refuse.
  EXPECT_EQ(results["3"]["error"]["code"], "bad_task") << results["3"];
  EXPECT_EQ(results["4"]["error"]["code"], "bad_task") << results["4"];
  EXPECT_EQ(SavedFiles(), 1u);
}

// user:password@ in a URL is used for the request and written nowhere: not
// in url, effective_url, error messages, nor hashed into a file name.
TEST_F(FetchInputE2E, PasswordInAUrlIsRedactedEverywhereFarmWrites) {
  std::string with_password = "http://ann:s3cret@127.0.0.1:" + std::to_string(server_.port());
  std::string redacted = "http://ann:***@127.0.0.1:" + std::to_string(server_.port());
  std::string refused = "http://bob:hunter2@127.0.0.1:" + std::to_string(testing::UnusedPort());
  auto task = [](const std::string& id, const std::string& url) {
    return json{{"id", id}, {"type", "fetch"}, {"url", url}}.dump() + "\n";
  };
  std::string input = task("auth", with_password + "/auth") +
                      task("moved", with_password + "/redirect/1") +
                      task("gone", with_password + "/status/404") +
                      task("refused", refused + "/x") + task("ftp", "ftp://eve:pw1234@127.0.0.1/x");
  std::string output;
  auto results = Run({}, input, &output);
  ASSERT_EQ(results.size(), 5u);
  for (const char* secret : {"s3cret", "hunter2", "pw1234"})
    EXPECT_EQ(output.find(secret), std::string::npos) << secret << "\n" << output;

  const json& auth = results["\"auth\""];
  ASSERT_TRUE(auth["ok"].get<bool>()) << auth;
  EXPECT_EQ(auth["result"]["url"], redacted + "/auth");
  EXPECT_EQ(auth["result"]["effective_url"], redacted + "/auth");
  EXPECT_EQ(auth["result"]["path"], out_dir() + "/" + SavedFileName(redacted + "/auth"));
  // The password still went to the server: "ann:s3cret" in base64.
  EXPECT_EQ(testing::ReadFile(auth["result"]["path"]), "Basic YW5uOnMzY3JldA==");

  const json& moved = results["\"moved\""];
  ASSERT_TRUE(moved["ok"].get<bool>()) << moved;
  EXPECT_EQ(moved["result"]["effective_url"], redacted + "/redirect/0");
  EXPECT_EQ(results["\"gone\""]["error"]["message"], "HTTP 404 for " + redacted + "/status/404");
  EXPECT_NE(results["\"refused\""]["error"]["message"].get<std::string>().find("bob:***@"),
            std::string::npos);
  EXPECT_NE(results["\"ftp\""]["error"]["message"].get<std::string>().find("ftp://eve:***@"),
            std::string::npos);
}

}  // namespace
}  // namespace farm
