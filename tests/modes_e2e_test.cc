// End-to-end: the same batch in process, thread and sequential mode gives
// the same result lines, apart from timings and worker numbers.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::FinishFarm;
using testing::RunFarm;
using testing::StartFarm;
using testing::TempDir;

const char* const kModes[] = {"process", "thread", "sequential"};

// The result lines keyed by id, without what legitimately differs by mode.
std::map<std::string, json> Comparable(const testing::FarmRun& run) {
  std::map<std::string, json> by_id;
  for (const std::string& line : run.lines()) {
    json result = json::parse(line);
    result.erase("worker");
    result.erase("elapsed_ms");
    std::string id = result["id"].dump();
    EXPECT_EQ(by_id.count(id), 0u) << "duplicate result for id " << id;
    by_id[id] = result;
  }
  return by_id;
}

std::string Repeat(const std::string& line, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += line + "\n";
  return text;
}

TEST(ModesE2E, PiIsIdenticalInEveryModeForOneSeed) {
  std::string input;
  for (int i = 0; i < 6; ++i)
    input += "{\"id\":\"p" + std::to_string(i) + "\",\"type\":\"pi\",\"samples\":200000}\n";
  std::map<std::string, json> expected;
  for (const char* mode : kModes) {
    auto run = RunFarm({"run", "--mode", mode, "-j", "3", "--seed", "42"}, input);
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.err;
    auto results = Comparable(run);
    ASSERT_EQ(results.size(), 6u) << mode;
    if (expected.empty()) {
      expected = results;
      continue;
    }
    EXPECT_EQ(results, expected) << mode;
  }
  EXPECT_NE(expected["\"p0\""]["result"]["inside"], expected["\"p1\""]["result"]["inside"]);
}

TEST(ModesE2E, FibAndBadLinesAreIdenticalInEveryMode) {
  const std::string input =
      "{\"type\":\"fib\",\"n\":1000}\n"
      "{\"type\":\"fib\",\"n\":5000,\"method\":\"iterative\",\"id\":\"it\"}\n"
      "{\"type\":\"fib\",\"n\":90,\"full\":true}\n"
      "not json\n"
      "{\"type\":\"fbi\",\"n\":3}\n"
      "{\"type\":\"fib\",\"n\":-1}\n"
      "\n"
      "[1,2]\n";
  std::map<std::string, json> expected;
  for (const char* mode : kModes) {
    auto run = RunFarm({"run", "--mode", mode, "-j", "2", "--seed", "7"}, input);
    ASSERT_EQ(run.exit_code, 1) << mode << ": " << run.err;  // some lines are bad
    auto results = Comparable(run);
    ASSERT_EQ(results.size(), 8u) << mode;
    if (expected.empty()) {
      expected = results;
      continue;
    }
    EXPECT_EQ(results, expected) << mode;
  }
  EXPECT_EQ(expected["\"it\""]["result"]["digits"], 1045);
  EXPECT_EQ(expected["3"]["result"]["value"], "2880067194370816120");
  EXPECT_EQ(expected["5"]["error"]["code"], "bad_task");
}

TEST(ModesE2E, RandomTasksInThreadModeDrawFromEachWorkersOwnStream) {
  auto run = RunFarm({"run", "--mode", "thread", "-j", "2", "--seed", "5"},
                     Repeat("{\"type\":\"random\",\"count\":4}", 40));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::set<std::string> values;
  std::set<uint64_t> seeds;
  for (const std::string& line : run.lines()) {
    json result = json::parse(line);
    values.insert(result["result"]["values"].dump());
    seeds.insert(result["result"]["worker_seed"].get<uint64_t>());
  }
  EXPECT_EQ(values.size(), 40u);  // no two tasks drew the same numbers
  EXPECT_LE(seeds.size(), 2u);
}

TEST(ModesE2E, ThreadModeRunsManyShortTasksExactlyOnce) {
  const int kTasks = 20000;
  auto run = RunFarm({"run", "--mode", "thread", "-j", "4"},
                     Repeat("{\"type\":\"fib\",\"n\":30}", kTasks));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<int> seen(kTasks + 1, 0);
  for (const std::string& line : run.lines()) {
    json result = json::parse(line);
    int id = result["id"].get<int>();
    ASSERT_TRUE(id >= 1 && id <= kTasks) << line;
    ++seen[id];
    ASSERT_EQ(result["result"]["head"], "832040");
  }
  for (int id = 1; id <= kTasks; ++id) ASSERT_EQ(seen[id], 1) << "id " << id;
  EXPECT_NE(run.err.find("20000 tasks, 20000 ok"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("4 thread workers"), std::string::npos) << run.err;
}

TEST(ModesE2E, KeepOrderHoldsInEveryMode) {
  std::string input;
  for (int i = 0; i < 300; ++i)
    input += i % 50 == 0 ? "{\"type\":\"sleep\",\"ms\":20}\n" : "{\"type\":\"fib\",\"n\":10}\n";
  for (const char* mode : kModes) {
    auto run = RunFarm({"run", "--mode", mode, "-j", "3", "--keep-order"}, input);
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.err;
    auto lines = run.lines();
    ASSERT_EQ(lines.size(), 300u) << mode;
    for (size_t i = 0; i < lines.size(); ++i)
      ASSERT_EQ(json::parse(lines[i])["id"], i + 1) << mode;
  }
}

TEST(ModesE2E, SleepsOverlapOnThreads) {
  auto run = RunFarm({"run", "--mode", "thread", "-j", "8", "--summary-json", "/dev/stderr"},
                     Repeat("{\"type\":\"sleep\",\"ms\":200}", 8));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // One after another they take 1.6 s; 8 threads overlap them. Generous bound.
  size_t at = run.err.find("\"wall_s\":");
  ASSERT_NE(at, std::string::npos) << run.err;
  EXPECT_LT(std::stod(run.err.substr(at + 9)), 1.2) << run.err;
}

TEST(ModesE2E, ProcessOnlyOptionsAreRefusedInOtherModes) {
  for (const char* mode : {"thread", "sequential"}) {
    auto run = RunFarm({"run", "--mode", mode, "--task-timeout", "1"}, "{\"type\":\"fib\",\"n\":1}\n");
    EXPECT_EQ(run.exit_code, 2) << mode;
    EXPECT_NE(run.err.find("--task-timeout needs --mode process"), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty());
  }
}

// Ctrl-C: tasks already running finish and are written; nothing new starts.
TEST(ModesE2E, InterruptFlushesFinishedResultsInThreadAndSequentialMode) {
  for (const char* mode : {"thread", "sequential"}) {
    TempDir dir;
    testing::WriteFile(dir.File("tasks"), Repeat("{\"type\":\"sleep\",\"ms\":300}", 20));
    auto child = StartFarm({"run", "--mode", mode, "-j", "2"}, dir.File("tasks"));
    // Interrupt once the first result is out, however slow the machine.
    std::string first;
    char c;
    while (first.find('\n') == std::string::npos && read(child.out_fd, &c, 1) == 1) first += c;
    kill(child.pid, SIGINT);
    auto run = FinishFarm(child);
    run.out = first + run.out;
    EXPECT_EQ(run.exit_code, 130) << mode << ": " << run.err;
    size_t lines = run.lines().size();
    EXPECT_GE(lines, 1u) << mode;
    EXPECT_LT(lines, 20u) << mode;
    for (const std::string& line : run.lines()) EXPECT_TRUE(json::parse(line)["ok"].get<bool>());
    EXPECT_NE(run.err.find("interrupted"), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace farm
