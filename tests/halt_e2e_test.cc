// --halt on the real binary, in each of GNU parallel's forms: the run stops
// early, says why, exits 1, and --resume later runs what was not run.
#include <gtest/gtest.h>

#include <set>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::RunFarm;

// 40 tasks; every fourth fails (an unknown type), the rest sleep a little.
std::string Batch() {
  std::string text;
  for (int i = 1; i <= 40; ++i)
    text += i % 4 == 0 ? "{\"type\":\"nope\"}\n" : "{\"type\":\"sleep\",\"ms\":20}\n";
  return text;
}

TEST(HaltE2E, EachFormStopsEarlyAndSaysWhy) {
  for (const char* halt : {"now,fail=1", "soon,fail=2", "soon,fail=20%", "now,success=3"}) {
    testing::FarmRun run = RunFarm({"run", "-j", "2", "--halt", halt}, Batch());
    EXPECT_EQ(run.exit_code, 1) << halt << "\n" << run.err;
    EXPECT_LT(run.lines().size(), 40u) << halt;
    EXPECT_NE(run.err.find(std::string("halted by --halt ") + halt), std::string::npos)
        << halt << "\n" << run.err;
  }
}

// A line that fails before any worker sees it counts as GNU parallel counts
// a failed job: now stops the task running (not its second), soon starts no
// other.
TEST(HaltE2E, ALineThatFailsOnTheWayInHaltsToo) {
  const std::string batch = "{\"type\":\"sleep\",\"ms\":1000}\nnot json\n"
                            "{\"type\":\"sleep\",\"ms\":1000}\n";
  testing::FarmRun now = RunFarm({"run", "-j", "2", "--halt", "now,fail=1"}, batch);
  EXPECT_EQ(now.exit_code, 1) << now.err;
  ASSERT_EQ(now.results().size(), 1u) << now.out;
  EXPECT_EQ(now.results()[0]["id"], 2);
  testing::FarmRun soon = RunFarm({"run", "-j", "2", "--halt", "soon,fail=1"}, batch);
  EXPECT_EQ(soon.exit_code, 1) << soon.err;
  std::set<int> ids;
  for (const auto& result : soon.results()) ids.insert(result["id"].get<int>());
  EXPECT_EQ(ids, std::set<int>({1, 2})) << "the third is not started";
}

TEST(HaltE2E, ResumeRunsWhatAHaltLeftUndone) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("tasks"), Batch());
  testing::FarmRun first = RunFarm(
      {"run", "-j", "2", "--halt", "now,fail=1", dir.File("tasks"), "-o", dir.File("out")});
  ASSERT_EQ(first.exit_code, 1) << first.err;
  testing::FarmRun second =
      RunFarm({"run", "-j", "2", "--resume", dir.File("tasks"), "-o", dir.File("out")});
  testing::FarmRun all;
  all.out = testing::ReadFile(dir.File("out"));
  std::multiset<int> ok_ids;
  for (const auto& result : all.results())
    if (result["ok"] == true) ok_ids.insert(result["id"].get<int>());
  EXPECT_EQ(ok_ids.size(), 30u) << "every sleep task ok exactly once";
  EXPECT_EQ(std::set<int>(ok_ids.begin(), ok_ids.end()).size(), ok_ids.size());
}

}  // namespace
}  // namespace farm
