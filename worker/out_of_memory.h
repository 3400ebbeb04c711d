// A worker process that runs out of memory (its --memory-limit, or the
// machine's) tells its coordinator which task did it, with an
// {"out_of_memory":S} message, and exits, instead of GMP's abort() or an
// uncaught std::bad_alloc; the coordinator then fails that task with a clear
// message and starts a fresh worker.
#pragma once

#include "common/running_task.h"

namespace farm {

// Routes GMP's allocations, and operator new's failures, to that message on
// `reply_fd` and an exit; `running` says which task runs. Call once in a
// forked worker before it runs tasks. GMP has no way to recover from a
// failed allocation (throwing through it is undefined), so the worker
// process ends: its memory is the one thing we can trust to be released.
void ExitWhenOutOfMemory(int reply_fd, const RunningTask* running);

}  // namespace farm
