// One worker's side of the conversation, whatever carries it: it takes the
// coordinator's messages (its settings first, then tasks) and produces the
// replies. The worker loop of processes and threads and sequential mode's
// inline worker all serve messages through it, so every mode sets workers up,
// seeds them and runs tasks the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/running_task.h"
#include "common/status.h"
#include "common/wire.h"

namespace farm {

struct WorkerContext;
class FetchTasks;

class TaskServer {
 public:
  struct Options {
    // Where the coordinator sees which task runs (memory it shares with this
    // worker); nullptr: nobody looks (a thread can't die alone).
    RunningTask* running = nullptr;
    // Where an exec task notes its command's process group, for whoever
    // ends this worker to kill it; `running` when null. A thread has one
    // without the rest: noting each task costs a clock read.
    RunningTask* commands = nullptr;
    // For a coordinator that can't see `running` (no shared memory): each
    // task is announced with {"started":S}, written out through `flush`
    // before it runs.
    bool announce_starts = false;
    // Writes *out to the coordinator and clears it; false if it is gone.
    // Also how a task's progress reports leave while it runs; without it,
    // they are not sent.
    std::function<bool(std::string* out)> flush = nullptr;
    // A worker process of its own may limit its memory and name itself;
    // a thread must not do that to the whole coordinator.
    bool own_process = false;
    // Fetches overlap (--concurrency transfers at once); off, each runs to
    // its end before the next task, as a sequential run wants.
    bool overlap_transfers = true;
  };

  explicit TaskServer(Options options);
  ~TaskServer();
  TaskServer(const TaskServer&) = delete;
  TaskServer& operator=(const TaskServer&) = delete;

  // Handles one message line: appends any reply to *out. An error means the
  // line is no message of the coordinator's; the worker should end.
  Status Handle(std::string_view line, std::string* out);

  // Transfers in flight (fetch tasks finish later than they start).
  bool fetching() const;
  // Moves transfers along until one ends or `extra_fd` (if not -1) is
  // readable, which sets *extra_ready; appends the replies of ended
  // transfers to *out.
  void WaitForTransfers(int extra_fd, bool* extra_ready, std::string* out);

  int index() const;

 private:
  Status Configure(std::string_view line);
  void CollectTransfers(std::string* out);

  Options options_;
  std::unique_ptr<WorkerContext> worker_;  // once the settings came
  std::unique_ptr<FetchTasks> fetches_;
  std::string scratch_;
  std::string* task_out_ = nullptr;  // Handle's `out` while a task runs
};

}  // namespace farm
