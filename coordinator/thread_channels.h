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
#include <string_view>
#include <vector>

#include "common/fd.h"
#include "common/status.h"

namespace farm {

// Tasks and results travel in batches, each batch one string of JSON texts
// back to back plus an index: tiny tasks then cost one lock and a few
// allocations per batch, not per task.
struct TaskBatch {
  struct Entry {
    uint64_t seq;
    size_t size;
  };
  std::string text;
  std::vector<Entry> tasks;

  void Add(uint64_t seq, std::string_view json) {
    text.append(json);
    tasks.push_back({seq, json.size()});
  }
  size_t size() const { return tasks.size(); }
};

struct ResultBatch {
  struct Entry {
    uint64_t seq;
    size_t size;
    bool ok;
    int worker;
  };
  std::string text;  // result lines, without '\n'
  std::vector<Entry> results;
  double busy_s = 0;  // time the worker spent running them

  size_t size() const { return results.size(); }
};

// One producer (the coordinator thread), N consumers (the workers).
class TaskQueue {
 public:
  static Status Create(std::unique_ptr<TaskQueue>* queue);

  void Push(TaskBatch batch);
  // Waits for a batch; false once the queue is closed and empty.
  bool Pop(TaskBatch* batch);

  // Without waiting: a batch, nothing yet, or closed and empty.
  enum class Taken { kBatch, kEmpty, kClosed };
  Taken TryPop(TaskBatch* batch);
  // Readable while a batch waits or the queue is closed: a worker busy with
  // transfers waits on it together with its sockets.
  int ready_fd() const { return ready_fd_.get(); }

  // No more batches will come: idle workers return from Pop().
  void Close();
  // Drops the batches no worker has taken yet; returns how many tasks.
  size_t Clear();

 private:
  explicit TaskQueue(Fd ready_fd) : ready_fd_(std::move(ready_fd)) {}
  // Called with mutex_ held: makes ready_fd_ readable exactly while a batch
  // waits or the queue is closed.
  void UpdateReadyFd();

  Fd ready_fd_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<TaskBatch> batches_;
  bool closed_ = false;
  bool signaled_ = false;  // ready_fd_ holds a count
};

// Results from every worker thread into the coordinator's ppoll(): an eventfd
// becomes readable when results are waiting, so the coordinator waits for
// results, input and signals in one call.
class ResultChannel {
 public:
  static Status Create(std::unique_ptr<ResultChannel>* channel);

  int fd() const { return event_fd_.get(); }

  void Post(ResultBatch batch);

  // Takes every batch posted so far; *batches must be empty.
  void TakeAll(std::vector<ResultBatch>* batches);

 private:
  explicit ResultChannel(Fd event_fd) : event_fd_(std::move(event_fd)) {}

  Fd event_fd_;
  std::mutex mutex_;
  std::vector<ResultBatch> batches_;
  bool signaled_ = false;  // the eventfd was written since the last TakeAll()
};

}  // namespace farm
