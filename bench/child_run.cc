#include "bench/child_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; }

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecChild(char* const* args, int in, int out, int err, pid_t parent) {
  // Dies with its parent: a measurement nobody reads is not worth finishing.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(126);
  // dup2 clears close-on-exec on the copies; everything else closes at exec.
  if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
    _exit(126);
  // An ignored signal stays ignored across exec: give the child defaults.
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execv(args[0], args);
  _exit(127);
}

}  // namespace

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      start_(other.start_),
      usage_(other.usage_) {}

ChildProcess::~ChildProcess() {
  if (!running()) return;
  Signal(SIGKILL);
  Reap(true);
}

Status ChildProcess::Start(const std::vector<std::string>& argv, const std::string& stdin_path,
                           const std::string& stderr_path, ChildProcess* child) {
  Fd in(open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return Status::FromErrno("open " + stdin_path, errno);
  Fd out(open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (!out.valid()) return Status::FromErrno("open /dev/null", errno);
  Fd err(open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!err.valid()) return Status::FromErrno("open " + stderr_path, errno);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  const pid_t parent = getpid();
  child->start_ = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) ExecChild(args.data(), in.get(), out.get(), err.get(), parent);
  child->pid_ = pid;
  child->pidfd_ = Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!child->pidfd_.valid()) return Status::FromErrno("pidfd_open", errno);
  return Status::Ok();
}

bool ChildProcess::Wait(const sigset_t* wait_mask, double timeout_s, Status* error) {
  if (!running()) return true;
  if (Reap(false)) return true;
  pollfd fd = {pidfd_.get(), POLLIN, 0};
  timespec timeout = {};
  if (timeout_s >= 0) {
    timeout.tv_sec = static_cast<time_t>(timeout_s);
    timeout.tv_nsec = static_cast<long>((timeout_s - std::floor(timeout_s)) * 1e9);
  }
  if (ppoll(&fd, 1, timeout_s >= 0 ? &timeout : nullptr, wait_mask) < 0 && errno != EINTR) {
    *error = Status::FromErrno("ppoll", errno);
    return false;
  }
  return Reap(false);
}

void ChildProcess::Signal(int signal) {
  if (running()) kill(pid_, signal);
}

bool ChildProcess::Reap(bool block) {
  int status = 0;
  rusage used = {};
  // wait4's usage covers the child and every descendant it reaped itself.
  pid_t reaped;
  do {
    reaped = wait4(pid_, &status, block ? 0 : WNOHANG, &used);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return false;
  if (reaped < 0) {  // not our child any more: nothing to measure
    pid_ = -1;
    return true;
  }
  pid_ = -1;
  pidfd_.reset();
  usage_.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  usage_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  usage_.user_s = Seconds(used.ru_utime);
  usage_.sys_s = Seconds(used.ru_stime);
  usage_.peak_rss_kb = used.ru_maxrss;
  return true;
}

Status RunChild(const std::vector<std::string>& argv, const std::string& stdin_path,
                const std::string& stderr_path, const sigset_t* wait_mask, int (*stop_count)(),
                ChildUsage* usage, bool* stopped) {
  *stopped = false;
  ChildProcess child;
  if (Status s = ChildProcess::Start(argv, stdin_path, stderr_path, &child); !s.ok()) return s;
  // What each stage of a stop sends, and how long it waits for the child.
  struct Stage {
    int signal;
    double grace_s;
  };
  constexpr Stage kStop[] = {{SIGTERM, 1}, {SIGTERM, 2}, {SIGKILL, -1}};
  size_t stage = 0;
  int requests_handled = 0;
  Clock::time_point next_stage;
  Status error;
  while (true) {
    double timeout_s = -1;
    if (stage > 0 && kStop[stage - 1].grace_s >= 0)
      timeout_s = std::max(0.0, std::chrono::duration<double>(next_stage - Clock::now()).count());
    if (child.Wait(wait_mask, timeout_s, &error)) break;
    if (!error.ok()) return error;
    bool new_request = stop_count() > requests_handled;
    bool grace_over = timeout_s >= 0 && Clock::now() >= next_stage;
    if ((!new_request && !grace_over) || stage == std::size(kStop)) continue;
    requests_handled = stop_count();
    *stopped = true;
    child.Signal(kStop[stage].signal);
    next_stage = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(kStop[stage].grace_s));
    ++stage;
  }
  *usage = child.usage();
  return Status::Ok();
}

}  // namespace farm
