// Where result lines go: buffered writes of whole lines to the output, in
// completion order or, with keep_order, in input order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

// Takes a copy of every line written, as --db does.
class LineCopy {
 public:
  virtual ~LineCopy() = default;
  // False once the copy failed; status() says why.
  virtual bool Add(std::string_view line) = 0;
  // At every flush of the sink: hand on what is buffered.
  virtual void Flush() = 0;
  virtual Status status() const = 0;
};

// What an echo made of a result line.
struct Echoed {
  // False when it showed only part of the task's output (cut at the task's
  // max_output_bytes): the line then counts as failed.
  bool whole = true;
  // The errno of its write to standard output that failed (EPIPE: the
  // reader went away). The run then ends as when the output fails, but the
  // output still takes the lines of the tasks that ended.
  int write_errno = 0;
};
using Echo = std::function<Echoed(std::string_view line)>;

class ResultSink {
 public:
  // Lines go to the file at `path` (checked by CheckWritable), or to
  // standard output when it is empty; with `append` (--resume) after what
  // the file holds. Nothing is opened yet.
  ResultSink(std::string path, bool append, bool keep_order);
  ~ResultSink();

  // Also shows each line to `echo` as it is written (in input order with
  // keep_order): farm exec --output stdout prints the jobs' output by it.
  void set_echo(Echo echo) { echo_ = std::move(echo); }

  // Creates or truncates the output file. Call once the run has started:
  // every check passed and the workers run, so a run refused never touched
  // it. Flush() opens it if nobody did.
  Status Open();
  bool opened() const { return fd_.valid(); }
  // Every line written also goes to `copy`; its failure is the sink's.
  void CopyTo(LineCopy* copy) { copy_ = copy; }
  // The copy failed while lines were given to it: status() is its failure.
  bool copy_failed() const { return copy_failed_; }

  // Takes the result line (without '\n') of task `seq`. Every seq from 1 up
  // gets exactly one Add() or Skip().
  void Add(uint64_t seq, std::string_view line, bool ok);
  // Marks `seq` as having no line in this run (already done, on --resume).
  void Skip(uint64_t seq);

  // With keep_order, how many lines wait for an earlier one. The dispatcher
  // holds back when this grows, as GNU parallel -k does.
  size_t held() const { return held_.size(); }
  // The smallest seq not yet written (keep_order only).
  uint64_t next_seq() const { return next_seq_; }

  // Interrupted: emits the lines held for keep_order as they are, in input
  // order with gaps, so no result already received is lost.
  void ReleaseHeld();

  // Writes what is buffered, as whole lines. Once a write fails, every later
  // line is dropped and counted in unwritten(). A stop signal interrupts a
  // write blocked on a reader that does not read: after the first one the
  // rest stays buffered, so the caller sees the signal; after the second the
  // rest is given up, and its last line may be cut.
  Status Flush();
  // Flushes until everything is written or given up. Returns why not.
  Status Finish();

  // Why writing stopped, or the echo failed, if either did.
  enum class Failure {
    kNone,
    kReaderGone,  // EPIPE: the reader closed its end, as `head -1` does
    kWriteError,  // the output failed: ENOSPC, EIO, ...
    kAbandoned,   // a second stop signal while blocked on the reader
  };
  Failure failure() const { return failure_; }
  const Status& status() const { return status_; }

  // Lines written out, and of them how many are ok or failed.
  uint64_t ok() const { return ok_; }
  uint64_t failed() const { return failed_; }
  uint64_t written() const { return ok_ + failed_; }
  // Lines received that could not be written because writing stopped.
  uint64_t unwritten() const { return unwritten_; }
  // Results received so far, written yet or not (--halt counts these).
  uint64_t received_ok() const { return received_ok_; }
  uint64_t received_failed() const { return received_failed_; }

 private:
  void Emit(std::string_view line, bool ok);
  bool EchoLine(std::string_view line);  // false: count the line as failed
  Echo echo_;
  void Release();
  // Counts the lines of the first `bytes` of the buffer as written.
  void Commit(size_t bytes);
  void Fail(Failure failure, Status status);
  void Abandon();  // after a second stop signal, with the reader not reading
  std::string Name() const;  // for messages

  std::string path_;
  bool append_;
  bool keep_order_;
  Fd fd_;
  LineCopy* copy_ = nullptr;
  bool copy_failed_ = false;
  bool blocking_reader_ = false;  // not a regular file: a write can wait forever
  std::string buffer_;
  std::vector<char> buffered_ok_;  // per line in buffer_ (char, not bool: a plain push_back)
  std::map<uint64_t, std::pair<std::string, bool>> held_;  // keep_order: lines ahead of
                                                           // next_seq_; "" = skipped
  uint64_t next_seq_ = 1;
  uint64_t ok_ = 0;
  uint64_t failed_ = 0;
  uint64_t unwritten_ = 0;
  uint64_t received_ok_ = 0;
  uint64_t received_failed_ = 0;
  Failure failure_ = Failure::kNone;
  bool stopped_ = false;  // no more lines go out: the output or the copy failed
  Status status_;
};

}  // namespace farm
