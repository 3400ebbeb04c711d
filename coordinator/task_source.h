// Reads the input lazily, a chunk at a time, and turns each line into a task
// to dispatch or a ready-made error line: memory follows what is in flight,
// not the size of the file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/fd.h"
#include "common/line_splitter.h"
#include "common/status.h"
#include "coordinator/result_sink.h"

namespace farm {

struct InputTask {
  uint64_t seq = 0;         // 1-based line number
  std::string_view json;    // the task line; valid until the next call
  std::string error_line;   // set instead when the line can't be a task
  bool done = false;        // --resume: already has an ok result; skip it
  bool no_task = false;     // --urls: a blank or # comment line; skip it
  bool fetch = false;       // likely a fetch task: it waits on the network, not a core
};

class DoneIds;
class ExecTemplate;

class TaskSource {
 public:
  // Takes over `fd`. With `urls`, each line is a plain URL, made a fetch task;
  // with `exec` (farm exec), each line is an argument, made an exec task.
  TaskSource(Fd fd, bool urls, const ExecTemplate* exec = nullptr);

  // --resume: marks tasks `done` says are done. This costs a parse of each
  // line, to learn its id; without it lines are only validated.
  void ResumeFrom(DoneIds* done) { resume_ = done; }

  enum class Next {
    kTask,
    kNeedInput,
    kEnd,
    kBusy,  // TakeRunnable() settled many lines: let the caller look at signals
  };

  // The next task, kNeedInput when the buffered input is used up (call
  // ReadMore(), after poll() says so for a pipe), or kEnd.
  Next Take(InputTask* task);

  // The next task a worker must run. Lines that need none are settled on
  // the way: an error line goes to `sink`, a task already done (--resume) is
  // skipped there, and a regular file is read as needed. kNeedInput only for
  // a pipe or terminal with nothing buffered: poll fd(), then ReadMore().
  Next TakeRunnable(ResultSink& sink, InputTask* task);

  // One read() of the input; the fd is readable or a regular file. A read
  // error ends the input, and read_status() keeps it for the run to report.
  void ReadMore();
  const Status& read_status() const { return read_status_; }

  int fd() const { return fd_.get(); }
  // Regular files never block: no need to poll them.
  bool needs_poll() const { return !regular_file_; }
  uint64_t lines() const { return seq_; }
  uint64_t skipped() const { return skipped_; }
  // Fraction of a regular file read so far, for an ETA; -1 if unknown.
  double fraction_read() const;

 private:
  // --resume: parses `line` for its id and marks the task; false if it is
  // not JSON.
  // Hands on the task made in url_task_ of the line just read.
  Next TakeMadeTask(bool exec, InputTask* task);
  bool ParseId(std::string_view line, InputTask* task);
  void MarkDone(const std::string& id_json, InputTask* task);

  Fd fd_;
  bool urls_;
  const ExecTemplate* exec_;
  bool regular_file_ = false;
  bool eof_ = false;
  Status read_status_;
  uint64_t size_ = 0;
  uint64_t bytes_read_ = 0;
  uint64_t seq_ = 0;
  uint64_t skipped_ = 0;
  DoneIds* resume_ = nullptr;
  LineSplitter splitter_;
  std::string chunk_;
  std::string url_task_;
};

}  // namespace farm
