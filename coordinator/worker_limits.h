// What N worker processes need of the per-process limits, checked before
// anything runs, so that a run that cannot start is refused (exit 2) instead
// of failing halfway through its start with its output already truncated.
#pragma once

#include "common/status.h"

namespace farm {

// Worker processes hold two pipe ends each in the coordinator, and each is
// forked holding all of the coordinator's descriptors. Raises the soft
// RLIMIT_NOFILE when it is too low for `workers` and the hard limit allows;
// otherwise says how many workers fit. Call just before forking them.
Status EnsureDescriptorsForWorkers(int workers);

// A worker starts as a copy of the coordinator, binary, libraries and heap
// included, so --memory-limit must leave room above the coordinator's own
// address space. Fails naming the smallest limit that does, in MB. Call just
// before forking the workers: the heap grows with what the run loaded.
Status CheckMemoryLimit(int limit_mb);

}  // namespace farm
