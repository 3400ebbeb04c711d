#include "worker/worker_process_main.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "worker/out_of_memory.h"
#include "worker/worker_loop.h"

namespace farm {
namespace {

// Where the child finds its pipe ends.
constexpr int kChildIn = 3;
constexpr int kChildOut = 4;

}  // namespace

void BecomeWorkerProcess(pid_t coordinator, int task_fd, int reply_fd, RunningTask* running) {
  // Die with the coordinator, even if it is killed by SIGKILL; and if it is
  // already gone, don't start.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != coordinator) _exit(1);

  // Ctrl-C reaches the whole foreground group; the coordinator decides what
  // a worker does about it, through its pipe.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);  // a write to a dead coordinator is EPIPE: exit
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  // The pipes to fds 3 and 4, stdin from /dev/null (never the coordinator's
  // input), stdout to stderr (a stray print can't corrupt a result), and
  // every other inherited fd closed: siblings' pipes, input and output files.
  int in = fcntl(task_fd, F_DUPFD_CLOEXEC, 10);
  int out = fcntl(reply_fd, F_DUPFD_CLOEXEC, 10);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0 || out < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
      dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || dup2(in, kChildIn) < 0 ||
      dup2(out, kChildOut) < 0)
    _exit(127);
  close_range(kChildOut + 1, ~0U, 0);

  ExitWhenOutOfMemory(kChildOut, running);
  PipeChannel channel(kChildIn, kChildOut);
  _exit(ServeChannel(channel, {.running = running, .own_process = true}));
}

}  // namespace farm
