#include "coordinator/worker_process.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "worker/fetch_file.h"
#include "worker/worker_process_main.h"

namespace farm {

Status ForkedWorker::Spawn(const std::string& body_dir, std::unique_ptr<WorkerProcess>* worker) {
  Pipe tasks, replies;
  if (Status s = MakePipe(&tasks); !s.ok()) return s;
  if (Status s = MakePipe(&replies); !s.ok()) return s;
  SharedRunningTask running;
  if (Status s = MapSharedRunningTask(&running); !s.ok()) return s;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) BecomeWorkerProcess(parent, tasks.read.get(), replies.write.get(), running.get());

  worker->reset(new ForkedWorker(pid, std::move(tasks.write), std::move(replies.read),
                                 std::move(running), body_dir));
  // The coordinator never blocks on a worker: a 20 MB reply must not
  // deadlock against a pending task write.
  Status status = SetNonBlocking((*worker)->to_worker());
  if (status.ok()) status = SetNonBlocking((*worker)->from_worker());
  if (!status.ok()) worker->reset();  // kills and reaps it
  return status;
}

ForkedWorker::~ForkedWorker() {
  if (pid_ > 0) Kill();
}

bool ForkedWorker::Reap(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pid_t r = waitpid(pid_, &wait_status_, timeout_ms < 0 ? 0 : WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      // A worker that died mid-transfer may leave a partial body, where the
      // file system lacks O_TMPFILE (see worker/fetch_file.h).
      bool clean_exit = r == pid_ && WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0;
      if (!clean_exit) RemoveBodyFilesOf(body_dir_, pid_);
      running_->KillCommandGroup();  // its command's grandchildren, if it died mid-exec
      pid_ = -1;
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string ForkedWorker::Stop(int grace_ms) {
  to_worker_.reset();  // end of input: the worker exits
  if (pid_ > 0 && !Reap(grace_ms)) {
    kill(pid_, SIGTERM);
    if (!Reap(grace_ms)) return Kill();
  }
  from_worker_.reset();
  return DescribeWaitStatus(wait_status_);
}

std::string ForkedWorker::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    Reap(-1);
  }
  to_worker_.reset();
  from_worker_.reset();
  return DescribeWaitStatus(wait_status_);
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    return "killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "ended with wait status " + std::to_string(wait_status);
}

}  // namespace farm
