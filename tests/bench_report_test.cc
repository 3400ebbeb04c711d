// The statistics behind bench's table and its warnings.
#include "bench/bench_report.h"

#include <gtest/gtest.h>

namespace farm {
namespace {

BenchRun MakeRun(Mode mode, int workers, double wall_s) {
  BenchRun run{mode, workers, 1, 10, {}};
  run.usage.exit_code = 0;
  run.usage.wall_s = wall_s;
  return run;
}

TEST(BenchStats, OneSlowRunAmongSteadyOnesIsAnOutlier) {
  EXPECT_EQ(CountOutliers({1.00, 1.01, 0.99, 1.00, 1.02, 2.50}), 1);
}

TEST(BenchStats, NoiseOfMicrosecondsIsNoOutlier) {
  // The MAD is tiny, so the modified z-score is large, but 1% is noise.
  EXPECT_EQ(CountOutliers({1.000000, 1.000001, 1.000000, 1.010000}), 0);
}

TEST(BenchStats, OneFarRunAmongEqualOnesIsAnOutlier) {
  EXPECT_EQ(CountOutliers({2.0, 2.0, 2.0, 2.0, 5.0}), 1);
}

TEST(BenchStats, FewerThanThreeRunsHaveNoOutliers) { EXPECT_EQ(CountOutliers({1.0, 9.0}), 0); }

TEST(BenchStats, MeanAndSampleStandardDeviation) {
  auto rows = SummarizeRuns({MakeRun(Mode::kThread, 2, 1.0), MakeRun(Mode::kThread, 2, 2.0),
                             MakeRun(Mode::kThread, 2, 3.0)});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].mean_wall_s, 2.0);
  EXPECT_DOUBLE_EQ(rows[0].stddev_wall_s, 1.0);
  EXPECT_DOUBLE_EQ(rows[0].median_wall_s, 2.0);
}

TEST(BenchWarnings, VaryingRunsAndOutliersAreNamedSteadyOnesAreNot) {
  std::vector<BenchRun> runs;
  for (double wall : {1.00, 1.01, 0.99, 1.00, 1.02}) runs.push_back(MakeRun(Mode::kSequential, 1, wall));
  EXPECT_TRUE(BenchWarnings(SummarizeRuns(runs)).empty());

  for (double wall : {1.0, 1.02, 0.98, 1.01, 3.0}) runs.push_back(MakeRun(Mode::kProcess, 2, wall));
  auto warnings = BenchWarnings(SummarizeRuns(runs));
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0].rfind("process -j 2: runs vary a lot (\u03c3 is ", 0), 0u) << warnings[0];
  EXPECT_EQ(warnings[1], "process -j 2: 1 outlier run, far from the median");
  EXPECT_NE(warnings[2].find("--warmup"), std::string::npos);
}

}  // namespace
}  // namespace farm
