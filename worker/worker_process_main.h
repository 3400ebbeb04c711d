// The start of a forked worker process: what it must do before it serves
// its first message, in the child, before anything else runs there.
#pragma once

#include <sys/types.h>

#include "common/running_task.h"

namespace farm {

// Turns the just-forked child into a worker that serves messages on
// `task_fd` and replies on `reply_fd` (the pipe ends of the child) and
// notes its running task in `running`, shared with the coordinator.
// Never returns into the coordinator's code.
[[noreturn]] void BecomeWorkerProcess(pid_t coordinator, int task_fd, int reply_fd,
                                      RunningTask* running);

}  // namespace farm
