// `farm run`: parse the options, open input and output, run the batch in the
// chosen mode, print the summary; returns the exit status.
#pragma once

#include <functional>
#include <span>

#include "common/exit_status.h"
#include "common/fd.h"
#include "common/status.h"
#include "coordinator/options.h"
#include "coordinator/result_sink.h"
#include "coordinator/run_db.h"
#include "coordinator/summary.h"
#include "coordinator/task_feed.h"

namespace farm {

// Parses `farm run` arguments (after "run"). Prints the error and returns
// false on a usage error.
bool ParseRunOptions(std::span<char* const> args, RunOptions* options);

// Runs a batch of input lines; fills *summary. Returns the exit status.
ExitStatus RunBatch(const RunOptions& options, RunSummary* summary);

// Before anything runs: every file the run writes (and `input`, if not
// null, which it reads) is usable, and none is another. A usage error if not.
Status CheckRunFiles(const RunOptions& options, const Fd* input);
// What N worker processes need of this process's limits.
Status CheckWorkerLimits(const RunOptions& options);

// The tasks of a run, handed over once its workers run: where they come
// from, and the output their result lines go through to the sink. `farm
// run` reads them from a file (run.cc); `farm crawl` makes them as it goes.
class RunTasks {
 public:
  virtual ~RunTasks() = default;
  // Ready to feed; `sink` is not open yet (the scheduler opens it).
  virtual Status Start(int workers, ResultSink& sink, RunDb& db) = 0;
  virtual TaskFeed& feed() = 0;
  virtual ResultOutput& output() = 0;
  virtual Status read_status() const { return Status::Ok(); }
  virtual uint64_t skipped() const { return 0; }
};

// Starts the workers and runs `tasks`, whose files were checked already.
ExitStatus RunStarted(const RunOptions& options, RunTasks& tasks, RunSummary* summary);

ExitStatus RunCommand(std::span<char* const> args);
// The run and its summary, for options parsed already (farm exec's).
ExitStatus RunWithOptions(const RunOptions& options);
// The same for any batch: `batch` runs it (on rank 0 under --mode mpi).
using Batch = std::function<ExitStatus(RunSummary* summary)>;
ExitStatus RunWithOptions(const RunOptions& options, const Batch& batch);

}  // namespace farm
