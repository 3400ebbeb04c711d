// Process mode: N forked workers over pipes, one thread, one ppoll loop.
#pragma once

#include "coordinator/options.h"
#include "coordinator/result_sink.h"
#include "coordinator/summary.h"
#include "coordinator/task_source.h"

namespace farm {

// Runs every task from `source` on forked workers and hands each result line
// to `sink`. Fills in the summary's counts. Returns false with *error set if
// the run could not go on (no worker could be started, output unwritable).
bool RunProcesses(const RunOptions& options, TaskSource& source, ResultSink& sink,
                  RunSummary* summary, std::string* error);

}  // namespace farm
