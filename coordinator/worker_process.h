// One forked worker process: owns its pid and its two pipe ends, and reaps
// the child when destroyed ("reap child if forgotten"), so no worker outlives
// its owner as a zombie.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/fd.h"
#include "common/running_task.h"
#include "common/status.h"

namespace farm {

class WorkerProcess {
 public:
  // Forks a worker that serves messages until its input closes; its first
  // message must be its settings. `body_dir` is where it saves fetched
  // bodies: what a dead worker leaves there is removed when it is reaped.
  // Call only while the coordinator has one thread.
  static Status Spawn(const std::string& body_dir, std::unique_ptr<WorkerProcess>* worker);

  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  // Kills the child if it still runs, and reaps it.
  ~WorkerProcess();

  int to_worker() const { return to_worker_.get(); }
  int from_worker() const { return from_worker_.get(); }

  // What the worker is running now, as it notes it in shared memory.
  const RunningTask& running() const { return *running_; }

  // End of input: the worker exits once its tasks are done.
  void CloseInput() { to_worker_.reset(); }
  bool input_closed() const { return !to_worker_.valid(); }

  // Closes the worker's input so it exits after its tasks; escalates to
  // SIGTERM, then SIGKILL, if it does not exit within the grace period.
  // Returns how it ended.
  std::string Stop(int grace_ms);

  // SIGKILL and reap; returns how it ended, e.g. "killed by signal 9 (Killed)".
  std::string Kill();

  // The status waitpid() gave, once Stop() or Kill() reaped it.
  int wait_status() const { return wait_status_; }

 private:
  WorkerProcess(pid_t pid, Fd to_worker, Fd from_worker, SharedRunningTask running,
                std::string out_dir)
      : pid_(pid), to_worker_(std::move(to_worker)), from_worker_(std::move(from_worker)),
        running_(std::move(running)), out_dir_(std::move(out_dir)) {}
  // Reaps if exited within timeout_ms (negative: wait forever).
  bool Reap(int timeout_ms);

  pid_t pid_;
  Fd to_worker_;
  Fd from_worker_;
  SharedRunningTask running_;
  std::string out_dir_;  // where its fetches save bodies
  int wait_status_ = 0;
};

// "exited with status 3", "killed by signal 9 (Killed)".
std::string DescribeWaitStatus(int wait_status);

}  // namespace farm
