// farm::Executor end to end: real worker processes (forks of this test
// binary, so the task types of test_types.cc are in them) and threads.
#include <errno.h>
#include <farm/farm.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string ModeName(const ::testing::TestParamInfo<Mode>& info) {
  return info.param == Mode::kProcess ? "Process" : "Thread";
}

class ExecutorTest : public ::testing::TestWithParam<Mode> {
 protected:
  ExecutorOptions Options(int workers) const { return {.mode = GetParam(), .workers = workers}; }
};

// The code of the TaskError that `future` fails with; "" if it does not.
std::string ErrorCode(const Future& future, std::string* message = nullptr) {
  try {
    future.Get();
  } catch (const TaskError& error) {
    if (message != nullptr) *message = error.what();
    return error.code;
  }
  return "";
}

TEST_P(ExecutorTest, FuturesResolve) {
  Executor ex(Options(2));
  std::vector<Future> futures;
  for (int x = -50; x < 50; ++x) futures.push_back(ex.Submit("square", {{"x", x}}));
  for (int x = -50; x < 50; ++x) {
    const Future& f = futures[static_cast<size_t>(x + 50)];
    EXPECT_EQ(f.Get()["square"], x * x);
    EXPECT_TRUE(f.Done());
    EXPECT_EQ(f.Get()["label"], "none");  // the default, filled in
  }
  EXPECT_EQ(ex.Submit("fib", {{"n", 20}}).Get()["head"], "6765");  // built-ins too
}

TEST_P(ExecutorTest, BadTaskFailsOnlyItsFuture) {
  Executor ex(Options(2));
  std::string message;
  EXPECT_EQ(ErrorCode(ex.Submit("square", {{"x", 5000}}), &message), "bad_task");
  EXPECT_NE(message.find("'x'"), std::string::npos) << message;
  EXPECT_EQ(ErrorCode(ex.Submit("square", {{"xx", 1}}), &message), "bad_task");
  EXPECT_NE(message.find("did you mean 'x'"), std::string::npos) << message;
  EXPECT_EQ(ErrorCode(ex.Submit("sqare", {{"x", 1}}), &message), "bad_task");
  EXPECT_NE(message.find("did you mean 'square'"), std::string::npos) << message;
  EXPECT_EQ(ErrorCode(ex.Submit("square", {{"x", 1}, {"label", "small"}}), &message), "bad_task");
  EXPECT_EQ(ErrorCode(ex.Submit("throws"), &message), "my_code");
  EXPECT_EQ(message, "it went wrong");
  EXPECT_EQ(ex.Submit("square", {{"x", 3}}).Get()["square"], 9);
}

TEST_P(ExecutorTest, CancelBeforeDispatch) {
  Executor ex(Options(1));
  Future slow = ex.Submit("slow", {{"ms", 300}});
  std::vector<Future> queued;
  for (int x = 0; x < 10; ++x) queued.push_back(ex.Submit("square", {{"x", x}}));
  EXPECT_TRUE(queued.back().Cancel());
  EXPECT_TRUE(queued.back().Cancelled());
  EXPECT_TRUE(queued.back().Done());
  EXPECT_THROW(queued.back().Get(), FutureCancelled);
  EXPECT_EQ(slow.Get()["ms"], 300);
  EXPECT_FALSE(slow.Cancel());  // done: too late
  for (int x = 0; x < 9; ++x) EXPECT_EQ(queued[static_cast<size_t>(x)].Get()["square"], x * x);
}

TEST_P(ExecutorTest, GetWithTimeoutLeavesTheTaskRunning) {
  Executor ex(Options(1));
  Future slow = ex.Submit("slow", {{"ms", 400}});
  EXPECT_THROW(slow.Get(milliseconds(20)), FutureTimeout);
  EXPECT_EQ(slow.Get(std::chrono::seconds(60))["ms"], 400);
}

TEST_P(ExecutorTest, AsCompletedYieldsInCompletionOrder) {
  Executor ex(Options(3));
  std::vector<Future> futures = {ex.Submit("slow", {{"ms", 1500}}),
                                 ex.Submit("slow", {{"ms", 600}}), ex.Submit("slow", {{"ms", 0}})};
  std::vector<int> order;
  for (Future& f : AsCompleted(futures)) order.push_back(f.Get()["ms"]);
  EXPECT_EQ(order, (std::vector<int>{0, 600, 1500}));
}

TEST_P(ExecutorTest, MapKeepsInputOrder) {
  Executor ex(Options(3));
  std::vector<nlohmann::json> inputs = {{{"ms", 500}}, {{"ms", 200}}, {{"ms", 0}}};
  std::vector<int> got;
  for (const nlohmann::json& result : ex.Map("slow", inputs)) got.push_back(result["ms"]);
  EXPECT_EQ(got, (std::vector<int>{500, 200, 0}));
}

TEST_P(ExecutorTest, WaitFirstCompletedAndAll) {
  Executor ex(Options(2));
  std::vector<Future> futures = {ex.Submit("slow", {{"ms", 30000}}),
                                 ex.Submit("square", {{"x", 2}})};
  WaitResult first = Wait(futures, FirstCompleted);
  ASSERT_EQ(first.done.size(), 1u);
  EXPECT_EQ(first.done[0].seq(), futures[1].seq());
  WaitResult all = Wait(futures, AllCompleted, milliseconds(10));
  EXPECT_EQ(all.not_done.size(), 1u);
  if (GetParam() == Mode::kProcess) {  // a thread can't be stopped: it is left to finish
    ex.Shutdown(/*wait=*/false);
    EXPECT_THROW(futures[0].Get(), FutureCancelled);
  }
}

TEST_P(ExecutorTest, ShutdownWaitRunsEverythingSubmitted) {
  Executor ex(Options(2));
  std::vector<Future> futures;
  for (int x = 0; x < 200; ++x) futures.push_back(ex.Submit("square", {{"x", x % 1000}}));
  ex.Shutdown(/*wait=*/true);
  for (const Future& f : futures) EXPECT_TRUE(f.Done() && !f.Cancelled());
  EXPECT_THROW(ex.Submit("square", {{"x", 1}}), std::logic_error);
}

TEST_P(ExecutorTest, TaskStreamDependsOnSeedAndIdOnly) {
  nlohmann::json here, there;
  {
    Executor ex({.mode = GetParam(), .workers = 2, .seed = 7});
    here = ex.Submit("seeded", {{"id", "a"}}).Get();
  }
  {
    Executor ex({.mode = Mode::kSequential, .workers = 1, .seed = 7});
    there = ex.Submit("seeded", {{"id", "a"}}).Get();
  }
  EXPECT_EQ(here, there);
  EXPECT_EQ(here["id"], "\"a\"");
}

// A task reports a quarter done and waits for its gate; its future shows
// that while it runs, and 1 once it is done.
void ExpectProgressMidRun(Mode mode) {
  testing::TempDir dir;
  const std::string gate = dir.File("gate");
  Executor ex({.mode = mode, .workers = 1});
  Future f = ex.Submit("gate", {{"path", gate}, {"fraction", 0.25}});
  EXPECT_LE(f.Progress(), 0.25);  // 0 until the worker's report arrives
  EXPECT_TRUE(testing::WaitFor([&] { return f.Progress() == 0.25; }));
  EXPECT_FALSE(f.Done());
  testing::WriteFile(gate, "");
  EXPECT_EQ(f.Get()["opened"], true);
  EXPECT_EQ(f.Progress(), 1);
}

TEST_P(ExecutorTest, ProgressShowsMidRun) { ExpectProgressMidRun(GetParam()); }

TEST(ExecutorSequential, ProgressShowsMidRun) { ExpectProgressMidRun(Mode::kSequential); }

TEST_P(ExecutorTest, TightLoopOfProgressReportsFinishes) {
  Executor ex(Options(2));
  std::vector<Future> futures;
  for (int i = 0; i < 4; ++i) futures.push_back(ex.Submit("busy_progress", {{"calls", 1000000}}));
  for (const Future& f : futures) EXPECT_EQ(f.Get(std::chrono::seconds(120))["calls"], 1000000);
}

TEST_P(ExecutorTest, NoTimeoutNoDeadline) {
  Executor ex(Options(1));
  nlohmann::json result = ex.Submit("patient", {{"max_ms", 50}}).Get();
  EXPECT_EQ(result["had_deadline"], false);
  EXPECT_EQ(result["stopped_early"], false);
}

INSTANTIATE_TEST_SUITE_P(Modes, ExecutorTest, ::testing::Values(Mode::kProcess, Mode::kThread),
                         ModeName);

TEST(ExecutorProcess, WorkerDeathIsRetriedThenFailsOnlyThatFuture) {
  Executor ex({.mode = Mode::kProcess, .workers = 2, .retries = 1});
  Future dies = ex.Submit("die");
  Future fine = ex.Submit("square", {{"x", 7}});
  std::string message;
  EXPECT_EQ(ErrorCode(dies, &message), "worker_died");
  EXPECT_NE(message.find("signal 9"), std::string::npos) << message;
  EXPECT_EQ(dies.Line()["attempts"], 2);
  EXPECT_EQ(fine.Get()["square"], 49);
  // The pool goes on: no broken executor.
  for (int x = 0; x < 20; ++x) EXPECT_EQ(ex.Submit("square", {{"x", x}}).Get()["square"], x * x);
}

TEST(ExecutorProcess, TaskTimeoutIsATimeoutError) {
  Executor ex({.mode = Mode::kProcess, .workers = 1, .retries = 0, .task_timeout_s = 0.2});
  EXPECT_EQ(ErrorCode(ex.Submit("slow", {{"ms", 60000}})), "timeout");
  EXPECT_EQ(ex.Submit("square", {{"x", 4}}).Get()["square"], 16);
}

// Without its deadline the task would work its 60 s and be killed at 3 s.
TEST(ExecutorProcess, TaskWatchingItsDeadlineReturnsBeforeTheTimeout) {
  Executor ex({.mode = Mode::kProcess, .workers = 1, .retries = 0, .task_timeout_s = 3});
  Future f = ex.Submit("patient", {{"max_ms", 60000}, {"margin_ms", 1500}});
  nlohmann::json result = f.Get();  // no TaskError("timeout")
  EXPECT_EQ(result["had_deadline"], true);
  EXPECT_EQ(result["stopped_early"], true);
  EXPECT_EQ(f.Line()["attempts"], 1);
}

TEST(ExecutorProcess, DestructionWithTasksInFlightNeitherHangsNorOrphans) {
  std::vector<Future> futures;
  const Clock::time_point start = Clock::now();
  {
    Executor ex({.mode = Mode::kProcess, .workers = 2});
    for (int i = 0; i < 6; ++i) futures.push_back(ex.Submit("slow", {{"ms", 60000}}));
    EXPECT_THROW(futures[0].Get(milliseconds(50)), FutureTimeout);  // running: 60 s
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(30));
  for (const Future& f : futures) EXPECT_THROW(f.Get(), FutureCancelled);
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);  // no child left, not even a zombie
  EXPECT_EQ(errno, ECHILD);
}

// In a child of its own (re-executed): the warning is said once a process.
TEST(ExecutorForkRule, ForkingFromAThreadedProcessIsSaid) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::thread other([] { std::this_thread::sleep_for(milliseconds(300)); });
        {
          Executor ex({.mode = Mode::kProcess, .workers = 1});
          if (ex.Submit("square", {{"x", 3}}).Get()["square"] != 9) std::exit(1);
        }
        other.join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "forking workers while this process runs [0-9]+ threads");
}

TEST(ExecutorOptions, RefusesWhatTheModeCannotDo) {
  EXPECT_THROW(Executor({.mode = Mode::kThread, .task_timeout_s = 1}), std::invalid_argument);
  EXPECT_THROW(Executor({.mode = Mode::kMpi}), std::invalid_argument);
}

TEST(Registration, RefusedOnceAnExecutorStarted) {
  Executor ex({.mode = Mode::kThread, .workers = 1});
  EXPECT_THROW(
      RegisterTask({.name = "late",
                    .run = [](const nlohmann::json&, Context&) { return nlohmann::json(); }}),
      std::logic_error);
}

}  // namespace
}  // namespace farm
