// The fetch engine and the fetch task without the coordinator: the path
// sequential and thread modes take.
#include "worker/fetch_engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "common/fd.h"
#include "common/wire.h"
#include "tests/http_test_server.h"
#include "tests/run_farm.h"
#include "worker/run_task.h"
#include "worker/sha256.h"
#include "worker/worker_loop.h"

namespace farm {
namespace {

using nlohmann::json;

TEST(FetchTask, RunTaskDownloadsToCompletion) {
  testing::HttpTestServer server;
  testing::TempDir dir;
  WorkerContext worker;
  worker.index = 3;
  worker.fetch.out_dir = dir.File("saved");
  json task = {{"type", "fetch"}, {"url", server.Url("/redirect/1")}, {"id", "r"}};
  std::string line;
  ASSERT_TRUE(RunTask(9, 1, task, std::chrono::steady_clock::now(), worker, &line)) << line;
  json result = json::parse(line);
  EXPECT_EQ(result["id"], "r");
  EXPECT_EQ(result["worker"], 3);
  EXPECT_EQ(result["result"]["redirects"], 1);
  EXPECT_EQ(result["result"]["sha256"], Sha256Hex("arrived"));
  EXPECT_EQ(testing::ReadFile(result["result"]["path"]), "arrived");
}

TEST(FetchTask, RunTaskReportsFetchFailed) {
  testing::HttpTestServer server;
  WorkerContext worker;
  json task = {{"type", "fetch"}, {"url", server.Url("/status/403")}, {"save", false}};
  std::string line;
  EXPECT_FALSE(RunTask(1, 1, task, std::chrono::steady_clock::now(), worker, &line));
  json result = json::parse(line);
  EXPECT_EQ(result["error"]["code"], "fetch_failed");
  EXPECT_EQ(result["error"]["message"], "HTTP 403 for " + server.Url("/status/403"));
}

TEST(FetchEngine, ManyTransfersFinishWithTheirOwnTokens) {
  testing::HttpTestServer server;
  FetchSettings settings;
  settings.concurrency = 4;
  FetchEngine engine(settings);
  for (uint64_t token = 1; token <= 20; ++token)
    engine.Add(token, {.url = server.Url("/body/" + std::to_string(token) + "/t"),
                       .timeout_s = 30,
                       .save = false,
                       .max_bytes = 1 << 20});
  std::vector<FetchOutcome> outcomes;
  while (!engine.idle()) {
    bool unused;
    engine.Wait(-1, &unused);
    engine.TakeFinished(&outcomes);
  }
  ASSERT_EQ(outcomes.size(), 20u);
  for (const FetchOutcome& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(nlohmann::json::parse(outcome.result)["bytes"], outcome.token);  // each body came back to its own token
  }
}

// The worker loop over real pipes: the coordinator may close a worker's input
// while its transfers are still in flight; every one still gets its reply.
TEST(FetchWorkerLoop, FinishesTransfersAfterInputCloses) {
  testing::HttpTestServer server;
  testing::TempDir dir;
  Pipe tasks, replies;
  ASSERT_TRUE(MakePipe(&tasks).ok());
  ASSERT_TRUE(MakePipe(&replies).ok());
  std::string messages;
  wire::WorkerSettings settings;
  settings.fetch.out_dir = dir.File("saved");
  wire::AppendSettings(settings, &messages);
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    json task = {{"type", "fetch"}, {"url", server.Url("/slow/200?" + std::to_string(seq))}};
    wire::AppendTask(seq, 1, task.dump(), &messages);
  }
  ASSERT_TRUE(WriteAll(tasks.write.get(), messages).ok());
  tasks.write.reset();  // end of input before any transfer finished

  RunningTask running;
  PipeChannel channel(tasks.read.get(), replies.write.get());
  EXPECT_EQ(ServeChannel(channel, {.running = &running}), 0);
  replies.write.reset();

  std::string output, chunk(4096, '\0');
  for (ssize_t n; (n = read(replies.read.get(), chunk.data(), chunk.size())) > 0;)
    output.append(chunk.data(), static_cast<size_t>(n));
  std::vector<uint64_t> seqs;
  for (size_t start = 0, end; (end = output.find('\n', start)) != std::string::npos;
       start = end + 1) {
    wire::Reply reply;
    ASSERT_TRUE(wire::DecodeReply(std::string_view(output).substr(start, end - start), &reply));
    EXPECT_TRUE(reply.ok) << reply.result_line;
    seqs.push_back(reply.seq);
  }
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace farm
