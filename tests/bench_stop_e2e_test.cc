// End-to-end: `farm bench` interrupted, or given an export path it could not
// write, leaves no child running, no scratch directory and no touched file.
#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FarmRun;
using testing::ProcessState;
using testing::ReadFile;
using testing::RunFarm;
using testing::StartFarm;
using testing::TempDir;
using testing::WaitFor;

// Points TMPDIR, where bench makes its scratch directory, at a fresh
// directory for the test's lifetime.
class ScopedTmpDir {
 public:
  ScopedTmpDir() {
    const char* old = getenv("TMPDIR");
    if (old != nullptr) old_ = old, had_old_ = true;
    setenv("TMPDIR", dir_.path().c_str(), 1);
  }
  ~ScopedTmpDir() { had_old_ ? setenv("TMPDIR", old_.c_str(), 1) : unsetenv("TMPDIR"); }
  const TempDir& dir() const { return dir_; }
  // What bench left in it.
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
      names.push_back(entry.path().filename().string());
    return names;
  }

 private:
  TempDir dir_;
  std::string old_;
  bool had_old_ = false;
};

// Live (not zombie) children of `parent`, whatever their name.
std::vector<pid_t> ChildPids(pid_t parent) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadFile("/proc/" + name + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent &&
        state != 'Z')
      pids.push_back(std::stoi(name));
  }
  return pids;
}

// Waits (bounded) for `pid` to exit, then collects its output.
FarmRun Finish(testing::FarmChild child) {
  bool ended = WaitFor([&] { char s = ProcessState(child.pid); return s == 'Z' || s == 0; }, 30);
  if (!ended) kill(child.pid, SIGKILL);
  EXPECT_TRUE(ended) << "farm bench did not end";
  return testing::FinishFarm(child);
}

TEST(BenchStopE2E, SigtermStopsTheChildRemovesScratchAndReportsRunsSoFar) {
  TempDir out;  // before TMPDIR moves: only bench's scratch goes there
  ScopedTmpDir tmp;
  auto bench = StartFarm({"bench", "--task", "sleep", "--ms", "50", "--tasks", "2", "--workers",
                          "1", "--modes", "sequential,process", "--repeat", "1000", "--csv",
                          out.File("bench.csv")});
  // Three different child runs seen: at least two have finished.
  std::set<pid_t> seen;
  pid_t last = -1;
  ASSERT_TRUE(WaitFor([&] {
    for (pid_t pid : ChildPids(bench.pid)) seen.insert(pid), last = pid;
    return seen.size() >= 3;
  })) << "no child runs seen";
  ASSERT_FALSE(tmp.Entries().empty()) << "no scratch directory while running";
  kill(bench.pid, SIGTERM);
  FarmRun run = Finish(bench);

  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_EQ(ProcessState(last), 0) << "child farm run " << last << " left running";
  EXPECT_TRUE(tmp.Entries().empty()) << tmp.Entries()[0];
  EXPECT_NE(run.err.find("farm bench: interrupted after "), std::string::npos) << run.err;
  // The table holds what was measured: both configurations ran at least once.
  EXPECT_NE(run.out.find("sequential"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("process"), std::string::npos) << run.out;
  // So does the CSV: its header and a row for each run done.
  std::string csv = ReadFile(out.File("bench.csv"));
  EXPECT_GE(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;
}

TEST(BenchStopE2E, SigintStopsALongChildRunAtOnce) {
  ScopedTmpDir tmp;
  // One task of ten minutes: bench must stop it, not wait for it.
  auto bench = StartFarm({"bench", "--task", "sleep", "--ms", "600000", "--tasks", "1",
                          "--workers", "1", "--modes", "process", "--repeat", "1"});
  pid_t child = -1;
  ASSERT_TRUE(WaitFor([&] {
    auto pids = ChildPids(bench.pid);
    if (!pids.empty()) child = pids[0];
    return child > 0 && !testing::WorkerPids(child).empty();
  })) << "the child run never started its worker";
  pid_t worker = testing::WorkerPids(child)[0];
  kill(bench.pid, SIGINT);
  FarmRun run = Finish(bench);

  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_EQ(ProcessState(child), 0);
  EXPECT_TRUE(WaitFor([&] { return ProcessState(worker) == 0; }, 10)) << "worker left running";
  EXPECT_TRUE(tmp.Entries().empty());
  EXPECT_NE(run.err.find("interrupted after 0 of 1 runs"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(BenchStopE2E, KilledBenchTakesItsChildWithIt) {
  ScopedTmpDir tmp;
  auto bench = StartFarm({"bench", "--task", "sleep", "--ms", "600000", "--tasks", "1",
                          "--workers", "1", "--modes", "sequential", "--repeat", "1"});
  pid_t child = -1;
  ASSERT_TRUE(WaitFor([&] {
    auto pids = ChildPids(bench.pid);
    if (!pids.empty()) child = pids[0];
    return child > 0;
  }));
  kill(bench.pid, SIGKILL);
  Finish(bench);
  EXPECT_TRUE(WaitFor([&] { return ProcessState(child) == 0; }, 10)) << "child run orphaned";
}

TEST(BenchStopE2E, UnwritableExportIsRefusedBeforeTheFirstRun) {
  TempDir dir;
  const std::string kept = dir.File("kept.csv");
  testing::WriteFile(kept, "earlier results\n");
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const Case cases[] = {
      {{"--csv", dir.File("missing/bench.csv")}, "--csv: cannot create"},
      {{"--json", dir.path()}, "is a directory"},
      {{"--csv", ""}, "--csv: empty path"},
      {{"--csv", kept, "--json", kept}, "name the same file"},
      {{"--csv", kept, "--json", dir.File("missing/bench.json")}, "--json: cannot create"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"bench", "--task", "sleep", "--ms", "1", "--tasks", "1",
                                     "--repeat", "1"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    auto run = RunFarm(args);
    EXPECT_EQ(run.exit_code, 2) << c.message << "\n" << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("run 1/"), std::string::npos) << "a run started: " << run.err;
  }
  EXPECT_EQ(ReadFile(kept), "earlier results\n");
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing")));
}

}  // namespace
}  // namespace farm
