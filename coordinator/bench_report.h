// `farm bench` results: every run as measured, the table that sums them up,
// and their CSV and JSON forms.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/child_run.h"

namespace farm {

struct BenchRun {
  std::string mode;
  int workers = 0;
  int repeat = 0;  // 1-based
  int tasks = 0;
  ChildUsage usage;
};

// One (mode, workers) configuration over its repeats.
struct BenchRow {
  std::string mode;
  int workers = 0;
  int runs = 0;
  int failed_runs = 0;  // runs that did not exit 0
  double median_wall_s = 0, min_wall_s = 0, max_wall_s = 0;
  double speedup = 0;     // median sequential wall / median wall; 0 without sequential
  double efficiency = 0;  // speedup / workers
  double tasks_per_s = 0;
  double median_cpu_s = 0;
  long peak_rss_kb = 0;  // the largest over its runs
};

// Rows in the order their configurations first appear in `runs`.
std::vector<BenchRow> SummarizeRuns(const std::vector<BenchRun>& runs);

// The human table, for stdout.
std::string FormatBenchTable(const std::string& title, const std::vector<BenchRow>& rows);

// Every run, one CSV row each, with a header; `task` describes the batch.
Status WriteBenchCsv(const std::string& path, const std::string& task,
                     const std::vector<BenchRun>& runs);
Status WriteBenchJson(const std::string& path, const std::string& task,
                      const std::vector<BenchRun>& runs, const std::vector<BenchRow>& rows);

}  // namespace farm
