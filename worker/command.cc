#include "worker/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "common/fd.h"

extern char** environ;

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 64 * 1024;
// Dispositions a worker (or the coordinator, in thread and sequential mode)
// may have set that a command must not inherit: an ignored signal stays
// ignored across exec. --db ignores SIGXFSZ (coordinator/db_writer.cc).
constexpr int kSignalsToReset[] = {SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD, SIGXFSZ};
// Once the command ended and its group was killed, how long the output
// still in its pipes may take to drain (a process that left the group may
// hold them open).
constexpr int kDrainMs = 1000;

// Everything the child needs, prepared before vfork: between vfork and exec
// it may only make system calls, never allocate.
struct ChildSetup {
  char* const* argv;
  char* const* envp;
  const char* path;  // where argv[0] is looked for: the command's own PATH
  const char* cwd;  // nullptr: stay
  int stdin_fd, stdout_fd, stderr_fd;
  pid_t worker;
  RunningTask* running;
};

// What the child reports when it cannot exec; vfork shares the memory, and
// the parent reads it only once the child exec'd or exited.
struct StartError {
  volatile int err = 0;
  const char* volatile step = "";
};

[[noreturn]] void FailChild(StartError* error, const char* step) {
  error->err = errno;
  error->step = step;
  _exit(127);
}

// execvpe, but in the command's own PATH, and without its fallback of
// running a file that is no program (no #! line) with /bin/sh: farm runs no
// shell unless asked. It runs after vfork, so it allocates nothing: each
// path tried is built on the stack.
[[noreturn]] void ExecSearched(const ChildSetup& setup, StartError* error) {
  const char* name = setup.argv[0];
  bool slash = false;
  size_t name_size = 1;
  for (const char* c = name; *c != '\0'; ++c, ++name_size) slash |= *c == '/';
  if (name_size == 1) {  // "" is no command, as execvpe says
    errno = ENOENT;
    FailChild(error, "exec");
  }
  if (slash) {
    execve(name, setup.argv, setup.envp);
    FailChild(error, "exec");
  }
  char candidate[PATH_MAX];
  int denied = 0;
  for (const char* dir = setup.path;; ++dir) {
    const char* end = dir;
    while (*end != '\0' && *end != ':') ++end;
    const size_t dir_size = static_cast<size_t>(end - dir);
    if (dir_size + 1 + name_size <= sizeof candidate) {
      char* at = candidate;
      if (dir_size > 0) {  // an empty entry is the current folder
        for (const char* c = dir; c < end;) *at++ = *c++;
        *at++ = '/';
      }
      for (size_t i = 0; i < name_size; ++i) *at++ = name[i];
      execve(candidate, setup.argv, setup.envp);
      if (errno == EACCES) {
        denied = EACCES;  // found, not runnable: say so if nothing else is
      } else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV &&
                 errno != ETIMEDOUT) {
        FailChild(error, "exec");  // ENOEXEC among them
      }
    }
    if (*end == '\0') break;
    dir = end;
  }
  errno = denied != 0 ? denied : ENOENT;
  FailChild(error, "exec");
}

[[noreturn]] void ExecChild(const ChildSetup& setup, StartError* error) {
  // Its own group, noted where the coordinator sees it before anything can
  // fork: whoever ends the worker ends the group.
  if (setpgid(0, 0) != 0) FailChild(error, "setpgid");
  if (setup.running != nullptr)
    setup.running->command_group.store(static_cast<int32_t>(getpid()), std::memory_order_release);
  // The command dies with the worker thread that started it; and if that is
  // already gone, it does not start.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) FailChild(error, "prctl");
  if (getppid() != setup.worker) _exit(127);
  if (dup2(setup.stdin_fd, STDIN_FILENO) < 0 || dup2(setup.stdout_fd, STDOUT_FILENO) < 0 ||
      dup2(setup.stderr_fd, STDERR_FILENO) < 0)
    FailChild(error, "dup2");
  // Nothing else of the worker's: its pipes to the coordinator (fds 3 and 4,
  // not close-on-exec) must not reach the command. vfork copies the fd table.
  close_range(3, ~0U, 0);
  if (setup.cwd != nullptr && chdir(setup.cwd) != 0) FailChild(error, "chdir");
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig : kSignalsToReset) sigaction(sig, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  ExecSearched(setup, error);
}

// vfork: the worker's pages are not copied, so spawning costs the same for
// a worker of 5 MB or 5 GB. Every signal is blocked meanwhile, so no handler
// of the worker's runs in the child before it resets them.
pid_t StartChild(const ChildSetup& setup, StartError* error) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = vfork();
  if (pid == 0) ExecChild(setup, error);
  int saved = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return pid;
}

// The inherited environment with `added` laid over it.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& added) {
  std::vector<std::string> env;
  for (char** p = environ; *p != nullptr; ++p) {
    std::string_view entry(*p);
    std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = std::any_of(added.begin(), added.end(), [&](const std::string& a) {
      return a.size() > name.size() && a.compare(0, name.size(), name) == 0 &&
             a[name.size()] == '=';
    });
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), added.begin(), added.end());
  return env;
}

std::vector<char*> Pointers(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Reads what `fd` has now into `output`, keeping up to `cap` bytes; false at
// end of file.
bool Drain(int fd, size_t cap, CapturedOutput* output, char* chunk) {
  for (;;) {
    ssize_t n = read(fd, chunk, kReadChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0) return false;
    size_t room = cap - std::min(cap, output->kept.size());
    output->kept.append(chunk, std::min(room, static_cast<size_t>(n)));
    output->total += static_cast<uint64_t>(n);
  }
}

// The command's pipes and its pid, watched until it ends.
class Watch {
 public:
  Watch(const CommandSpec& spec, pid_t pid, Fd stdin_w, Fd out_r, Fd err_r, CommandOutcome* outcome)
      : spec_(spec),
        pid_(pid),
        stdin_w_(std::move(stdin_w)),
        out_r_(std::move(out_r)),
        err_r_(std::move(err_r)),
        outcome_(outcome),
        chunk_(kReadChunk, '\0') {
    pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  }

  void Run(Clock::time_point start);

 private:
  bool LeaderEnded();
  void WriteStdin();
  void KillGroup() { kill(-pid_, SIGKILL); }

  const CommandSpec& spec_;
  pid_t pid_;
  Fd stdin_w_, out_r_, err_r_, pidfd_;
  CommandOutcome* outcome_;
  size_t stdin_sent_ = 0;
  std::string chunk_;
};

// Without a pidfd (kernels before 5.3), asks without reaping, so the pid
// (and the group's id) stays the command's until the group is killed.
bool Watch::LeaderEnded() {
  siginfo_t info = {};
  return waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid_;
}

void Watch::WriteStdin() {
  std::string_view rest = spec_.stdin_text.substr(stdin_sent_);
  long n = rest.empty() ? 0 : WriteSome(stdin_w_.get(), rest);
  if (n < 0) return stdin_w_.reset();  // the command closed its stdin
  stdin_sent_ += static_cast<size_t>(n);
  if (stdin_sent_ == spec_.stdin_text.size()) stdin_w_.reset();  // EOF for the command
}

void Watch::Run(Clock::time_point start) {
  const bool has_deadline = spec_.timeout_s > 0;
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(has_deadline ? spec_.timeout_s : 0));
  bool leader_ended = false;
  Clock::time_point drain_until;
  while (!leader_ended || out_r_.valid() || err_r_.valid()) {
    pollfd fds[4];
    int count = 0;
    int out_at = -1, err_at = -1, in_at = -1, pid_at = -1;
    if (out_r_.valid()) out_at = count, fds[count++] = {out_r_.get(), POLLIN, 0};
    if (err_r_.valid()) err_at = count, fds[count++] = {err_r_.get(), POLLIN, 0};
    if (stdin_w_.valid()) in_at = count, fds[count++] = {stdin_w_.get(), POLLOUT, 0};
    if (!leader_ended && pidfd_.valid()) pid_at = count, fds[count++] = {pidfd_.get(), POLLIN, 0};
    Clock::time_point now = Clock::now();
    Clock::time_point until = leader_ended   ? drain_until
                              : has_deadline ? deadline
                                             : now + std::chrono::hours(1);
    auto wait =
        std::chrono::ceil<std::chrono::milliseconds>(std::max(until - now, Clock::duration(0)));
    int timeout_ms =
        static_cast<int>(std::min<int64_t>(wait.count(), pidfd_.valid() ? 3'600'000 : 10));
    int ready = poll(fds, static_cast<nfds_t>(count), timeout_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) {
      if (out_at >= 0 && fds[out_at].revents != 0 &&
          !Drain(out_r_.get(), spec_.max_output_bytes, &outcome_->out, chunk_.data()))
        out_r_.reset();
      if (err_at >= 0 && fds[err_at].revents != 0 &&
          !Drain(err_r_.get(), spec_.max_output_bytes, &outcome_->err, chunk_.data()))
        err_r_.reset();
      if (in_at >= 0 && fds[in_at].revents != 0) WriteStdin();
    }
    now = Clock::now();
    if (leader_ended) {
      if (now >= drain_until) break;
      continue;
    }
    bool ended = pid_at >= 0 ? ready > 0 && fds[pid_at].revents != 0 : LeaderEnded();
    if (!ended && has_deadline && now >= deadline) {
      outcome_->timed_out = true;
      ended = true;
    }
    if (ended) {
      // Its leader is a zombie still, so the group's id is not reused yet.
      KillGroup();
      stdin_w_.reset();
      leader_ended = true;
      drain_until = now + std::chrono::milliseconds(kDrainMs);
    }
  }
  KillGroup();
  while (wait4(pid_, &outcome_->wait_status, 0, &outcome_->usage) < 0 && errno == EINTR) {
  }
}

}  // namespace

void RunUserCommand(const CommandSpec& spec, CommandOutcome* outcome) {
  Clock::time_point start = Clock::now();
  auto fail = [&](const char* step) {
    outcome->start_errno = errno;
    outcome->start_step = step;
  };
  Pipe out, err, in;
  if (Status s = MakePipe(&out); !s.ok()) return fail("pipe");
  if (Status s = MakePipe(&err); !s.ok()) return fail("pipe");
  Fd stdin_r;
  if (spec.has_stdin) {
    if (Status s = MakePipe(&in); !s.ok()) return fail("pipe");
    stdin_r = std::move(in.read);
  } else {
    stdin_r.reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!stdin_r.valid()) return fail("open /dev/null");
  }
  std::vector<std::string> env = MergedEnvironment(spec.env);
  std::vector<char*> argv = Pointers(spec.argv), envp = Pointers(env);
  const char* path = "/bin:/usr/bin";  // glibc's, when there is no PATH
  for (const std::string& entry : env)
    if (entry.starts_with("PATH=")) path = entry.c_str() + 5;
  ChildSetup setup = {.argv = argv.data(),
                      .envp = envp.data(),
                      .path = path,
                      .cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                      .stdin_fd = stdin_r.get(),
                      .stdout_fd = out.write.get(),
                      .stderr_fd = err.write.get(),
                      .worker = getpid(),
                      .running = spec.running};
  StartError error;
  pid_t pid = StartChild(setup, &error);
  if (pid < 0) return fail("vfork");
  stdin_r.reset();
  out.write.reset();
  err.write.reset();
  if (error.err != 0) {  // it never exec'd: nothing of it runs
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (spec.running != nullptr) spec.running->command_group.store(0, std::memory_order_release);
    outcome->start_errno = error.err;
    outcome->start_step = error.step;
    return;
  }
  (void)SetNonBlocking(out.read.get());
  (void)SetNonBlocking(err.read.get());
  if (in.write.valid()) (void)SetNonBlocking(in.write.get());
  Watch(spec, pid, std::move(in.write), std::move(out.read), std::move(err.read), outcome)
      .Run(start);
  if (spec.running != nullptr) spec.running->command_group.store(0, std::memory_order_release);
  outcome->elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace farm
