#include "coordinator/worker_thread.h"

#include <chrono>
#include <utility>

#include <nlohmann/json.hpp>

#include "worker/fetch_tasks.h"
#include "worker/run_task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Results of quick tasks are posted together; none waits longer than this
// behind the rest of its batch, so progress and --keep-order stay prompt.
constexpr auto kMaxResultDelay = std::chrono::milliseconds(1);

// One worker thread: CPU tasks run one at a time; fetches go to the thread's
// own curl multi handle, so it overlaps --concurrency transfers the way a
// worker process does.
class WorkerThread {
 public:
  WorkerThread(TaskQueue& queue, ResultChannel& results, WorkerContext& worker)
      : queue_(queue), results_(results), worker_(worker), fetches_(worker) {}

  void Run();

 private:
  void RunBatch(const TaskBatch& batch);
  void WaitForTransfers();
  void Finished(uint64_t seq, bool ok, std::string_view line);
  void Post();

  TaskQueue& queue_;
  ResultChannel& results_;
  WorkerContext& worker_;
  FetchTasks fetches_;
  ResultBatch finished_;
  Clock::time_point posted_ = Clock::now();
  bool queue_closed_ = false;
};

void WorkerThread::Run() {
  TaskBatch batch;
  for (;;) {
    if (fetches_.in_flight() > 0) {
      WaitForTransfers();
      continue;
    }
    Post();
    if (!queue_.Pop(&batch)) return;
    posted_ = Clock::now();
    RunBatch(batch);
  }
}

// With transfers in flight: take more tasks while there is room for more
// transfers, otherwise wait on the sockets and the queue together.
void WorkerThread::WaitForTransfers() {
  bool room = fetches_.in_flight() < static_cast<size_t>(worker_.fetch.concurrency);
  if (room && !queue_closed_) {
    TaskBatch batch;
    switch (queue_.TryPop(&batch)) {
      case TaskQueue::Taken::kBatch:
        return RunBatch(batch);
      case TaskQueue::Taken::kClosed:
        queue_closed_ = true;
        break;
      case TaskQueue::Taken::kEmpty:
        break;
    }
  }
  bool queue_ready = false;
  fetches_.Wait(room && !queue_closed_ ? queue_.ready_fd() : -1, &queue_ready);
  fetches_.TakeFinished(
      [this](uint64_t seq, bool ok, std::string_view line) { Finished(seq, ok, line); });
  Post();
}

void WorkerThread::RunBatch(const TaskBatch& batch) {
  std::string_view text = batch.text;
  for (const TaskBatch::Entry& task : batch.tasks) {
    // Parsed here, not in the coordinator, so that thread only moves lines.
    nlohmann::json parsed = nlohmann::json::parse(text.substr(0, task.size), nullptr,
                                                  /*allow_exceptions=*/false);
    text.remove_prefix(task.size);
    if (fetches_.Start(task.seq, /*attempt=*/1, parsed)) continue;
    size_t before = finished_.text.size();
    bool ok = RunTask(task.seq, /*attempt=*/1, parsed, worker_, &finished_.text);
    finished_.results.push_back({task.seq, finished_.text.size() - before, ok, worker_.index});
    if (Clock::now() - posted_ >= kMaxResultDelay) Post();
  }
}

void WorkerThread::Finished(uint64_t seq, bool ok, std::string_view line) {
  finished_.text.append(line);
  finished_.results.push_back({seq, line.size(), ok, worker_.index});
}

void WorkerThread::Post() {
  Clock::time_point now = Clock::now();
  if (finished_.size() > 0) {
    finished_.busy_s = std::chrono::duration<double>(now - posted_).count();
    results_.Post(std::exchange(finished_, ResultBatch()));
  }
  posted_ = now;
}

}  // namespace

void ServeQueue(TaskQueue& queue, ResultChannel& results, WorkerContext& worker) {
  WorkerThread(queue, results, worker).Run();
}

}  // namespace farm
