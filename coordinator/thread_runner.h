// Thread mode: N worker threads in this process run the same executors as
// worker processes; the calling thread reads input and writes results.
#pragma once

#include <string>

#include "coordinator/options.h"
#include "coordinator/result_sink.h"
#include "coordinator/summary.h"
#include "coordinator/task_source.h"

namespace farm {

// Like RunProcesses(): runs every task from `source` and hands each result
// line to `sink`; fills in the summary's counts. Returns false with *error
// set if the run could not go on.
bool RunThreads(const RunOptions& options, TaskSource& source, ResultSink& sink,
                RunSummary* summary, std::string* error);

}  // namespace farm
