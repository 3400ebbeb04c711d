#include "coordinator/worker_thread.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "worker/run_task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Results of quick tasks are posted together; none waits longer than this
// behind the rest of its batch, so progress and --keep-order stay prompt.
constexpr auto kMaxResultDelay = std::chrono::milliseconds(1);

}  // namespace

void ServeQueue(TaskQueue& queue, ResultChannel& results, WorkerContext& worker) {
  std::vector<QueuedTask> batch;
  std::vector<FinishedTask> finished;
  while (queue.Pop(&batch)) {
    Clock::time_point posted = Clock::now();
    for (QueuedTask& task : batch) {
      // Parsed here, not in the coordinator, so that thread only moves lines.
      nlohmann::json parsed = nlohmann::json::parse(task.json, nullptr, /*allow_exceptions=*/false);
      FinishedTask& done = finished.emplace_back();
      done.seq = task.seq;
      done.worker = worker.index;
      done.ok = RunTask(task.seq, /*attempt=*/1, parsed, worker, &done.line);
      Clock::time_point now = Clock::now();
      if (now - posted >= kMaxResultDelay) {
        results.Post(&finished, std::chrono::duration<double>(now - posted).count());
        posted = now;
      }
    }
    if (!finished.empty())
      results.Post(&finished, std::chrono::duration<double>(Clock::now() - posted).count());
  }
}

}  // namespace farm
