// --db: one writer thread in front of the database, fed by a bounded queue
// from the coordinator thread. The coordinator only copies whole result
// lines into a batch; the writer parses them into rows and commits by size
// and by time, so a slow trickle of results is durable within a second. No
// other thread touches the writer's connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "coordinator/result_db.h"
#include "coordinator/result_sink.h"

namespace farm {

// What the runs row records of a run from its start.
struct DbRunInfo {
  uint64_t seed = 0;
  std::string command_line;  // a JSON array of the arguments
  std::string mode;
  int workers = 0;
};

class DbWriter : public LineCopy {
 public:
  DbWriter() = default;
  ~DbWriter();
  DbWriter(const DbWriter&) = delete;
  DbWriter& operator=(const DbWriter&) = delete;

  // Opens `path` (checked by CheckDb) and adds a run, or with `resume`
  // continues the newest one; then starts the writer thread. Call once the
  // run has started, so a run refused never touched the file.
  Status Open(const std::string& path, const DbRunInfo& info, bool resume);
  bool opened() const { return thread_.joinable(); }

  // Coordinator thread. Add() copies a result line (without '\n') into the
  // batch being filled, which goes to the queue once big enough, waiting
  // while the queue is full. False once the writer failed: see status().
  bool Add(std::string_view line) override;
  // Hands over the batch being filled, however small: called at every turn
  // of the event loop.
  void Flush() override;

  // Hands over the batch being filled and waits until every row given so
  // far is committed: the run's time then includes its database.
  Status Drain();

  // Writes what is queued, commits, records `summary_json` and the end time
  // in the runs row, and stops the thread. What the writer failed with, if
  // it did; everything committed before a failure stays.
  Status Finish(const std::string& summary_json);
  Status status() const override;
  int64_t run() const { return run_; }

 private:
  struct Batch {
    std::string lines;  // each ending in '\n'
    double received_at = 0;
  };
  // What a row's bound text points into, besides its line.
  struct RowScratch {
    std::string id;
    std::string type;
    std::string code;
    std::string message;
  };
  void Push(Batch batch);
  void Loop();
  Status Write(const Batch& batch);
  Status Insert(sqlite3_stmt* stmt, const std::string_view* lines, int rows, double received_at);
  // Binds a row's columns after parameter `before` of `stmt`.
  Status BindRow(sqlite3_stmt* stmt, int before, std::string_view line, double received_at,
                 RowScratch* scratch);
  Status Begin();
  std::string What() const;  // the start of its error messages
  Status Commit();

  SqliteDb db_;
  SqliteStmt insert_one_;
  SqliteStmt insert_many_;
  std::string path_;
  int64_t run_ = 0;
  std::thread thread_;
  Batch filling_;  // coordinator thread only

  mutable std::mutex mu_;
  std::condition_variable work_;   // a batch, or closing
  std::condition_variable space_;  // room in the queue, or failed
  std::condition_variable drained_;  // all committed, or failed
  std::deque<Batch> queue_;
  size_t queued_bytes_ = 0;
  bool draining_ = false;
  bool closing_ = false;
  std::atomic<bool> failed_ = false;  // read by Add() without the lock
  Status status_;

  // Writer thread only.
  std::vector<RowScratch> scratch_;  // one for each row of a statement
  bool in_transaction_ = false;
  uint64_t rows_in_transaction_ = 0;
  std::chrono::steady_clock::time_point transaction_started_;
};

}  // namespace farm
