// `farm bench` results: every run as measured, the table that sums them up,
// its warnings, and their CSV, JSON and Markdown forms.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "bench/child_run.h"
#include "coordinator/options.h"

namespace farm {

struct BenchRun {
  Mode mode = Mode::kProcess;
  int workers = 0;
  int repeat = 0;  // 1-based
  int tasks = 0;
  ChildUsage usage;
};

// One (mode, workers) configuration over its repeats.
struct BenchRow {
  Mode mode = Mode::kProcess;
  int workers = 0;
  int runs = 0;
  int failed_runs = 0;  // runs that did not exit 0
  double median_wall_s = 0, min_wall_s = 0, max_wall_s = 0;
  double mean_wall_s = 0, stddev_wall_s = 0;  // sample standard deviation; 0 for one run
  int outliers = 0;       // runs far from the median: CountOutliers()
  double speedup = 0;     // median sequential wall / median wall; 0 without sequential
  double efficiency = 0;  // speedup / workers
  double tasks_per_s = 0;
  double median_cpu_s = 0;
  long peak_rss_kb = 0;  // the largest over its runs
};

// Rows in the order their configurations first appear in `runs`.
std::vector<BenchRow> SummarizeRuns(const std::vector<BenchRun>& runs);

// Runs of `values` whose modified z-score, 0.6745 (x - median) / MAD, is
// over 3.5 in size (Iglewicz and Hoaglin), robust against the outlier
// itself, and that are more than 5% off the median. None under 3 runs.
int CountOutliers(const std::vector<double>& values);

// The human table, for stdout.
std::string FormatBenchTable(const std::string& title, const std::vector<BenchRow>& rows);

// What makes the table less trustworthy: configurations whose runs vary a
// lot (σ over 10% of the mean) or that had an outlier. Empty when none.
std::vector<std::string> BenchWarnings(const std::vector<BenchRow>& rows);

// Every run, one CSV row each, with a header; `task` describes the batch.
Status WriteBenchCsv(const std::string& path, const std::string& task,
                     const std::vector<BenchRun>& runs);
Status WriteBenchJson(const std::string& path, const std::string& task, int warmup,
                      const std::vector<BenchRun>& runs, const std::vector<BenchRow>& rows);
// The table as Markdown, to paste into an issue or a README.
Status WriteBenchMarkdown(const std::string& path, const std::string& title,
                          const std::vector<BenchRow>& rows);

}  // namespace farm
