// Runs the real farm binary as a child process, for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace farm::testing {

struct FarmRun {
  int exit_code = -1;  // 128 + signal if it was killed
  std::string out = {};
  std::string err = {};
  // Peak resident set in KiB, from wait4: the larger of the farm process and
  // its biggest worker. Linux also counts the forked test process's memory
  // just before exec, so a test that bounds it must not hold much itself.
  long max_rss_kb = 0;
  std::vector<std::string> lines() const;       // `out` split at '\n'
  std::vector<nlohmann::json> results() const;  // each line parsed; throws if one is not JSON
};

// Runs `farm args...` with `input` on its stdin (a regular file); waits for
// it to end.
FarmRun RunFarm(const std::vector<std::string>& args, const std::string& input = "");
// The same with stdin a pipe, written as farm reads it.
FarmRun RunFarmPiped(const std::vector<std::string>& args, const std::string& input);

// Runs `/bin/sh -c script` with $0 the farm binary and $1... `args`, stdin
// from /dev/null: for the shell's own redirections (`"$0" run < "$1" >> "$1"`)
// and limits (`ulimit -n 32`). Waits for it to end.
FarmRun RunFarmInShell(const std::string& script, const std::vector<std::string>& args = {});

// A child started in the background, e.g. to be signalled mid-run.
struct FarmChild {
  pid_t pid = -1;
  int out_fd = -1;  // its stdout
  int err_fd = -1;  // its stderr
  int in_fd = -1;   // its stdin, when a pipe the test writes `input` to
  std::string input;
};
FarmChild StartFarm(const std::vector<std::string>& args,
                    const std::string& stdin_path = "/dev/null");
// RunFarmInShell's script, started in the background; with `exec "$0" …`
// the child is farm itself.
FarmChild StartFarmInShell(const std::string& script, const std::vector<std::string>& args = {});
// Any program (its path first in `command`), e.g. mpirun running farm.
FarmChild StartProgram(const std::vector<std::string>& command,
                       const std::string& stdin_path = "/dev/null");
// Reads its output to the end and reaps it.
FarmRun FinishFarm(FarmChild child);

// The worker processes (named farm-worker-N) whose parent is `parent`, from
// /proc; zombies excluded.
std::vector<pid_t> WorkerPids(pid_t parent);
// Every process below `root` (children, their children...) whose name
// (/proc comm) starts with `prefix`; zombies excluded.
std::vector<pid_t> DescendantsNamed(pid_t root, const std::string& prefix);
// A process's state letter from /proc (R, S, Z, ...), or 0 if it is gone.
char ProcessState(pid_t pid);
// Polls `condition` every 10 ms for up to `seconds`; true once it holds.
bool WaitFor(const std::function<bool()>& condition, double seconds = 20);

// A fresh temporary directory, removed with its contents when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);

}  // namespace farm::testing
