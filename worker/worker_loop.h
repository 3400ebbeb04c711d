// The worker process's main loop: task messages in, reply messages out.
#pragma once

#include "common/running_task.h"
#include "worker/task.h"

namespace farm {

// Reads task messages from in_fd and writes a reply for each to out_fd until
// in_fd reaches end of file. Returns the process exit status: 0 at a clean
// end, non-zero when the coordinator is gone or sent a malformed message.
// If `running` is given, each task is noted there while it runs.
int ServeTasks(int in_fd, int out_fd, WorkerContext& worker, RunningTask* running = nullptr);

}  // namespace farm
