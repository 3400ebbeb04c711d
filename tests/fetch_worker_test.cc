// What a fetching worker tells its coordinator, over real pipes: which
// failures are transient (and the server's Retry-After), and the run's
// User-Agent and headers on every request it makes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "common/wire.h"
#include "tests/http_test_server.h"
#include "tests/run_farm.h"
#include "worker/worker_loop.h"

namespace farm {
namespace {

using nlohmann::json;

// The worker loop serving `settings` and one fetch task a URL (seq 1, 2,
// ...) until its input ends; every line it wrote.
std::vector<std::string> Serve(const wire::WorkerSettings& settings, const std::vector<json>& tasks,
                               bool overlap = true) {
  Pipe input, output;
  EXPECT_TRUE(MakePipe(&input).ok());
  EXPECT_TRUE(MakePipe(&output).ok());
  std::string messages;
  wire::AppendSettings(settings, &messages);
  for (size_t i = 0; i < tasks.size(); ++i) {
    json task = tasks[i];
    task["type"] = "fetch";
    wire::AppendTask(i + 1, 1, task.dump(), &messages);
  }
  EXPECT_TRUE(WriteAll(input.write.get(), messages).ok());
  input.write.reset();
  RunningTask running;
  PipeChannel channel(input.read.get(), output.write.get());
  EXPECT_EQ(ServeChannel(channel, {.running = &running, .overlap_transfers = overlap}), 0);
  output.write.reset();
  std::string text, chunk(4096, '\0');
  for (ssize_t n; (n = read(output.read.get(), chunk.data(), chunk.size())) > 0;)
    text.append(chunk.data(), static_cast<size_t>(n));
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

// By seq: the Retry-After of each transient note (-1: none), checked to
// come right before its task's reply.
std::map<uint64_t, int64_t> TransientNotes(const std::vector<std::string>& lines,
                                           size_t expected_replies) {
  std::map<uint64_t, int64_t> notes;
  size_t replies = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    wire::WorkerMessage message;
    EXPECT_TRUE(wire::DecodeWorkerMessage(lines[i], &message)) << lines[i];
    if (message.kind == wire::WorkerMessage::Kind::kReply) ++replies;
    if (message.kind != wire::WorkerMessage::Kind::kTransient) continue;
    notes[message.seq] = message.after_ms;
    wire::WorkerMessage next;
    EXPECT_TRUE(i + 1 < lines.size() && wire::DecodeWorkerMessage(lines[i + 1], &next) &&
                next.kind == wire::WorkerMessage::Kind::kReply && next.reply.seq == message.seq &&
                !next.reply.ok)
        << "no failed reply right after " << lines[i];
  }
  EXPECT_EQ(replies, expected_replies);
  return notes;
}

std::vector<json> TransientAndFinalFailures(const testing::HttpTestServer& server) {
  std::string refused = "http://127.0.0.1:" + std::to_string(testing::UnusedPort()) + "/";
  return {{{"url", server.Url("/retry-after/w/5/503")}},            // 1: 503, Retry-After: 5
          {{"url", server.Url("/status/503")}},                     // 2: 503 without
          {{"url", server.Url("/status/429")}},                     // 3
          {{"url", server.Url("/status/404")}},                     // 4: final
          {{"url", refused}},                                       // 5: connection refused
          {{"url", server.Url("/drop")}},                           // 6: nothing received
          {{"url", server.Url("/slow/3000")}, {"timeout_s", 0.3}},  // 7: timeout
          {{"url", server.Url("/status/403")}},                     // 8: final
          {{"url", server.Url("/body/100/x")}, {"max_bytes", 10}},  // 9: too large, final
          {{"url", "http://no-such-host.invalid/"}},                // 10: DNS, final
          {{"url", server.Url("/body/5/ok")}}};                     // 11: ok
}

TEST(FetchWorker, TransientFailuresAreNotedBeforeTheirReplies) {
  testing::HttpTestServer server;
  auto lines = Serve({}, TransientAndFinalFailures(server));
  auto notes = TransientNotes(lines, 11);
  EXPECT_EQ(notes,
            (std::map<uint64_t, int64_t>{{1, 5000}, {2, -1}, {3, -1}, {5, -1}, {6, -1}, {7, -1}}));
}

// Sequential runs take each transfer to its end before the next task: the
// same notes.
TEST(FetchWorker, OneTransferAtATimeNotesTheSame) {
  testing::HttpTestServer server;
  auto lines = Serve({}, TransientAndFinalFailures(server), /*overlap=*/false);
  auto notes = TransientNotes(lines, 11);
  EXPECT_EQ(notes,
            (std::map<uint64_t, int64_t>{{1, 5000}, {2, -1}, {3, -1}, {5, -1}, {6, -1}, {7, -1}}));
}

// The bodies of /headers: what the server received, redirects included.
std::vector<std::string> ReceivedHeaders(const wire::WorkerSettings& settings,
                                         const testing::HttpTestServer& server) {
  std::vector<json> tasks = {{{"url", server.Url("/headers")}, {"body", true}},
                             {{"url", server.Url("/redirect-to/headers")}, {"body", true}}};
  std::vector<std::string> bodies(2);
  for (const std::string& line : Serve(settings, tasks)) {
    wire::Reply reply;
    EXPECT_TRUE(wire::DecodeReply(line, &reply)) << line;
    json result = json::parse(reply.result_line);
    EXPECT_TRUE(reply.ok) << reply.result_line;
    bodies.at(reply.seq - 1) = result["result"]["body"];
  }
  return bodies;
}

TEST(FetchWorker, UserAgentAndHeadersOnEveryRequestRedirectsToo) {
  testing::HttpTestServer server;
  wire::WorkerSettings settings;
  settings.fetch.user_agent = "politebot/2.0 (+https://example.com/bot)";
  settings.fetch.headers = {"Accept-Language: de", "X-Crawl-Run: 42"};
  for (const std::string& body : ReceivedHeaders(settings, server)) {
    EXPECT_NE(body.find("User-Agent: politebot/2.0 (+https://example.com/bot)\n"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("Accept-Language: de\n"), std::string::npos) << body;
    EXPECT_NE(body.find("X-Crawl-Run: 42\n"), std::string::npos) << body;
  }
}

// As with curl -H: "Name:" removes a header libcurl would send, "Name;"
// sends it empty; a User-Agent header replaces the run's.
TEST(FetchWorker, HeadersFollowCurlsRules) {
  testing::HttpTestServer server;
  wire::WorkerSettings settings;
  settings.fetch.user_agent = "replaced/1";
  settings.fetch.headers = {"Accept:", "X-Empty;", "User-Agent: mine/3"};
  for (const std::string& body : ReceivedHeaders(settings, server)) {
    EXPECT_EQ(body.find("Accept:"), std::string::npos) << body;
    EXPECT_NE(body.find("X-Empty: \n"), std::string::npos) << body;
    EXPECT_NE(body.find("User-Agent: mine/3\n"), std::string::npos) << body;
    EXPECT_EQ(body.find("replaced/1"), std::string::npos) << body;
  }
}

TEST(FetchWorker, EmptyUserAgentSendsNone) {
  testing::HttpTestServer server;
  for (const std::string& body : ReceivedHeaders({}, server))
    EXPECT_EQ(body.find("User-Agent"), std::string::npos) << body;
}

// The coordinator takes the note in every mode: the 503 is tried again
// (--fetch-retries), the 404 is not; one line each, no worker replaced.
TEST(FetchWorker, CoordinatorTakesTheNoteInEveryMode) {
  testing::HttpTestServer server;
  std::string input = json({{"type", "fetch"}, {"url", server.Url("/status/503")}}).dump() + "\n" +
                      json({{"type", "fetch"}, {"url", server.Url("/status/404")}}).dump() + "\n";
  for (const char* mode : {"process", "thread", "sequential"}) {
    auto run = testing::RunFarm(
        {"run", "--mode", mode, "-j", "1", "--keep-order", "--fetch-retries", "1"}, input);
    EXPECT_EQ(run.exit_code, 1) << mode << run.err;
    auto results = run.results();
    ASSERT_EQ(results.size(), 2u) << mode << run.out;
    EXPECT_EQ(results[0]["error"]["message"], "HTTP 503 for " + server.Url("/status/503"));
    EXPECT_EQ(results[1]["error"]["message"], "HTTP 404 for " + server.Url("/status/404"));
    EXPECT_EQ(results[0]["attempts"], 2) << mode << " (a 503 is tried again)";
    EXPECT_EQ(results[1]["attempts"], 1) << mode << " (a 404 is final)";
    EXPECT_EQ(run.err.find("malformed"), std::string::npos) << mode << run.err;
    EXPECT_NE(run.err.find(", 0 restarts"), std::string::npos) << mode << run.err;
  }
}

}  // namespace
}  // namespace farm
