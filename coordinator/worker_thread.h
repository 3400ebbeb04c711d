// A worker thread's loop in thread mode: the counterpart of a worker
// process's ServeTasks(), over in-memory channels instead of pipes.
#pragma once

#include "coordinator/thread_channels.h"
#include "worker/task.h"

namespace farm {

// Runs batches from `queue` until it is closed and empty, posting each
// task's result line to `results`. `worker` is this thread's alone, seeded
// exactly like a worker process's; per-worker resources (a fetch worker's
// curl multi handle, say) belong in it too, so no thread ever shares one.
void ServeQueue(TaskQueue& queue, ResultChannel& results, WorkerContext& worker);

}  // namespace farm
