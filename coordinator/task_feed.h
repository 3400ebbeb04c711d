// The scheduler's input and output as it sees them: a feed of tasks and an
// output of result lines. `farm run` feeds it lines of a file and writes
// results to a file (FileFeed, FileOutput, below); the library's Executor
// (library/executor.cc) feeds it submitted tasks and resolves futures.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "coordinator/result_sink.h"
#include "coordinator/task_source.h"

namespace farm {

class ResultOutput {
 public:
  virtual ~ResultOutput() = default;
  // Called once the workers run; a failure ends the run before any task.
  virtual Status Open() = 0;
  // The result line of task `seq`; every seq gets one Add() or Skip().
  virtual void Add(uint64_t seq, std::string_view line, bool ok) = 0;
  virtual void Skip(uint64_t seq) = 0;
  // Lines held back for an earlier one (keep-order's bound).
  virtual size_t held() const = 0;
  // How far task `seq`, running, says it got (0 to 1). `farm run` shows
  // none of it; the Executor's futures do.
  virtual void Progress(uint64_t /*seq*/, double /*fraction*/) {}
  // Once a turn of the scheduler's loop, before it waits.
  virtual Status Flush() = 0;
  // For progress and --halt.
  virtual uint64_t written() const = 0;
  virtual uint64_t failed() const = 0;
  virtual uint64_t received_ok() const = 0;
  virtual uint64_t received_failed() const = 0;
};

class TaskFeed {
 public:
  using Next = TaskSource::Next;
  virtual ~TaskFeed() = default;
  // As TaskSource::TakeRunnable: the next task a worker must run, with
  // lines that need none settled into `output` on the way.
  virtual Next TakeRunnable(ResultOutput& output, InputTask* task) = 0;
  // Polled for input when TakeRunnable() said kNeedInput, or always when
  // always_poll(); ReadMore() once it is readable.
  virtual int fd() const = 0;
  virtual void ReadMore() = 0;
  virtual bool always_poll() const { return false; }
  // For an ETA; -1 if unknown.
  virtual double fraction_read() const { return -1; }
};

// ResultSink as a ResultOutput.
class FileOutput final : public ResultOutput {
 public:
  explicit FileOutput(ResultSink& sink) : sink_(sink) {}
  Status Open() override { return sink_.Open(); }
  void Add(uint64_t seq, std::string_view line, bool ok) override { sink_.Add(seq, line, ok); }
  void Skip(uint64_t seq) override { sink_.Skip(seq); }
  size_t held() const override { return sink_.held(); }
  Status Flush() override { return sink_.Flush(); }
  uint64_t written() const override { return sink_.written(); }
  uint64_t failed() const override { return sink_.failed(); }
  uint64_t received_ok() const override { return sink_.received_ok(); }
  uint64_t received_failed() const override { return sink_.received_failed(); }

  ResultSink& sink() { return sink_; }

 private:
  ResultSink& sink_;
};

// TaskSource as a TaskFeed; its error lines go straight to the file.
class FileFeed final : public TaskFeed {
 public:
  FileFeed(TaskSource& source, ResultSink& sink) : source_(source), sink_(sink) {}
  Next TakeRunnable(ResultOutput& /*output*/, InputTask* task) override {
    return source_.TakeRunnable(sink_, task);
  }
  int fd() const override { return source_.fd(); }
  void ReadMore() override { source_.ReadMore(); }
  double fraction_read() const override { return source_.fraction_read(); }

 private:
  TaskSource& source_;
  ResultSink& sink_;
};

}  // namespace farm
