// `farm run`: parse the options, open input and output, run the batch in the
// chosen mode, print the summary; returns the exit status.
#pragma once

#include <span>

#include "common/exit_status.h"
#include "coordinator/options.h"
#include "coordinator/summary.h"

namespace farm {

// Parses `farm run` arguments (after "run"). Prints the error and returns
// false on a usage error.
bool ParseRunOptions(std::span<char* const> args, RunOptions* options);

// Runs a batch; fills *summary. Returns the exit status.
ExitStatus RunBatch(const RunOptions& options, RunSummary* summary);

ExitStatus RunCommand(std::span<char* const> args);
// The run and its summary, for options parsed already (farm exec's).
ExitStatus RunWithOptions(const RunOptions& options);

}  // namespace farm
