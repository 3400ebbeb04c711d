// The Executor's side of the scheduler's seam (coordinator/task_feed.h): a
// feed of submitted tasks and an output that resolves their futures. The
// scheduler's own thread calls both; Submit, Get and Cancel come from any
// thread, through the Core's one mutex.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/fd.h"
#include "coordinator/task_feed.h"

namespace farm {

enum class Phase : int { kQueued, kSent, kDone, kCancelled };

// What futures wait on, shared by the Executor and every future it made.
struct Core {
  std::mutex mu;
  std::condition_variable cv;  // notified when any future is done or cancelled
};

struct FutureState {
  std::shared_ptr<Core> core;
  uint64_t seq = 0;
  std::string task;  // the task line
  bool fetch = false;
  std::atomic<Phase> phase{Phase::kQueued};
  std::atomic<double> progress{0};  // the task's last report, from the scheduler's thread
  // Set before phase becomes kDone, read after.
  std::string line;
  bool ok = false;
};

// Tasks submitted and not yet handed to the scheduler, under core->mu.
struct SubmitQueue {
  std::deque<std::shared_ptr<FutureState>> tasks;
  bool closed = false;  // Shutdown: no more tasks
  bool hungry = false;  // the scheduler waits for a task: wake it on Submit
  uint64_t next_seq = 1;
};

// The tasks sent and not yet resolved, by seq. The feed sends seqs in
// increasing order (a retry keeps its seq and does not pass through it), so
// a deque from the oldest unresolved seq does, without a node per task.
class SentTasks {
 public:
  void Add(std::shared_ptr<FutureState> state);
  // The task of `seq`, taken out; null if it is not there.
  std::shared_ptr<FutureState> Take(uint64_t seq);
  // The task of `seq`, left in; null if it is not there.
  FutureState* Find(uint64_t seq) const;
  std::deque<std::shared_ptr<FutureState>>& all() { return tasks_; }  // with nulls

 private:
  uint64_t first_ = 1;  // the seq of tasks_.front()
  std::deque<std::shared_ptr<FutureState>> tasks_;
};

class ExecutorFeed final : public TaskFeed {
 public:
  ExecutorFeed(std::shared_ptr<Core> core, SubmitQueue& queue, Fd wake, SentTasks& sent)
      : core_(std::move(core)), queue_(queue), wake_(std::move(wake)), sent_(sent) {}

  Next TakeRunnable(ResultOutput& output, InputTask* task) override;
  int fd() const override { return wake_.get(); }
  void ReadMore() override;
  bool always_poll() const override { return true; }  // Shutdown(false) wakes it
  // Wakes the scheduler from any thread.
  void Wake() const;
  // The tasks taken from the queue but never sent: cancelled at the end.
  std::deque<std::shared_ptr<FutureState>>& taken() { return taken_; }

 private:
  std::shared_ptr<Core> core_;
  SubmitQueue& queue_;
  Fd wake_;  // an eventfd
  SentTasks& sent_;
  std::deque<std::shared_ptr<FutureState>> taken_;  // a batch, to lock once per batch
};

class ExecutorOutput final : public ResultOutput {
 public:
  ExecutorOutput(std::shared_ptr<Core> core, SentTasks& sent)
      : core_(std::move(core)), sent_(sent) {}

  Status Open() override { return Status::Ok(); }
  void Add(uint64_t seq, std::string_view line, bool ok) override;
  void Skip(uint64_t /*seq*/) override {}
  // Shown at once: a report is rare (Context::Progress sends one per 100 ms).
  void Progress(uint64_t seq, double fraction) override;
  size_t held() const override { return 0; }
  // Resolves the futures of the lines added since the last flush, under one lock.
  Status Flush() override;
  uint64_t written() const override { return ok_ + failed_; }
  uint64_t failed() const override { return failed_; }
  uint64_t received_ok() const override { return ok_; }
  uint64_t received_failed() const override { return failed_; }

 private:
  std::shared_ptr<Core> core_;
  SentTasks& sent_;
  std::vector<std::shared_ptr<FutureState>> resolved_;
  uint64_t ok_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace farm
