// What a worker process is running right now, in a page of memory it shares
// with the coordinator (mapped before fork). A worker may still hold the
// replies of finished tasks in its buffer while it runs the next one, so the
// order of replies alone cannot say which task hung or killed it; this can.
// The worker writes it with two plain stores per task, no system call.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/status.h"

namespace farm {

struct RunningTask {
  std::atomic<uint64_t> seq{0};        // the task's seq; 0 between tasks
  std::atomic<int64_t> started_ns{0};  // steady clock (CLOCK_MONOTONIC), system-wide
  // The process group of the command an exec task runs, 0 when none: set by
  // the command's child before it execs, cleared once the group is killed.
  // Whoever kills or reaps the worker kills this group too, so no part of a
  // command's process tree outlives its worker.
  std::atomic<int32_t> command_group{0};

  // Worker side.
  void Begin(uint64_t task_seq, int64_t now_ns) {
    started_ns.store(now_ns, std::memory_order_relaxed);
    seq.store(task_seq, std::memory_order_release);
  }
  void End() { seq.store(0, std::memory_order_release); }

  // Coordinator side, once the worker is dead or killed: SIGKILL to the
  // command group it left, if any.
  void KillCommandGroup();
};

struct UnmapRunningTask {
  void operator()(RunningTask* running) const;
};
using SharedRunningTask = std::unique_ptr<RunningTask, UnmapRunningTask>;

// A zeroed RunningTask in an anonymous shared mapping, inherited by fork.
Status MapSharedRunningTask(SharedRunningTask* running);

// The RunningTask in `fd`, a memfd of sizeof(RunningTask) bytes (zeroed when
// created) that another process maps too: how a worker forked by a launcher
// shares its page with the MPI node agent that runs it.
Status MapSharedRunningTask(int fd, SharedRunningTask* running);

}  // namespace farm
