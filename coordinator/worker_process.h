// A worker process as its transport sees it: its two pipe ends and the page
// where it notes its running task. Who forked it differs: the coordinator
// itself (ForkedWorker, below), or a launcher on behalf of an MPI node agent
// (mpi/launched_worker.h), since a process that called MPI_Init must not fork.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/fd.h"
#include "common/running_task.h"
#include "common/status.h"

namespace farm {

class WorkerProcess {
 public:
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  // Kills the worker if it still runs, and reaps it (each subclass).
  virtual ~WorkerProcess() = default;

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
  virtual std::string Stop(int grace_ms) = 0;

  // SIGKILL and reap; returns how it ended, e.g. "killed by signal 9 (Killed)".
  virtual std::string Kill() = 0;

 protected:
  WorkerProcess(Fd to_worker, Fd from_worker, SharedRunningTask running)
      : to_worker_(std::move(to_worker)), from_worker_(std::move(from_worker)),
        running_(std::move(running)) {}

  Fd to_worker_;
  Fd from_worker_;
  SharedRunningTask running_;
};

// Starts a worker process; its first message must be its settings.
using SpawnWorker = std::function<Status(std::unique_ptr<WorkerProcess>*)>;

// A worker forked by this process: owns its pid, and reaps the child when
// destroyed ("reap child if forgotten"), so no worker outlives its owner as
// a zombie.
class ForkedWorker final : public WorkerProcess {
 public:
  // Forks a worker that serves messages until its input closes. `body_dir`
  // is where it saves fetched bodies: what a dead worker leaves there is
  // removed when it is reaped. Call only while the coordinator has one
  // thread.
  static Status Spawn(const std::string& body_dir, std::unique_ptr<WorkerProcess>* worker);

  ~ForkedWorker() override;
  std::string Stop(int grace_ms) override;
  std::string Kill() override;

 private:
  ForkedWorker(pid_t pid, Fd to_worker, Fd from_worker, SharedRunningTask running,
               std::string body_dir)
      : WorkerProcess(std::move(to_worker), std::move(from_worker), std::move(running)),
        pid_(pid), body_dir_(std::move(body_dir)) {}
  // Reaps if exited within timeout_ms (negative: wait forever).
  bool Reap(int timeout_ms);

  pid_t pid_;
  std::string body_dir_;  // where its fetches save bodies
  int wait_status_ = 0;
};

// "exited with status 3", "killed by signal 9 (Killed)".
std::string DescribeWaitStatus(int wait_status);

}  // namespace farm
