// A worker that runs out of memory (its --memory-limit, or the machine's)
// ends itself with wire::kExitOutOfMemory instead of GMP's abort() or an
// uncaught std::bad_alloc; the coordinator then fails the task it was
// running with a clear message and starts a fresh worker.
#pragma once

namespace farm {

// Routes GMP's allocations, and operator new's failures, to that exit.
// Call once in a forked worker before it runs tasks. GMP has no way to
// recover from a failed allocation (throwing through it is undefined), so
// the worker process ends: its memory is the one thing we can trust to be
// released.
void ExitWhenOutOfMemory(int worker_index);

}  // namespace farm
