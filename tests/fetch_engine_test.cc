// The fetch engine and the fetch task without the coordinator: the path
// sequential and thread modes take.
#include "worker/fetch_engine.h"

#include <gtest/gtest.h>

#include "tests/http_test_server.h"
#include "tests/run_farm.h"
#include "worker/run_task.h"
#include "worker/sha256.h"

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
  ASSERT_TRUE(RunTask(9, 1, task, worker, &line)) << line;
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
  EXPECT_FALSE(RunTask(1, 1, task, worker, &line));
  json result = json::parse(line);
  EXPECT_EQ(result["error"]["code"], "fetch_failed");
  EXPECT_EQ(result["error"]["message"], "HTTP 403 for " + server.Url("/status/403"));
}

TEST(FetchEngine, ManyTransfersFinishWithTheirOwnTokens) {
  testing::HttpTestServer server;
  Rng rng(1);
  FetchSettings settings;
  settings.concurrency = 4;
  FetchEngine engine(settings, rng);
  for (uint64_t token = 1; token <= 20; ++token)
    engine.Add(token, {.url = server.Url("/body/" + std::to_string(token) + "/t"), .save = false});
  std::vector<FetchOutcome> outcomes;
  while (!engine.idle()) {
    bool unused;
    engine.Wait(-1, &unused);
    engine.TakeFinished(&outcomes);
  }
  ASSERT_EQ(outcomes.size(), 20u);
  for (const FetchOutcome& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_EQ(outcome.result["bytes"], outcome.token);  // each body came back to its own token
  }
}

}  // namespace
}  // namespace farm
