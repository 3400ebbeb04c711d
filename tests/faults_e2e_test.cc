// End-to-end fault injection on the real binary: workers killed, hung,
// out of memory or writing garbage; the coordinator interrupted or killed.
// Whatever happens, every input line yields exactly one result line.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::FinishFarm;
using testing::RunFarm;
using testing::StartFarm;
using testing::TempDir;
using testing::WaitFor;
using testing::WorkerPids;

std::string Lines(int count, const std::string& task) {
  std::string text;
  for (int i = 0; i < count; ++i) text += task + "\n";
  return text;
}

// Result lines by id; fails the test if a line is not JSON or an id repeats.
std::map<std::string, json> ById(const std::string& output) {
  std::map<std::string, json> results;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "output ends in a torn line";
    if (end == std::string::npos) break;
    json line = json::parse(output.substr(start, end - start));
    std::string id = line["id"].dump();
    EXPECT_EQ(results.count(id), 0u) << "id " << id << " twice";
    results[id] = line;
    start = end + 1;
  }
  return results;
}

// Kills the farm's workers with `signal` now and then until stopped.
class WorkerKiller {
 public:
  WorkerKiller(pid_t farm, int signal, int every_ms)
      : thread_([this, farm, signal, every_ms] {
          std::mt19937 random(12345);
          while (!stop_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(every_ms));
            std::vector<pid_t> workers = WorkerPids(farm);
            if (workers.empty()) continue;
            kill(workers[random() % workers.size()], signal);
            ++kills_;
          }
        }) {}
  ~WorkerKiller() { Stop(); }
  int Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return kills_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> kills_{0};
  std::thread thread_;
};

TEST(Faults, WorkersKilledAtRandomLoseNoTask) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), Lines(3000, R"({"type":"sleep","ms":1})"));
  auto child = StartFarm({"run", "-j", "2", "--retries", "20", "--seed", "3"}, dir.File("tasks"));
  WorkerKiller killer(child.pid, SIGKILL, 20);
  auto run = FinishFarm(child);
  int kills = killer.Stop();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 3000u);
  for (int id = 1; id <= 3000; ++id) {
    ASSERT_EQ(results.count(std::to_string(id)), 1u) << id;
    EXPECT_TRUE(results[std::to_string(id)]["ok"].get<bool>());
  }
  EXPECT_GT(kills, 5);
  EXPECT_NE(run.err.find(" restarts"), std::string::npos);
}

TEST(Faults, HungTaskTimesOutAndOthersAreNotCharged) {
  // The hang sits among quick tasks, which are pipelined: the worker may
  // hold its neighbours' replies when it hangs, and they must not be blamed.
  std::string input = Lines(2000, R"({"type":"fib","n":20})") +
                      R"({"type":"sleep","ms":600000,"id":"hang"})" "\n" +
                      Lines(2000, R"({"type":"fib","n":20})");
  auto run = RunFarm({"run", "-j", "2", "--task-timeout", "0.3", "--retries", "1"}, input);
  ASSERT_EQ(run.exit_code, 1) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 4001u);
  for (auto& [id, result] : results) {
    if (id == "\"hang\"") continue;
    EXPECT_TRUE(result["ok"].get<bool>()) << result;
  }
  const json& hang = results["\"hang\""];
  EXPECT_FALSE(hang["ok"].get<bool>());
  EXPECT_EQ(hang["error"]["code"], "timeout");
  EXPECT_EQ(hang["attempts"], 2);
  EXPECT_GE(hang["elapsed_ms"].get<double>(), 300);
}

#ifdef FARM_SANITIZED
constexpr int kCrash = SIGABRT;  // AddressSanitizer turns SIGSEGV into exit(1)
#else
constexpr int kCrash = SIGSEGV;
#endif

TEST(Faults, TaskThatKillsEveryWorkerEndsAsWorkerDied) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), "{\"type\":\"sleep\",\"ms\":600000,\"id\":\"doomed\"}\n"
                                        "{\"type\":\"fib\",\"n\":10}\n");
  auto child = StartFarm({"run", "-j", "1", "--retries", "2"}, dir.File("tasks"));
  WorkerKiller killer(child.pid, kCrash, 100);
  auto run = FinishFarm(child);
  killer.Stop();
  ASSERT_EQ(run.exit_code, 1) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 2u);
  const json& doomed = results["\"doomed\""];
  EXPECT_EQ(doomed["error"]["code"], "worker_died");
  EXPECT_NE(doomed["error"]["message"].get<std::string>().find(
                "killed by signal " + std::to_string(kCrash)),
            std::string::npos)
      << doomed;
  EXPECT_EQ(doomed["attempts"], 3);
  EXPECT_TRUE(results["2"]["ok"].get<bool>());
}

TEST(Faults, GarbageFromAWorkerRestartsItAndRetriesTheTask) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), "{\"type\":\"sleep\",\"ms\":1000,\"id\":\"a\"}\n");
  auto child = StartFarm({"run", "-j", "1"}, dir.File("tasks"));
  std::vector<pid_t> workers;
  ASSERT_TRUE(WaitFor([&] { return !(workers = WorkerPids(child.pid)).empty(); }));
  // Write into the worker's reply pipe, as a broken worker would.
  int pipe = open(("/proc/" + std::to_string(workers[0]) + "/fd/4").c_str(), O_WRONLY);
  ASSERT_GE(pipe, 0);
  std::string garbage = "{\"seq\":1,\"ok\":true,\"reply\":{\"torn\n\x01\xff not json at all\n";
  ASSERT_EQ(write(pipe, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  close(pipe);
  auto run = FinishFarm(child);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results["\"a\""]["ok"].get<bool>());
  EXPECT_EQ(results["\"a\""]["attempts"], 2);
  EXPECT_NE(run.err.find("1 restarts"), std::string::npos) << run.err;
}

TEST(Faults, TaskOverTheMemoryLimitFailsWithAClearMessage) {
#ifdef FARM_SANITIZED
  GTEST_SKIP() << "sanitizers reserve more address space than any limit";
#endif
  auto run = RunFarm({"run", "-j", "1", "--memory-limit", "64"},
                     "{\"type\":\"fib\",\"n\":100000000}\n{\"type\":\"fib\",\"n\":1000}\n");
  ASSERT_EQ(run.exit_code, 1) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results["1"]["error"]["code"], "worker_died");
  EXPECT_NE(results["1"]["error"]["message"].get<std::string>().find("out of memory"),
            std::string::npos);
  EXPECT_EQ(results["1"]["attempts"], 1);  // no retry: it would run out again
  EXPECT_NE(results["1"]["error"]["message"].get<std::string>().find("--memory-limit 64 MB"),
            std::string::npos);
  EXPECT_TRUE(results["2"]["ok"].get<bool>());
}

TEST(Faults, MaxTasksPerWorkerRecyclesWorkersWithFreshSeeds) {
  auto run = RunFarm({"run", "-j", "1", "--max-tasks-per-worker", "10", "--seed", "5"},
                     Lines(50, R"({"type":"random","count":1})"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 50u);
  std::map<uint64_t, int> tasks_per_seed;
  for (auto& [id, result] : results) ++tasks_per_seed[result["result"]["worker_seed"].get<uint64_t>()];
  EXPECT_EQ(tasks_per_seed.size(), 5u);
  for (auto& [seed, tasks] : tasks_per_seed) EXPECT_EQ(tasks, 10) << seed;
}

TEST(Faults, KilledCoordinatorLeavesNoWorkerRunning) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), Lines(4, R"({"type":"sleep","ms":600000})"));
  auto child = StartFarm({"run", "-j", "2"}, dir.File("tasks"));
  std::vector<pid_t> workers;
  ASSERT_TRUE(WaitFor([&] { return (workers = WorkerPids(child.pid)).size() == 2; }));
  kill(child.pid, SIGKILL);
  auto run = FinishFarm(child);
  EXPECT_EQ(run.exit_code, 128 + SIGKILL);
  for (pid_t worker : workers) {
    // Gone, or a zombie waiting for whoever adopted it: not running.
    EXPECT_TRUE(WaitFor([&] {
      char state = testing::ProcessState(worker);
      return state == 0 || state == 'Z';
    })) << "worker " << worker << " survived its coordinator";
  }
}

TEST(Faults, HugeResultsFromBothWorkersAtOnce) {
  // About 20 MB of decimal digits each, while tasks are still being sent.
  std::string big = R"({"type":"fib","n":95000000,"full":true})";
  auto run = RunFarm({"run", "-j", "2"}, big + "\n" + big + "\n" + Lines(200, R"({"type":"fib","n":20})"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 202u);
  for (const char* id : {"1", "2"}) {
    const json& result = results[id]["result"];
    EXPECT_EQ(result["value"].get<std::string>().size(), result["digits"].get<size_t>());
    EXPECT_GT(result["digits"].get<size_t>(), 19'000'000u);
  }
}

// Sends SIGINT once the farm has written `lines` result lines to `output`.
void InterruptAfter(pid_t farm, const std::string& output, size_t lines) {
  ASSERT_TRUE(WaitFor([&] {
    std::string text = testing::ReadFile(output);
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) >= lines;
  }));
  kill(farm, SIGINT);
}

TEST(Interrupt, FirstSignalFinishesTasksInFlightThenResumeCompletesTheBatch) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, Lines(40, R"({"type":"sleep","ms":30})"));
  auto child = StartFarm({"run", "-j", "2", "-o", out}, tasks);
  InterruptAfter(child.pid, out, 4);
  auto first = FinishFarm(child);
  ASSERT_EQ(first.exit_code, 130) << first.err;
  EXPECT_NE(first.err.find("again to stop at once"), std::string::npos) << first.err;
  auto done = ById(testing::ReadFile(out));
  EXPECT_GE(done.size(), 4u);
  EXPECT_LT(done.size(), 40u);
  for (auto& [id, result] : done) EXPECT_TRUE(result["ok"].get<bool>()) << result;

  auto second = FinishFarm(StartFarm({"run", "-j", "2", "--resume", "-o", out}, tasks));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find(std::to_string(done.size()) + " tasks already done"), std::string::npos)
      << second.err;
  auto all = ById(testing::ReadFile(out));  // each id once
  ASSERT_EQ(all.size(), 40u);
  for (int id = 1; id <= 40; ++id) EXPECT_EQ(all.count(std::to_string(id)), 1u) << id;
}

TEST(Interrupt, SecondSignalStopsAtOnce) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, Lines(4, R"({"type":"fib","n":10})") +
                                Lines(4, R"({"type":"sleep","ms":600000})"));
  auto child = StartFarm({"run", "-j", "2", "-o", out}, tasks);
  std::vector<pid_t> workers;
  ASSERT_TRUE(WaitFor([&] { return (workers = WorkerPids(child.pid)).size() == 2; }));
  InterruptAfter(child.pid, out, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(child.pid, SIGINT);
  auto run = FinishFarm(child);  // would take ten minutes if it waited
  EXPECT_EQ(run.exit_code, 130) << run.err;
  auto results = ById(testing::ReadFile(out));
  EXPECT_LE(results.size(), 4u);
  for (auto& [id, result] : results) EXPECT_TRUE(result["ok"].get<bool>());
  for (pid_t worker : workers) EXPECT_EQ(testing::ProcessState(worker), 0) << "not reaped";
}

TEST(Interrupt, KeepOrderStillWritesResultsHeldBehindAnUnfinishedTask) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, R"({"type":"sleep","ms":600000})" "\n" +
                                Lines(20, R"({"type":"fib","n":10})"));
  auto child = StartFarm({"run", "-j", "2", "--keep-order", "-o", out}, tasks);
  ASSERT_TRUE(WaitFor([&] { return WorkerPids(child.pid).size() == 2; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the fib tasks finish
  kill(child.pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(child.pid, SIGINT);
  auto run = FinishFarm(child);
  EXPECT_EQ(run.exit_code, 130) << run.err;
  testing::FarmRun written;
  written.out = testing::ReadFile(out);
  auto lines = written.lines();
  ASSERT_EQ(lines.size(), 20u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(json::parse(lines[i])["id"], i + 2);
}

TEST(Resume, TornLastLineIsIgnoredAndCutOff) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, Lines(5, R"({"type":"fib","n":30})"));
  auto first = RunFarm({"run", "-j", "2", "-o", out, "--keep-order"}, testing::ReadFile(tasks));
  ASSERT_EQ(first.exit_code, 0);
  std::string text = testing::ReadFile(out);
  // Keep lines 1 and 2, and half of line 3, as a crash mid-write would.
  size_t second_end = text.find('\n', text.find('\n') + 1) + 1;
  testing::WriteFile(out, text.substr(0, second_end + 20));

  auto run = FinishFarm(StartFarm({"run", "-j", "2", "--resume", "-o", out}, tasks));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("torn last line"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("2 tasks already done"), std::string::npos) << run.err;
  auto all = ById(testing::ReadFile(out));  // every line parses, each id once
  EXPECT_EQ(all.size(), 5u);
}

TEST(Resume, SkipsTasksAlreadyDoneInEveryMode) {
  for (const char* mode : {"process", "thread", "sequential"}) {
    TempDir dir;
    std::string tasks = dir.File("tasks"), out = dir.File("out");
    testing::WriteFile(tasks, Lines(3, R"({"type":"fib","n":30})"));
    ASSERT_EQ(FinishFarm(StartFarm({"run", "--mode", mode, "-o", out}, tasks)).exit_code, 0);
    testing::WriteFile(tasks, Lines(7, R"({"type":"fib","n":30})"));
    auto run = FinishFarm(StartFarm({"run", "--mode", mode, "--resume", "-o", out}, tasks));
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.err;
    EXPECT_NE(run.err.find("3 tasks already done"), std::string::npos) << mode << ": " << run.err;
    EXPECT_EQ(ById(testing::ReadFile(out)).size(), 7u) << mode;  // each id once
  }
}

TEST(Resume, RerunsFailedTasksAndReportsRepeatedIds) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(out,
                     R"({"id":"a","type":"fib","ok":true,"worker":0,"attempts":1,"elapsed_ms":1,"result":{}})" "\n"
                     R"({"id":"b","type":"fib","ok":false,"worker":0,"attempts":1,"elapsed_ms":1,"error":{}})" "\n");
  testing::WriteFile(tasks, R"({"id":"a","type":"fib","n":1})" "\n"
                            R"({"id":"b","type":"fib","n":2})" "\n"
                            R"({"id":"c","type":"fib","n":3})" "\n"
                            R"({"id":"c","type":"fib","n":4})" "\n");
  auto run = FinishFarm(StartFarm({"run", "-j", "1", "--resume", "-o", out}, tasks));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("line 4 repeats id \"c\""), std::string::npos) << run.err;
  std::string text = testing::ReadFile(out);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 3);  // b, c and c appended
  EXPECT_EQ(text.find("\"id\":\"a\"", 10), std::string::npos);  // a not run again
}

}  // namespace
}  // namespace farm
