#include "coordinator/transport.h"

#include <algorithm>

#include "coordinator/inline_transport.h"
#include "coordinator/process_transport.h"
#include "coordinator/thread_transport.h"
#include "mpi/mpi_mode.h"

namespace farm {

timespec* PollTimeout(Clock::time_point until, timespec* storage) {
  if (until == Clock::time_point::max()) return nullptr;
  Clock::duration wait = std::max(until - Clock::now(), Clock::duration::zero());
  if (wait == Clock::duration::zero()) {
    *storage = {0, 0};
    return storage;
  }
  int64_t ns = std::min<int64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count() + 1000,
      int64_t{86'400} * 1'000'000'000);  // wake at least daily: nothing can overflow
  storage->tv_sec = ns / 1'000'000'000;
  storage->tv_nsec = ns % 1'000'000'000;
  return storage;
}

Status MakeTransport(const RunOptions& options, std::unique_ptr<Transport>* transport) {
  switch (options.mode) {
    case Mode::kProcess:
      *transport = std::make_unique<ProcessTransport>(
          options.workers, [dir = options.fetch.out_dir](std::unique_ptr<WorkerProcess>* worker) {
            return ForkedWorker::Spawn(dir, worker);
          });
      return Status::Ok();
    case Mode::kThread: {
      std::unique_ptr<ThreadTransport> threads;
      Status status = ThreadTransport::Create(options.workers, &threads);
      *transport = std::move(threads);
      return status;
    }
    case Mode::kSequential:
      *transport = std::make_unique<InlineTransport>();
      return Status::Ok();
    case Mode::kMpi:
      return MakeMpiTransport(options.workers, transport);
  }
  return Status::Error("unknown mode");
}

}  // namespace farm
