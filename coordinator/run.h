// `farm run`: parse the options, open input and output, run the batch in the
// chosen mode, print the summary; returns the exit status.
#pragma once

#include <span>

#include "coordinator/options.h"
#include "coordinator/summary.h"

namespace farm {

inline constexpr int kExitOk = 0;
inline constexpr int kExitTasksFailed = 1;
inline constexpr int kExitUsage = 2;
// The run could not complete through no fault of a task (a lost MPI rank).
inline constexpr int kExitIncomplete = 3;
inline constexpr int kExitInterrupted = 130;

// Parses `farm run` arguments (after "run"). Prints the error and returns
// false on a usage error.
bool ParseRunOptions(std::span<char* const> args, RunOptions* options);

// Runs a batch; fills *summary. Returns the exit status.
int RunBatch(const RunOptions& options, RunSummary* summary);

int RunCommand(std::span<char* const> args);

}  // namespace farm
