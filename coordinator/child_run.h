// Runs one program to completion and measures it as the kernel accounts it:
// wall time, CPU time of the child and of every process it waited for, and
// the peak resident set of the largest of them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace farm {

struct ChildUsage {
  int exit_code = -1;  // 128 + signal if it was killed
  double wall_s = 0;
  double user_s = 0;  // children included
  double sys_s = 0;
  long peak_rss_kb = 0;  // ru_maxrss: the largest single process, not a sum
};

// Runs `argv` (argv[0] is a path) with stdin from `stdin_path`, stdout to
// /dev/null and stderr to `stderr_path`; waits for it. Call while the caller
// has one thread.
Status RunChild(const std::vector<std::string>& argv, const std::string& stdin_path,
                const std::string& stderr_path, ChildUsage* usage);

}  // namespace farm
