// How a run under mpirun ends: mpirun exits with rank 0's status, or, where
// Open MPI hides it (--enable-recovery), farm says it on stderr; and node
// agents whose workers cannot be forked end the run instead of restarting
// them for ever.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "common/fd.h"
#include "mpi/launcher.h"
#include "tests/mpi/run_mpi.h"

namespace farm {
namespace {

using testing::ById;
using testing::Lines;
using testing::MpiCommand;
using testing::RunMpi;
using testing::TempDir;

// mpirun's -x for the launchers' test hook: each forks `forks` workers, then
// every fork fails with EAGAIN.
std::vector<std::string> ForkLimit(int forks) {
  return {"-x", std::string(mpi::kForkLimitVariable) + "=" + std::to_string(forks)};
}

// Waits for a started mpirun to end, for up to `seconds`; one that doesn't
// is stopped (mpirun passes SIGTERM on to its ranks) and the test fails.
testing::FarmRun FinishWithin(testing::FarmChild child, double seconds) {
  bool ended = testing::WaitFor([&] { return testing::ProcessState(child.pid) == 'Z'; }, seconds);
  if (!ended) kill(child.pid, SIGTERM);
  testing::FarmRun run = testing::FinishFarm(child);
  EXPECT_TRUE(ended) << "still running after " << seconds << " s\n" << run.err;
  return run;
}

// `count` copies of `line` run by 2 agents whose launchers fork only
// `forks` workers each, 2 wanted; ended within a minute.
testing::FarmRun RunWithForkLimit(int forks, int count, const std::string& line) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), Lines(count, line));
  return FinishWithin(
      testing::StartProgram(MpiCommand(3, ForkLimit(forks), {"-j", "2", dir.File("tasks")})), 60);
}

// Rank 0's own status, said after the summary whenever it is not 0.
bool SaysExitStatus(const testing::FarmRun& run, int status) {
  return run.err.find("farm: exit status " + std::to_string(status) + " ") != std::string::npos;
}

struct Outcome {
  std::vector<std::string> farm_args;
  int status;
};

// All ok, a task failed, a missing input, an output that cannot be written.
std::vector<Outcome> Outcomes(const TempDir& dir) {
  testing::WriteFile(dir.File("ok"), Lines(6, R"({"type":"sleep","ms":1})"));
  testing::WriteFile(dir.File("bad"),
                     Lines(6, R"({"type":"sleep","ms":1})") + "{\"type\":\"x\"}\n");
  return {{{"-j", "1", dir.File("ok")}, 0},
          {{"-j", "1", dir.File("bad")}, 1},
          {{"-j", "1", dir.File("missing")}, 2},
          {{"-j", "1", "-o", "/dev/full", dir.File("ok")}, 3}};
}

TEST(MpiExit, MpirunExitsWithRankZerosStatus) {
  TempDir dir;
  for (const Outcome& outcome : Outcomes(dir)) {
    auto run = RunMpi(3, {}, outcome.farm_args);
    EXPECT_EQ(run.exit_code, outcome.status) << run.err;
    EXPECT_EQ(SaysExitStatus(run, outcome.status), outcome.status != 0) << run.err;
  }
}

// Open MPI 4's mpirun --enable-recovery exits 0 whatever its ranks return
// (it records no exit status of a recoverable job): farm's own is on stderr.
TEST(MpiExit, UnderEnableRecoveryFarmSaysItsExitStatusOnStderr) {
  TempDir dir;
  for (const Outcome& outcome : Outcomes(dir)) {
    auto run = RunMpi(3, {"--enable-recovery"}, outcome.farm_args);
    if (outcome.status == 0) {
      EXPECT_EQ(run.exit_code, 0) << run.err;
      EXPECT_EQ(run.err.find("farm: exit status"), std::string::npos) << run.err;
    } else {
      EXPECT_TRUE(SaysExitStatus(run, outcome.status)) << run.err;
    }
  }
}

// Every fork fails: each agent gives a slot up after a few tries, and the
// run ends as process mode's does when no worker can be restarted.
TEST(MpiStartFailures, NoWorkerThatCanBeForkedEndsTheRunWithAClearMessage) {
  auto run = RunWithForkLimit(0, 50, R"({"type":"sleep","ms":1})");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("no worker could be restarted: MPI rank "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Resource temporarily unavailable"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

// With no task to run (its input still open), nothing else would end the
// restarts of workers that cannot be forked.
TEST(MpiStartFailures, NoWorkerThatCanBeForkedEndsAnIdleRunToo) {
  TempDir dir;
  std::string fifo = dir.File("input");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Fd input(open(fifo.c_str(), O_RDWR | O_CLOEXEC));  // held open: no end of input
  ASSERT_TRUE(input.valid());
  auto run =
      FinishWithin(testing::StartProgram(MpiCommand(3, ForkLimit(0), {"-j", "2"}), fifo), 60);
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("no worker could be restarted"), std::string::npos) << run.err;
}

// One worker of two per agent can be forked: the others run every task,
// none of which is failed for the workers that never started.
TEST(MpiStartFailures, WorkersThatCannotBeForkedLeaveTheTasksToTheOthers) {
  auto run = RunWithForkLimit(1, 300, R"({"type":"sleep","ms":2})");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 300u);
  for (auto& [id, result] : results) EXPECT_TRUE(result["ok"].get<bool>()) << result;
  EXPECT_TRUE(std::regex_search(run.err, std::regex("tasks per worker: [0-9]+ 0 [0-9]+ 0\n")))
      << run.err;
}

}  // namespace
}  // namespace farm
