// A worker process forked by the launcher (mpi/launcher.h) for an MPI node
// agent, which may not fork. The agent owns the pipe ends and the page; the
// launcher owns the pid: stopping and reaping go through it.
#pragma once

#include <memory>
#include <string>

#include "coordinator/worker_process.h"
#include "mpi/launcher.h"

namespace farm::mpi {

class LaunchedWorker final : public WorkerProcess {
 public:
  // A worker from `launcher`, which must outlive it.
  static Status Spawn(Launcher& launcher, std::unique_ptr<WorkerProcess>* worker);

  ~LaunchedWorker() override;
  std::string Stop(int grace_ms) override;
  std::string Kill() override;

 private:
  LaunchedWorker(Launcher& launcher, Launcher::Worker worker);
  bool Ended(int timeout_ms);

  Launcher& launcher_;
  uint32_t id_;
  bool ended_ = false;
  int wait_status_ = 0;
};

}  // namespace farm::mpi
