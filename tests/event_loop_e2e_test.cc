// The coordinator's event loop at its edges. Stop signals reach farm whatever
// its input does: always ready (/dev/zero), or a long file of lines that need
// no worker (before, a pending signal was never let in while an fd was ready,
// and only SIGKILL ended such a run). No duration can overflow a deadline.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FinishFarm;
using testing::StartFarm;

// Sends SIGTERM after half a second and expects farm to end, interrupted,
// within a few seconds; kills it otherwise, so the test can't hang.
void ExpectStopsOnSigterm(const std::vector<std::string>& args, const std::string& stdin_path) {
  testing::FarmChild child = StartFarm(args, stdin_path);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(child.pid, SIGTERM);
  bool ended = testing::WaitFor([&] { return testing::ProcessState(child.pid) == 'Z'; }, 10);
  if (!ended) kill(child.pid, SIGKILL);
  testing::FarmRun run = FinishFarm(child);
  EXPECT_TRUE(ended) << "SIGTERM did not stop farm " << args[3];
  EXPECT_EQ(run.exit_code, 130) << run.err;
}

TEST(StopSignals, ReachAFarmWhoseInputIsAlwaysReady) {
  for (const char* mode : {"process", "thread", "sequential"}) {
    ExpectStopsOnSigterm({"run", "-j", "2", "--mode", mode, "/dev/zero", "-o", "/dev/null"},
                         "/dev/null");
    ExpectStopsOnSigterm({"run", "-j", "2", "--mode", mode, "-", "-o", "/dev/null"}, "/dev/zero");
  }
}

TEST(StopSignals, ReachAFarmSettlingALongFileOfBadLines) {
  testing::TempDir dir;
  std::string garbage;
  for (int i = 0; i < 2'000'000; ++i) garbage += "garbage\n";  // about 30 s of bad_json lines
  testing::WriteFile(dir.File("garbage"), garbage);
  for (const char* mode : {"process", "thread"})
    ExpectStopsOnSigterm({"run", "-j", "2", "--mode", mode, dir.File("garbage"), "-o", "/dev/null"},
                         "/dev/null");
}

TEST(EventLoop, HugeTaskTimeoutIsClampedNotAnError) {
  testing::FarmRun run = testing::RunFarm({"run", "-j", "2", "--task-timeout", "1e10"},
                                          R"({"type":"sleep","ms":1})" "\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.results().size(), 1u);
  EXPECT_EQ(run.results()[0]["ok"], true);
}

}  // namespace
}  // namespace farm
