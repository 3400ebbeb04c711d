#include "coordinator/worker_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "worker/fetch_file.h"
#include "worker/out_of_memory.h"
#include "worker/task.h"
#include "worker/worker_loop.h"

namespace farm {
namespace {

// Where the child finds its pipe ends.
constexpr int kChildIn = 3;
constexpr int kChildOut = 4;

// Runs in the forked child; never returns into the coordinator's code.
[[noreturn]] void BecomeWorker(const WorkerSpec& spec, pid_t parent, int task_fd, int reply_fd,
                               RunningTask* running) {
  // Die with the coordinator, even if it is killed by SIGKILL; and if it is
  // already gone, don't start.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);

  // Ctrl-C reaches the whole foreground group; the coordinator decides what
  // a worker does about it, through its pipe.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);  // a write to a dead coordinator is EPIPE: exit
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  std::string name = "farm-worker-" + std::to_string(spec.index);
  prctl(PR_SET_NAME, name.c_str());

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

  if (spec.memory_limit_mb > 0) {
    rlim_t bytes = static_cast<rlim_t>(spec.memory_limit_mb) << 20;
    rlimit limit = {bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
  }
  ExitWhenOutOfMemory(spec.index);

  WorkerContext context;
  context.index = spec.index;
  context.master_seed = spec.master_seed;
  context.seed = WorkerSeed(spec.master_seed, spec.index, spec.generation);
  context.rng = Rng(context.seed);
  context.fetch = spec.fetch;
  _exit(ServeTasks(kChildIn, kChildOut, context, running));
}

}  // namespace

Status WorkerProcess::Spawn(const WorkerSpec& spec, std::unique_ptr<WorkerProcess>* worker) {
  Pipe tasks, replies;
  if (Status s = MakePipe(&tasks); !s.ok()) return s;
  if (Status s = MakePipe(&replies); !s.ok()) return s;
  SharedRunningTask running;
  if (Status s = MapSharedRunningTask(&running); !s.ok()) return s;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) BecomeWorker(spec, parent, tasks.read.get(), replies.write.get(), running.get());

  worker->reset(new WorkerProcess(pid, std::move(tasks.write), std::move(replies.read),
                                  std::move(running), spec.fetch.out_dir));
  // The coordinator never blocks on a worker: a 20 MB reply must not
  // deadlock against a pending task write.
  Status status = SetNonBlocking((*worker)->to_worker());
  if (status.ok()) status = SetNonBlocking((*worker)->from_worker());
  if (!status.ok()) worker->reset();  // kills and reaps it
  return status;
}

WorkerProcess::~WorkerProcess() {
  if (pid_ > 0) Kill();
}

bool WorkerProcess::Reap(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pid_t r = waitpid(pid_, &wait_status_, timeout_ms < 0 ? 0 : WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      // A worker that died mid-transfer may leave a partial body, where the
      // file system lacks O_TMPFILE (see worker/fetch_file.h).
      bool clean_exit = r == pid_ && WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0;
      if (!clean_exit) RemoveBodyFilesOf(out_dir_, pid_);
      pid_ = -1;
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string WorkerProcess::Stop(int grace_ms) {
  to_worker_.reset();  // end of input: the worker exits
  if (pid_ > 0 && !Reap(grace_ms)) {
    kill(pid_, SIGTERM);
    if (!Reap(grace_ms)) return Kill();
  }
  from_worker_.reset();
  return DescribeWaitStatus(wait_status_);
}

std::string WorkerProcess::Kill() {
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
