#include "common/running_task.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include <new>

namespace farm {

static_assert(std::atomic<uint64_t>::is_always_lock_free &&
                  std::atomic<int64_t>::is_always_lock_free,
              "the shared page needs lock-free atomics");

void RunningTask::KillCommandGroup() {
  int32_t group = command_group.exchange(0, std::memory_order_acq_rel);
  if (group > 0) kill(-group, SIGKILL);
}

void UnmapRunningTask::operator()(RunningTask* running) const {
  running->~RunningTask();
  munmap(running, sizeof(RunningTask));
}

Status MapSharedRunningTask(SharedRunningTask* running) {
  void* page = mmap(nullptr, sizeof(RunningTask), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return Status::FromErrno("mmap", errno);
  running->reset(new (page) RunningTask());
  return Status::Ok();
}

Status MapSharedRunningTask(int fd, SharedRunningTask* running) {
  void* page = mmap(nullptr, sizeof(RunningTask), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (page == MAP_FAILED) return Status::FromErrno("mmap", errno);
  // Zero bytes are a RunningTask at rest; another process may already use
  // it, so it is not constructed again here.
  running->reset(std::launder(reinterpret_cast<RunningTask*>(page)));
  return Status::Ok();
}

}  // namespace farm
