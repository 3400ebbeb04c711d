// Faults under mpirun: workers killed on an agent rank, a whole agent rank
// killed, Ctrl-C to mpirun. Whatever happens, no task is lost or doubled,
// and --resume completes what an aborted run left.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>
#include <string>

#include "tests/mpi/run_mpi.h"

namespace farm {
namespace {

using testing::ById;
using testing::Lines;
using testing::MpiCommand;
using testing::TempDir;
using testing::WaitFor;

size_t CountLines(const std::string& path) {
  std::string text = testing::ReadFile(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Resumes `tasks` into `out` and checks that every task is there once, ok.
void ResumeCompletes(const std::string& tasks, const std::string& out, int total) {
  auto resumed = testing::RunMpi(3, {}, {"-j", "2", "--resume", "-o", out, tasks});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto results = ById(testing::ReadFile(out));  // throws if an id is there twice
  ASSERT_EQ(results.size(), static_cast<size_t>(total));
  for (auto& [id, result] : results) EXPECT_TRUE(result["ok"].get<bool>()) << result;
}

TEST(MpiFaults, WorkersKilledOnAgentRanksLoseNoTask) {
  TempDir dir;
  testing::WriteFile(dir.File("tasks"), Lines(1500, R"({"type":"sleep","ms":2})"));
  auto child = testing::StartProgram(
      MpiCommand(3, {}, {"-j", "2", "--retries", "20", dir.File("tasks")}));
  std::mt19937 random(7);
  int kills = 0;
  for (int i = 0; i < 6; ++i) {
    std::vector<pid_t> workers;
    if (!WaitFor([&] { return !(workers = testing::DescendantsNamed(child.pid, "farm-worker")).empty(); }, 5))
      break;
    kill(workers[random() % workers.size()], SIGKILL);
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  auto run = testing::FinishFarm(child);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto results = ById(run.out);
  ASSERT_EQ(results.size(), 1500u);
  for (auto& [id, result] : results) EXPECT_TRUE(result["ok"].get<bool>()) << result;
  EXPECT_GE(kills, 3);
  EXPECT_NE(run.err.find(" restarts"), std::string::npos);
  EXPECT_EQ(run.err.find(" 0 restarts"), std::string::npos) << run.err;
}

// Starts a batch, kills agent rank 2 with SIGKILL once some results are in,
// and returns the run.
testing::FarmRun KillRankMidRun(const std::vector<std::string>& mpirun_args,
                                const std::string& tasks, const std::string& out) {
  auto child = testing::StartProgram(MpiCommand(3, mpirun_args, {"-j", "2", "-o", out, tasks}));
  EXPECT_TRUE(WaitFor([&] { return CountLines(out) >= 40; }));
  pid_t rank = testing::RankPid(child.pid, 2);
  EXPECT_GT(rank, 0);
  if (rank > 0) kill(rank, SIGKILL);
  return testing::FinishFarm(child);
}

// With mpirun --enable-recovery the job outlives a dead rank: farm notices
// the silence, writes what it has and names the rank. (Open MPI 4.1's
// mpirun then exits 0 whatever rank 0 returns; farm says its own 3.)
TEST(MpiFaults, LostRankEndsTheRunNamingItAndResumeCompletesTheBatch) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, Lines(600, R"({"type":"sleep","ms":20})"));
  auto run = KillRankMidRun({"--enable-recovery"}, tasks, out);
  EXPECT_NE(run.err.find("lost MPI rank 2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--resume"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("farm: exit status 3 "), std::string::npos) << run.err;
  size_t kept = ById(testing::ReadFile(out)).size();
  EXPECT_GE(kept, 40u);
  EXPECT_LT(kept, 600u);
  ResumeCompletes(tasks, out, 600);
}

// Without it, mpirun aborts the job itself (SIGTERM to every rank, SIGKILL
// a second later) and names the rank; the results already in are kept.
TEST(MpiFaults, LostRankUnderPlainMpirunKeepsResultsAndResumeCompletesTheBatch) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, Lines(600, R"({"type":"sleep","ms":20})"));
  auto run = KillRankMidRun({}, tasks, out);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("rank 2"), std::string::npos) << run.err;
  EXPECT_GE(CountLines(out), 40u);
  ResumeCompletes(tasks, out, 600);
}

// mpirun turns Ctrl-C into SIGTERM for every rank: rank 0 stops handing
// out tasks and writes what comes back; what is left, --resume runs.
TEST(MpiFaults, CtrlCToMpirunKeepsResultsAndResumeCompletesTheBatch) {
  TempDir dir;
  std::string tasks = dir.File("tasks"), out = dir.File("out");
  testing::WriteFile(tasks, Lines(400, R"({"type":"sleep","ms":20})"));
  auto child = testing::StartProgram(MpiCommand(3, {}, {"-j", "2", "-o", out, tasks}));
  ASSERT_TRUE(WaitFor([&] { return CountLines(out) >= 20; }));
  kill(child.pid, SIGINT);
  auto run = testing::FinishFarm(child);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("farm: stopping"), std::string::npos) << run.err;
  size_t kept = ById(testing::ReadFile(out)).size();
  EXPECT_GE(kept, 20u);
  EXPECT_LT(kept, 400u);
  ResumeCompletes(tasks, out, 400);
}

}  // namespace
}  // namespace farm
