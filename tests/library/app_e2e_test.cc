// End to end: a program built on farm::Main with task types of its own (the
// test types, app_main.cc), run as a user runs it, with its forked workers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::RunFarm;

// Without the deadline in the worker's settings the task would work its
// 60 s and be killed at 3 s, a timeout; with it, it returns in time.
TEST(LibraryAppE2E, TaskWatchingItsDeadlineReturnsBeforeTaskTimeoutKillsIt) {
  const std::string task = R"({"type":"patient","max_ms":60000,"margin_ms":1500})";
  auto run = RunFarm({"run", "-j", "1", "--retries", "0", "--task-timeout", "3"}, task + "\n");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::vector<json> results = run.results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["result"]["stopped_early"], true) << results[0];
  EXPECT_EQ(results[0]["result"]["had_deadline"], true);
  EXPECT_EQ(results[0]["attempts"], 1);
  EXPECT_LT(results[0]["elapsed_ms"].get<double>(), 3000);
}

// The coordinator takes progress reports in every mode (and shows none):
// only result lines come out, and no worker is taken for broken.
TEST(LibraryAppE2E, ProgressReportsAreTakenInEveryModeAndPrintNothing) {
  const std::string tasks = R"({"type":"busy_progress","calls":10000000}
{"type":"gate","path":"/","fraction":0.5}
{"type":"busy_progress","calls":1}
)";
  for (const char* mode : {"process", "thread", "sequential"}) {
    auto run = RunFarm({"run", "--mode", mode, "-j", "2", "--keep-order"}, tasks);
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.out << run.err;
    std::vector<json> results = run.results();
    ASSERT_EQ(results.size(), 3u) << mode << ": " << run.out;
    for (const json& result : results) {
      EXPECT_EQ(result["ok"], true) << mode << ": " << result;
      EXPECT_EQ(result["attempts"], 1) << mode << ": " << result;
    }
    EXPECT_NE(run.err.find(" 0 restarts"), std::string::npos) << mode << ": " << run.err;
  }
}

TEST(LibraryAppE2E, WithoutTaskTimeoutThereIsNoDeadline) {
  for (const char* mode : {"process", "thread", "sequential"}) {
    auto run =
        RunFarm({"run", "--mode", mode, "-j", "1"}, "{\"type\":\"patient\",\"max_ms\":20}\n");
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.err;
    EXPECT_EQ(run.results().at(0)["result"]["had_deadline"], false) << mode;
  }
}

}  // namespace
}  // namespace farm
