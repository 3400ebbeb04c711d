// Runs one command for an exec task: directly (no shell), in a process group
// of its own, its output captured up to a cap, within an optional deadline.
// When the command ends, times out or its worker dies, its whole process
// group is killed, so nothing it started outlives the task.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/running_task.h"

namespace farm {

struct CommandSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH unless it holds a '/'
  std::vector<std::string> env;   // "NAME=value", added to (or replacing in) the inherited ones
  std::string cwd;                // empty: the worker's
  bool has_stdin = false;         // else stdin is /dev/null
  std::string_view stdin_text;
  double timeout_s = 0;            // 0: none
  size_t max_output_bytes = 0;     // kept of stdout, and of stderr
  RunningTask* running = nullptr;  // where the command's group is noted; may be null
};

struct CapturedOutput {
  std::string kept;    // the first max_output_bytes
  uint64_t total = 0;  // bytes the command wrote
  bool truncated() const { return total > kept.size(); }
};

struct CommandOutcome {
  // The command could not be started: errno of the failed step, and which.
  int start_errno = 0;
  const char* start_step = "";
  bool timed_out = false;
  int wait_status = 0;
  CapturedOutput out, err;
  double elapsed_ms = 0;
  rusage usage = {};
};

// Runs the command to its end; never throws.
void RunUserCommand(const CommandSpec& spec, CommandOutcome* outcome);

}  // namespace farm
