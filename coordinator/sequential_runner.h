// Sequential mode: the coordinator runs every task itself, one after
// another: the baseline the concurrent modes are measured against.
#pragma once

#include <string>

#include "coordinator/options.h"
#include "coordinator/result_sink.h"
#include "coordinator/summary.h"
#include "coordinator/task_source.h"

namespace farm {

// Like RunProcesses(), with one worker that is the calling thread.
bool RunSequential(const RunOptions& options, TaskSource& source, ResultSink& sink,
                   RunSummary* summary, std::string* error);

}  // namespace farm
