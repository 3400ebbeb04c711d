// End-to-end: workers that could not start under the process's limits are
// refused before anything runs (exit 2, output untouched), with a message
// that says what would fit; and what it says does fit.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::ReadFile;
using testing::RunFarm;
using testing::RunFarmInShell;
using testing::TempDir;
using testing::WriteFile;

// `ulimit -n 32; farm run -j 64` used to truncate the output, fail to start
// the 13th worker and exit 1.
TEST(WorkerLimits, TooFewFileDescriptorsForTheWorkersIsRefused) {
  TempDir dir;
  WriteFile(dir.File("t.jsonl"), "{\"type\":\"fib\",\"n\":10}\n{\"type\":\"fib\",\"n\":20}\n");
  WriteFile(dir.File("r.out"), "old\n");
  const std::string script = "ulimit -n 32 && exec \"$0\" run -j \"$1\" \"$2\" -o \"$3\"";
  auto run = RunFarmInShell(script, {"64", dir.File("t.jsonl"), dir.File("r.out")});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(ReadFile(dir.File("r.out")), "old\n");
  std::smatch fit;
  ASSERT_TRUE(std::regex_search(
      run.err, fit, std::regex("limit \\(ulimit -n\\) is 32: use -j (\\d+) or fewer")))
      << run.err;

  // What it says fits does, every worker starting at the first try.
  run = RunFarmInShell(script, {fit[1].str(), dir.File("t.jsonl"), dir.File("r.out")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(" 0 restarts"), std::string::npos) << run.err;
  EXPECT_EQ(testing::FarmRun{.out = ReadFile(dir.File("r.out"))}.lines().size(), 2u);
}

// A low soft limit under a higher hard one is raised, as far as needed.
TEST(WorkerLimits, LowSoftFileLimitIsRaised) {
  auto run = RunFarmInShell(
      "ulimit -S -n 32 && ulimit -H -n 512 && "
      "printf '%s\\n' '{\"type\":\"fib\",\"n\":10}' | exec \"$0\" run -j 64");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("64 process workers, 0 restarts"), std::string::npos) << run.err;
}

// A worker is a copy of farm: under a limit below farm's own address space
// no task could ever run. The message names the smallest limit, which works.
TEST(WorkerLimits, MemoryLimitBelowWhatAWorkerNeedsIsRefusedNamingTheMinimum) {
#ifdef FARM_SANITIZED
  GTEST_SKIP() << "sanitizers reserve more address space than any limit";
#endif
  auto run = RunFarm({"run", "--memory-limit", "16"}, "{\"type\":\"fib\",\"n\":10}\n");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(run.out.empty());
  std::smatch minimum;
  ASSERT_TRUE(std::regex_search(run.err, minimum, std::regex("needs at least (\\d+) MB")))
      << run.err;

  run = RunFarm({"run", "-j", "2", "--memory-limit", minimum[1].str()},
                "{\"type\":\"fib\",\"n\":10}\n{\"type\":\"random\",\"count\":100}\n"
                "{\"type\":\"pi\",\"samples\":1000}\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.lines().size(), 3u);
}

}  // namespace
}  // namespace farm
