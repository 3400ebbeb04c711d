// --db for a run: the writer behind the result sink and, with --resume, the
// lookup of done ids. What run.cc needs of the database, in one place.
#pragma once

#include "common/exit_status.h"
#include "common/status.h"
#include "coordinator/db_writer.h"
#include "coordinator/options.h"
#include "coordinator/result_db.h"
#include "coordinator/result_sink.h"
#include "coordinator/summary.h"
#include "coordinator/task_source.h"

namespace farm {

class RunDb {
 public:
  RunDb() = default;
  ~RunDb();  // the sink outlives it: it stops copying there
  RunDb(const RunDb&) = delete;
  RunDb& operator=(const RunDb&) = delete;

  // Nothing without --db. Else opens the database (checked by CheckDb) once
  // the run has started, tees `sink` into it, and with --resume makes
  // `source` skip the ids the newest run has done.
  Status Start(const RunOptions& options, int workers, ResultSink* sink, TaskSource* source);

  // Waits until every result so far is committed.
  void Drain();

  // Commits the rest and records the summary. A failure of the database is
  // said, and is exit 3 unless the run already ends on a worse status.
  ExitStatus Finish(const RunSummary& summary, ExitStatus exit_status);

 private:
  DbWriter writer_;
  DbDoneIds done_;
  ResultSink* sink_ = nullptr;
  std::string command_;  // run, exec or crawl: what its messages start with
  bool resume_ = false;
};

}  // namespace farm
