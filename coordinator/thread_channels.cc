#include "coordinator/thread_channels.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace farm {

Status TaskQueue::Create(std::unique_ptr<TaskQueue>* queue) {
  Fd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd.valid()) return Status::FromErrno("eventfd", errno);
  queue->reset(new TaskQueue(std::move(fd)));
  return Status::Ok();
}

void TaskQueue::UpdateReadyFd() {
  bool want = closed_ || !batches_.empty();
  if (want == signaled_) return;
  uint64_t count = 1;
  if (want) {
    (void)!::write(ready_fd_.get(), &count, sizeof count);
  } else {
    (void)!::read(ready_fd_.get(), &count, sizeof count);
  }
  signaled_ = want;
}

void TaskQueue::Push(TaskBatch batch) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.push_back(std::move(batch));
    UpdateReadyFd();
  }
  ready_.notify_one();
}

bool TaskQueue::Pop(TaskBatch* batch) {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait(lock, [this] { return !batches_.empty() || closed_; });
  if (batches_.empty()) return false;
  *batch = std::move(batches_.front());
  batches_.pop_front();
  UpdateReadyFd();
  return true;
}

TaskQueue::Taken TaskQueue::TryPop(TaskBatch* batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (batches_.empty()) return closed_ ? Taken::kClosed : Taken::kEmpty;
  *batch = std::move(batches_.front());
  batches_.pop_front();
  UpdateReadyFd();
  return Taken::kBatch;
}

void TaskQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    UpdateReadyFd();
  }
  ready_.notify_all();
}

size_t TaskQueue::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t dropped = 0;
  for (const auto& batch : batches_) dropped += batch.size();
  batches_.clear();
  UpdateReadyFd();
  return dropped;
}

Status ResultChannel::Create(std::unique_ptr<ResultChannel>* channel) {
  Fd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd.valid()) return Status::FromErrno("eventfd", errno);
  channel->reset(new ResultChannel(std::move(fd)));
  return Status::Ok();
}

void ResultChannel::Post(ResultBatch batch) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.push_back(std::move(batch));
    wake = !signaled_;
    signaled_ = true;
  }
  // One write per wake-up, not per batch: the coordinator takes them all.
  if (wake) {
    uint64_t one = 1;
    (void)!::write(event_fd_.get(), &one, sizeof one);
  }
}

void ResultChannel::TakeAll(std::vector<ResultBatch>* batches) {
  // Reset the eventfd before taking, so a Post() that lands after the swap
  // writes it again and the next ppoll() wakes for it.
  uint64_t count;
  (void)!::read(event_fd_.get(), &count, sizeof count);
  std::lock_guard<std::mutex> lock(mutex_);
  batches->swap(batches_);
  signaled_ = false;
}

}  // namespace farm
