// The two channels of thread mode: a queue that hands batches of tasks to
// worker threads, and one channel that carries their results back to the
// coordinator thread. Every member is guarded by its object's mutex; the
// threads share nothing else that changes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

struct QueuedTask {
  uint64_t seq = 0;
  std::string json;  // the input line, checked to be valid JSON
};

struct FinishedTask {
  uint64_t seq = 0;
  bool ok = false;
  int worker = 0;
  std::string line;  // the result line, without '\n'
};

// Many producers would be fine; farm has one (the coordinator thread) and N
// consumers. Tasks travel in batches so tiny tasks cost one lock per batch,
// not one per task.
class TaskQueue {
 public:
  void Push(std::vector<QueuedTask> batch);
  // Waits for a batch; false once the queue is closed and empty.
  bool Pop(std::vector<QueuedTask>* batch);
  // No more batches will come: idle workers return from Pop().
  void Close();
  // Drops the batches no worker has taken yet; returns how many tasks.
  size_t Clear();

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::vector<QueuedTask>> batches_;
  bool closed_ = false;
};

// Results from every worker thread into the coordinator's ppoll(): an eventfd
// becomes readable when results are waiting, so the coordinator waits for
// results, input and signals in one call.
class ResultChannel {
 public:
  static Status Create(std::unique_ptr<ResultChannel>* channel);

  int fd() const { return event_fd_.get(); }

  // Moves *results into the channel (leaving it empty) and adds `busy_s`,
  // the time the worker spent running them, to the channel's tally.
  void Post(std::vector<FinishedTask>* results, double busy_s);

  // Takes everything posted so far, appending to *results; *busy_s gets the
  // time spent running them.
  void TakeAll(std::vector<FinishedTask>* results, double* busy_s);

 private:
  explicit ResultChannel(Fd event_fd) : event_fd_(std::move(event_fd)) {}

  Fd event_fd_;
  std::mutex mutex_;
  std::vector<FinishedTask> results_;
  double busy_s_ = 0;
  bool signaled_ = false;  // the eventfd was written since the last TakeAll()
};

}  // namespace farm
