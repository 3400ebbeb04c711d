#include "coordinator/thread_channels.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace farm {
namespace {

// A worker's queue holds a batch or two: its spares are the batches read.
constexpr size_t kQueueSpares = 4;

// A buffer grown past kMaxSpareBytes by a huge result is freed, not kept
// for the rest of the run.
constexpr size_t kMaxSpareBytes = 4 << 20;

// Keeps `buffer`, emptied, among at most `max` spares. One still within a
// string's own small buffer is no spare at all.
void KeepSpare(std::string&& buffer, size_t max, std::vector<std::string>* spares) {
  if (spares->size() >= max || buffer.capacity() <= std::string().capacity() ||
      buffer.capacity() > kMaxSpareBytes)
    return;
  buffer.clear();
  spares->push_back(std::move(buffer));
}

// Swaps *buffer for a spare (or an empty string if none is left).
void SwapForSpare(std::string* buffer, std::vector<std::string>* spares, std::string* taken) {
  *taken = std::move(*buffer);
  buffer->clear();
  if (!spares->empty()) {
    buffer->swap(spares->back());
    spares->pop_back();
  }
}

Status MakeEventFd(Fd* fd) {
  fd->reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  return fd->valid() ? Status::Ok() : Status::FromErrno("eventfd", errno);
}

}  // namespace

Status MessageQueue::Create(std::unique_ptr<MessageQueue>* queue) {
  Fd fd;
  if (Status s = MakeEventFd(&fd); !s.ok()) return s;
  queue->reset(new MessageQueue(std::move(fd)));
  return Status::Ok();
}

void MessageQueue::UpdateReadyFd() {
  bool want = closed_ || !pending_.empty();
  if (want == signaled_) return;
  uint64_t count = 1;
  if (want) {
    (void)!::write(ready_fd_.get(), &count, sizeof count);
  } else {
    (void)!::read(ready_fd_.get(), &count, sizeof count);
  }
  signaled_ = want;
}

void MessageQueue::Push(std::string* messages) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.emplace_back();
    SwapForSpare(messages, &spare_, &pending_.back());
    UpdateReadyFd();
  }
  ready_.notify_one();
}

bool MessageQueue::Pop(std::string* messages) {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait(lock, [this] { return !pending_.empty() || closed_; });
  if (pending_.empty()) return false;
  messages->swap(pending_.front());
  KeepSpare(std::move(pending_.front()), kQueueSpares, &spare_);
  pending_.pop_front();
  UpdateReadyFd();
  return true;
}

void MessageQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    UpdateReadyFd();
  }
  ready_.notify_all();
}

Status ReplyChannel::Create(int workers, std::unique_ptr<ReplyChannel>* channel) {
  Fd fd;
  if (Status s = MakeEventFd(&fd); !s.ok()) return s;
  channel->reset(new ReplyChannel(std::move(fd), static_cast<size_t>(workers) + 1));
  return Status::Ok();
}

void ReplyChannel::Post(int slot, uint64_t generation, std::string* messages) {
  Pend({slot, generation, {}}, messages);
}

void ReplyChannel::PostEnd(int slot, uint64_t generation, std::string how) {
  Pend({slot, generation, std::move(how), /*ended=*/true}, nullptr);
}

void ReplyChannel::Pend(Replies replies, std::string* messages) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(std::move(replies));
    if (messages != nullptr) SwapForSpare(messages, &spare_, &pending_.back().messages);
    if (signaled_) return;  // one wake-up for many posts: they are taken all at once
    signaled_ = true;
  }
  uint64_t one = 1;
  (void)!::write(event_fd_.get(), &one, sizeof one);
}

void ReplyChannel::TakeAll(std::vector<Replies>* replies) {
  // Reset the eventfd before taking, so a Post() that lands after the swap
  // writes it again and the next ppoll() wakes for it.
  uint64_t count;
  (void)!::read(event_fd_.get(), &count, sizeof count);
  std::lock_guard<std::mutex> lock(mutex_);
  replies->swap(pending_);
  signaled_ = false;
}

void ReplyChannel::Recycle(std::vector<Replies>* replies) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Replies& reply : *replies) KeepSpare(std::move(reply.messages), max_spares_, &spare_);
  replies->clear();
}

}  // namespace farm
