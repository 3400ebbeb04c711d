#include "coordinator/child_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "common/fd.h"

namespace farm {
namespace {

double Seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; }

}  // namespace

Status RunChild(const std::vector<std::string>& argv, const std::string& stdin_path,
                const std::string& stderr_path, ChildUsage* usage) {
  Fd in(open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return Status::FromErrno("open " + stdin_path, errno);
  Fd out(open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (!out.valid()) return Status::FromErrno("open /dev/null", errno);
  Fd err(open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!err.valid()) return Status::FromErrno("open " + stderr_path, errno);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    // dup2 clears close-on-exec on the copies; everything else closes at exec.
    if (dup2(in.get(), STDIN_FILENO) < 0 || dup2(out.get(), STDOUT_FILENO) < 0 ||
        dup2(err.get(), STDERR_FILENO) < 0)
      _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage used = {};
  // wait4's usage covers the child and every descendant it reaped itself.
  while (wait4(pid, &status, 0, &used) < 0) {
    if (errno != EINTR) return Status::FromErrno("wait4", errno);
  }
  usage->wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  usage->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  usage->user_s = Seconds(used.ru_utime);
  usage->sys_s = Seconds(used.ru_stime);
  usage->peak_rss_kb = used.ru_maxrss;
  return Status::Ok();
}

}  // namespace farm
