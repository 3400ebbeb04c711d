// The progress line: its format, and end to end on the real binary.
#include "coordinator/progress.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/run_farm.h"

namespace farm {
namespace {

TEST(ProgressLine, ExactTotalHasPercentBarRateAndEta) {
  EXPECT_EQ(FormatProgress(250, 0, 1000, /*exact=*/true, 10),
            "farm: 250/1000 (25%) [#####...............] 25/s, ETA 0:00:30");
}

TEST(ProgressLine, EstimatedTotalIsMarked) {
  EXPECT_EQ(FormatProgress(500, 3, 1000, /*exact=*/false, 2),
            "farm: 500/\xe2\x89\x88" "1000 (50%) [##########..........] 250/s, "
            "ETA \xe2\x89\x88" "0:00:02, 3 failed");
}

TEST(ProgressLine, UnknownTotalShowsCountAndRate) {
  EXPECT_EQ(FormatProgress(12, 1, 0, false, 4), "farm: 12 done, 3.0/s, 1 failed");
}

TEST(ProgressLine, EtaIsHoursMinutesSeconds) {
  EXPECT_EQ(FormatProgress(1, 0, 3602, true, 1),
            "farm: 1/3602 (0%) [....................] 1.0/s, ETA 1:00:01");
}

TEST(ProgressLine, DoneBeyondAnEstimateIsNeverOverHundredPercent) {
  EXPECT_NE(FormatProgress(120, 0, 100, false, 1).find("(100%) [####################]"),
            std::string::npos);
}

// Draws of the line in farm's stderr (split at '\r').
bool AnyDrawMatches(const std::string& err, const std::regex& pattern) {
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\r', start);
    if (end == std::string::npos) end = err.size();
    std::string draw = err.substr(start, end - start);
    if (draw.rfind("\033[K", 0) == 0) draw = draw.substr(3);
    if (std::regex_search(draw, pattern)) return true;
    start = end + 1;
  }
  return false;
}

std::string SleepTasks(int count, int ms) {
  std::string tasks;
  for (int i = 0; i < count; ++i) tasks += "{\"type\":\"sleep\",\"ms\":" + std::to_string(ms) + "}\n";
  return tasks;
}

TEST(ProgressE2E, RegularFileInputShowsTheExactTotalInEveryMode) {
  for (const char* mode : {"process", "thread", "sequential"}) {
    // About a second of work: several redraws, 200 ms apart.
    auto run = testing::RunFarm({"run", "--mode", mode, "-j", "2", "--progress", "-o",
                                 "/dev/null"},
                                SleepTasks(24, 80));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::regex exact(R"(^farm: \d+/24 \(\d+%\) \[[#.]{20}\] [\d.]+/s(, ETA \d+:\d\d:\d\d)?$)");
    EXPECT_TRUE(AnyDrawMatches(run.err, exact)) << mode << ": " << run.err;
  }
}

TEST(ProgressE2E, PipedInputShowsCountAndRate) {
  auto run = testing::RunFarmPiped({"run", "-j", "2", "--progress", "-o", "/dev/null"},
                                   SleepTasks(24, 80));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(AnyDrawMatches(run.err, std::regex(R"(^farm: \d+ done, [\d.]+/s$|/\xe2\x89\x88)")))
      << run.err;
}

}  // namespace
}  // namespace farm
