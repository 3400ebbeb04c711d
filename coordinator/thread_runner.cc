#include "coordinator/thread_runner.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include <algorithm>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "common/rng.h"
#include "coordinator/progress.h"
#include "coordinator/signals.h"
#include "coordinator/thread_channels.h"
#include "coordinator/worker_thread.h"

namespace farm {
namespace {

// A batch holds about this much work, so tiny tasks cost one hand-over per
// batch while coarse tasks go one at a time and keep every thread busy.
constexpr double kBatchSeconds = 0.001;
constexpr size_t kMaxBatch = 256;
// --keep-order: stop handing out tasks while this many results wait for an
// earlier one (as in process mode).
constexpr size_t kMaxHeldResults = 100'000;

// What the worker threads use. Shared ownership, so threads abandoned by a
// second Ctrl-C never outlive what they touch.
struct Pool {
  std::unique_ptr<TaskQueue> queue;
  std::unique_ptr<ResultChannel> results;
  std::vector<WorkerContext> workers;
};

class ThreadRunner {
 public:
  ThreadRunner(const RunOptions& options, TaskSource& source, ResultSink& sink,
               RunSummary* summary)
      : options_(options), source_(source), sink_(sink), summary_(summary),
        progress_(options) {}

  bool Run(std::string* error);

 private:
  bool Start(std::string* error);
  bool NextTask(TaskBatch* batch);
  void Dispatch();
  bool WaitForEvents();
  void Collect();
  void Stop(bool abandon);

  const RunOptions& options_;
  TaskSource& source_;
  ResultSink& sink_;
  RunSummary* summary_;
  Progress progress_;
  StopSignals signals_;  // before the threads start: they inherit the blocked mask
  std::shared_ptr<Pool> pool_;
  std::vector<std::thread> threads_;
  std::vector<ResultBatch> finished_;
  size_t in_flight_ = 0;  // tasks queued or running
  size_t batch_size_ = 1;
  double mean_task_s_ = 0;
  bool input_done_ = false;
  bool input_wanted_ = false;  // out of buffered input, and the fd may block
  bool draining_ = false;      // first stop signal: no new tasks
  bool fetch_seen_ = false;    // fetches wait on the network: queue more
};

bool ThreadRunner::Start(std::string* error) {
  pool_ = std::make_shared<Pool>();
  Status s = TaskQueue::Create(&pool_->queue);
  if (s.ok()) s = ResultChannel::Create(&pool_->results);
  if (!s.ok()) {
    *error = s.message();
    return false;
  }
  // Seeded exactly like worker processes, so every mode draws the same streams.
  pool_->workers.resize(static_cast<size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) {
    WorkerContext& worker = pool_->workers[static_cast<size_t>(i)];
    worker.index = i;
    worker.master_seed = options_.seed;
    worker.seed = WorkerSeed(options_.seed, static_cast<uint64_t>(i), 0);
    worker.rng = Rng(worker.seed);
    worker.fetch = options_.fetch;
  }
  for (int i = 0; i < options_.workers; ++i) {
    std::shared_ptr<Pool> pool = pool_;
    try {
      threads_.emplace_back([pool, i] {
        ServeQueue(*pool->queue, *pool->results, pool->workers[static_cast<size_t>(i)]);
      });
    } catch (const std::system_error& e) {
      *error = std::string("cannot start worker thread: ") + e.what();
      Stop(/*abandon=*/false);
      return false;
    }
  }
  summary_->tasks_per_worker.assign(static_cast<size_t>(options_.workers), 0);
  return true;
}

// Adds the next task from the input to *batch; error lines go straight to
// the sink. False when there is none to add now.
bool ThreadRunner::NextTask(TaskBatch* batch) {
  input_wanted_ = false;
  if (draining_ || input_done_) return false;
  if (options_.keep_order && sink_.held() >= kMaxHeldResults) return false;
  InputTask input;
  switch (source_.TakeRunnable(sink_, &input)) {
    case TaskSource::Next::kEnd:
      input_done_ = true;
      return false;
    case TaskSource::Next::kNeedInput:
      input_wanted_ = true;
      return false;
    case TaskSource::Next::kTask:
      break;
  }
  batch->Add(input.seq, input.json);
  fetch_seen_ |= input.fetch;
  return true;
}

// Keeps about two batches per thread queued, so none waits for the coordinator;
// with fetches, enough for every thread's transfers and as many again.
void ThreadRunner::Dispatch() {
  size_t per_thread = batch_size_ * 2;
  if (fetch_seen_) per_thread = std::max(per_thread, 2 * static_cast<size_t>(options_.fetch.concurrency));
  const size_t limit = static_cast<size_t>(options_.workers) * per_thread;
  bool more = true;
  while (more && in_flight_ < limit) {
    TaskBatch batch;
    batch.tasks.reserve(batch_size_);
    while (batch.size() < batch_size_ && (more = NextTask(&batch))) {
    }
    if (batch.size() == 0) break;
    in_flight_ += batch.size();
    pool_->queue->Push(std::move(batch));
  }
}

bool ThreadRunner::WaitForEvents() {
  pollfd fds[2] = {{pool_->results->fd(), POLLIN, 0}, {source_.fd(), POLLIN, 0}};
  bool poll_input = input_wanted_ && !draining_;
  if (Status s = sink_.Flush(); !s.ok()) return false;
  timespec tick = {0, 200'000'000};  // redraw progress
  int ready = ppoll(fds, poll_input ? 2 : 1, options_.progress ? &tick : nullptr,
                    signals_.wait_mask());
  if (ready < 0 && errno != EINTR) return false;
  if (poll_input && fds[1].revents != 0) {
    source_.ReadMore();
  }
  return true;
}

void ThreadRunner::Collect() {
  finished_.clear();
  pool_->results->TakeAll(&finished_);
  if (finished_.empty()) return;
  double busy_s = 0;
  size_t count = 0;
  for (const ResultBatch& batch : finished_) {
    std::string_view text = batch.text;
    for (const ResultBatch::Entry& result : batch.results) {
      sink_.Add(result.seq, text.substr(0, result.size), result.ok);
      text.remove_prefix(result.size);
      ++summary_->tasks_per_worker[static_cast<size_t>(result.worker)];
    }
    busy_s += batch.busy_s;
    count += batch.size();
  }
  in_flight_ -= count;
  double per_task = busy_s / static_cast<double>(count);
  mean_task_s_ = mean_task_s_ == 0 ? per_task : 0.8 * mean_task_s_ + 0.2 * per_task;
  batch_size_ = static_cast<size_t>(std::clamp(kBatchSeconds / std::max(mean_task_s_, 1e-7), 1.0,
                                               static_cast<double>(kMaxBatch)));
}

// Ends the pool. Threads can't be killed: with `abandon` (a second Ctrl-C)
// they are left to die with the process instead of being waited for.
void ThreadRunner::Stop(bool abandon) {
  pool_->queue->Clear();
  pool_->queue->Close();
  for (std::thread& thread : threads_) abandon ? thread.detach() : thread.join();
  threads_.clear();
}

bool ThreadRunner::Run(std::string* error) {
  if (!Start(error)) return false;
  if (Status s = sink_.Open(); !s.ok()) {  // now that the threads run, not before
    *error = s.message();
    Stop(/*abandon=*/false);
    return false;
  }
  int stops_seen = 0;
  bool abandon = false;
  for (;;) {
    if (StopSignals::count() > stops_seen) {
      stops_seen = StopSignals::count();
      summary_->interrupted = true;
      if (stops_seen == 1 && in_flight_ > 0) {
        draining_ = true;
        in_flight_ -= pool_->queue->Clear();  // not started: they stay undone
        Say("\nfarm: stopping: letting the tasks in flight finish; "
            "press Ctrl-C again to stop at once\n");
      } else {
        abandon = in_flight_ > 0;
        break;
      }
    }
    Dispatch();
    if (in_flight_ == 0 && (draining_ || input_done_)) break;
    if (!WaitForEvents()) {
      *error = "cannot write the results";
      Stop(/*abandon=*/true);
      return false;
    }
    Collect();
    progress_.Update(sink_.written(), sink_.failed(), source_.fraction_read());
  }
  progress_.Clear();
  Stop(abandon);
  return true;
}

}  // namespace

bool RunThreads(const RunOptions& options, TaskSource& source, ResultSink& sink,
                RunSummary* summary, std::string* error) {
  ThreadRunner runner(options, source, sink, summary);
  return runner.Run(error);
}

}  // namespace farm
