// What a run did, for the summary on stderr and --summary-json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/options.h"

namespace farm {

struct RunSummary {
  Mode mode = Mode::kProcess;
  int workers = 0;
  uint64_t seed = 0;
  uint64_t tasks = 0;    // result lines written in this run
  uint64_t ok = 0;
  uint64_t failed = 0;
  uint64_t unwritten = 0;  // results received but lost with the output
  uint64_t skipped = 0;  // already done, on --resume
  uint64_t retried = 0;  // task runs repeated after a worker died or hung
  uint64_t worker_restarts = 0;
  std::vector<uint64_t> tasks_per_worker;
  double wall_s = 0;
  double coordinator_peak_rss_mb = 0;  // the coordinator's own, workers apart
  bool interrupted = false;
  std::string halted;     // why --halt stopped the run; empty if it did not
  uint64_t not_run = 0;   // tasks read but stopped or never started (--halt, Ctrl-C)
  // The reader of standard output went away (`| head -1`): end silently,
  // as other tools do.
  bool reader_gone = false;
};

// The short human summary, for stderr.
std::string FormatSummary(const RunSummary& summary);

// The summary as one JSON object, as --summary-json writes it.
std::string SummaryJson(const RunSummary& summary);

Status WriteSummaryJson(const RunSummary& summary, const std::string& path);

}  // namespace farm
