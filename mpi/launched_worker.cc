#include "mpi/launched_worker.h"

#include <signal.h>

namespace farm::mpi {
namespace {

// How long a SIGKILLed worker may take to be reported reaped.
constexpr int kReapTimeoutMs = 10'000;

}  // namespace

Status LaunchedWorker::Spawn(Launcher& launcher, std::unique_ptr<WorkerProcess>* worker) {
  Launcher::Worker launched;
  if (Status s = launcher.Spawn(&launched); !s.ok()) return s;
  worker->reset(new LaunchedWorker(launcher, std::move(launched)));
  // Never blocked on by the agent, as in process mode.
  Status status = SetNonBlocking((*worker)->to_worker());
  if (status.ok()) status = SetNonBlocking((*worker)->from_worker());
  if (!status.ok()) worker->reset();  // kills it
  return status;
}

LaunchedWorker::LaunchedWorker(Launcher& launcher, Launcher::Worker worker)
    : WorkerProcess(std::move(worker.to_worker), std::move(worker.from_worker),
                    std::move(worker.running)),
      launcher_(launcher), id_(worker.id) {}

LaunchedWorker::~LaunchedWorker() {
  if (!ended_) Kill();
}

bool LaunchedWorker::Ended(int timeout_ms) {
  if (!ended_) ended_ = launcher_.WaitEnded(id_, timeout_ms, &wait_status_);
  if (ended_) running_->KillCommandGroup();  // what its exec task left running
  return ended_;
}

std::string LaunchedWorker::Stop(int grace_ms) {
  to_worker_.reset();  // end of input: the worker exits
  if (!Ended(grace_ms)) {
    launcher_.Signal(id_, SIGTERM);
    if (!Ended(grace_ms)) return Kill();
  }
  from_worker_.reset();
  return DescribeWaitStatus(wait_status_);
}

std::string LaunchedWorker::Kill() {
  if (!ended_) {
    launcher_.Signal(id_, SIGKILL);
    Ended(kReapTimeoutMs);
  }
  to_worker_.reset();
  from_worker_.reset();
  return DescribeWaitStatus(wait_status_);
}

}  // namespace farm::mpi
