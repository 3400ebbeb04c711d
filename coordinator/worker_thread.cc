#include "coordinator/worker_thread.h"

#include <chrono>
#include <utility>

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
  TaskBatch batch;
  ResultBatch finished;
  // Fetch tasks belong to this thread's own curl multi handle, kept in
  // `worker` and driven here, so a thread overlaps --concurrency transfers
  // the way a worker process does; CPU tasks run one at a time below.
  while (queue.Pop(&batch)) {
    Clock::time_point posted = Clock::now();
    std::string_view text = batch.text;
    for (const TaskBatch::Entry& task : batch.tasks) {
      // Parsed here, not in the coordinator, so that thread only moves lines.
      nlohmann::json parsed = nlohmann::json::parse(text.substr(0, task.size), nullptr,
                                                    /*allow_exceptions=*/false);
      text.remove_prefix(task.size);
      size_t before = finished.text.size();
      bool ok = RunTask(task.seq, /*attempt=*/1, parsed, worker, &finished.text);
      finished.results.push_back({task.seq, finished.text.size() - before, ok, worker.index});
      Clock::time_point now = Clock::now();
      if (now - posted >= kMaxResultDelay) {
        finished.busy_s = std::chrono::duration<double>(now - posted).count();
        results.Post(std::exchange(finished, ResultBatch()));
        posted = now;
      }
    }
    if (finished.size() > 0) {
      finished.busy_s = std::chrono::duration<double>(Clock::now() - posted).count();
      results.Post(std::exchange(finished, ResultBatch()));
    }
  }
}

}  // namespace farm
