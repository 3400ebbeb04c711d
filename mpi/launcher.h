// Forks workers for a process that must not fork itself: an MPI node agent
// (Open MPI warns against fork() after MPI_Init; its network stacks may not
// survive it). The launcher is a small process forked before MPI_Init, while
// the agent has one thread. On request it forks a worker and hands back,
// over a unix socket with SCM_RIGHTS, the worker's two pipe ends and a memfd
// holding the page where the worker notes its running task; it reaps its
// workers and reports each one's wait status.
//
// The launcher dies with its owner (PR_SET_PDEATHSIG), and its workers die
// with it; when its socket closes it kills its workers and exits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>

#include "common/fd.h"
#include "common/running_task.h"
#include "common/status.h"

namespace farm::mpi {

// A test hook, read only by the launcher when it starts: with this set to N
// in its environment, it forks its first N workers and fails every later
// fork with EAGAIN, as fork() does under RLIMIT_NPROC (which root, who runs
// the tests, is exempt from).
inline constexpr char kForkLimitVariable[] = "FARM_TEST_LAUNCHER_FORKS";

class Launcher {
 public:
  // Forks the launcher. Call while this process has one thread, and before
  // MPI_Init.
  static Status Start(std::unique_ptr<Launcher>* launcher);

  // Closes the socket (the launcher kills its workers and exits) and reaps it.
  ~Launcher();
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  struct Worker {
    uint32_t id = 0;       // names it in Signal() and WaitEnded()
    pid_t pid = -1;        // in the launcher's view of the pid namespace
    Fd to_worker;          // write end of its task pipe
    Fd from_worker;        // read end of its reply pipe
    SharedRunningTask running;
  };
  // Has a worker forked; it serves messages until its input closes, and its
  // first message must be its settings. A fork that fails for want of
  // processes or memory is tried a few times, for some tens of milliseconds
  // in all, before this fails.
  Status Spawn(Worker* worker);

  // Sends `signal` to worker `id`, if it still runs.
  Status Signal(uint32_t id, int signal);

  // Waits up to timeout_ms (negative: for ever) for worker `id` to end;
  // true with its waitpid() status. Each end is reported once.
  bool WaitEnded(uint32_t id, int timeout_ms, int* wait_status);

 private:
  Launcher(pid_t pid, Fd socket) : pid_(pid), socket_(std::move(socket)) {}
  // Reads one message from the launcher within timeout_ms; ended workers
  // are noted in ended_. False on timeout or when the launcher is gone.
  bool ReadOne(int timeout_ms);

  pid_t pid_;
  Fd socket_;
  uint32_t next_id_ = 1;
  bool gone_ = false;               // its socket closed: it and its workers are dead
  std::map<uint32_t, int> ended_;  // id -> wait status, not yet waited for
  // The answer to the last Spawn(), once read.
  bool spawned_ = false;
  int spawn_errno_ = 0;
  pid_t spawned_pid_ = -1;
  Fd spawned_fds_[3];
};

}  // namespace farm::mpi
