// Runs one program to completion and measures it as the kernel accounts it:
// wall time, CPU time of the child and of every process it waited for, and
// the peak resident set of the largest of them.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

struct ChildUsage {
  int exit_code = -1;  // 128 + signal if it was killed
  double wall_s = 0;
  double user_s = 0;  // children included
  double sys_s = 0;
  long peak_rss_kb = 0;  // ru_maxrss: the largest single process, not a sum
};

// One running child. Move-only; the destructor stops (SIGKILL) and reaps a
// child still running, so no path leaves it orphaned.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv` (argv[0] is a path) with stdin from `stdin_path`, stdout to
  // /dev/null and stderr to `stderr_path`. The child is killed if this
  // process dies first. Call while the caller has one thread.
  static Status Start(const std::vector<std::string>& argv, const std::string& stdin_path,
                      const std::string& stderr_path, ChildProcess* child);

  // Waits up to `timeout_s` (< 0: no limit) for the child to end. The wait
  // runs with `wait_mask` as the signal mask, so a signal it unblocks ends
  // the wait early. True once the child has ended; usage() then holds.
  bool Wait(const sigset_t* wait_mask, double timeout_s, Status* error);
  void Signal(int signal);
  bool running() const { return pid_ > 0; }
  const ChildUsage& usage() const { return usage_; }

 private:
  bool Reap(bool block);

  pid_t pid_ = -1;
  Fd pidfd_;  // readable once the child has ended
  std::chrono::steady_clock::time_point start_;
  ChildUsage usage_;
};

// Runs `argv` as ChildProcess::Start does and waits for it, with the signals
// of `wait_mask` deliverable only while waiting. Each time `stop_count()`
// grows, or a grace period ends, the child is stopped harder: SIGTERM, then
// SIGTERM again (farm's "stop at once"), then SIGKILL. *stopped is then set
// and *usage is no measurement.
Status RunChild(const std::vector<std::string>& argv, const std::string& stdin_path,
                const std::string& stderr_path, const sigset_t* wait_mask, int (*stop_count)(),
                ChildUsage* usage, bool* stopped);

}  // namespace farm
