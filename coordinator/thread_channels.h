// The channels of thread mode: a queue of messages to each worker thread,
// and one channel that carries every thread's replies back to the
// coordinator thread. Both carry wire messages (common/wire.h), many lines
// to a string, so tiny tasks cost one lock per batch, not per task. Every
// member is guarded by its object's mutex; the threads share nothing else
// that changes.
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

// From the coordinator thread to one worker thread.
class MessageQueue {
 public:
  static Status Create(std::unique_ptr<MessageQueue>* queue);

  void Push(std::string messages);
  // Waits for messages; false once the queue is closed and empty.
  bool Pop(std::string* messages);
  // Readable while messages wait or the queue is closed: a worker busy with
  // transfers waits on it together with its sockets.
  int ready_fd() const { return ready_fd_.get(); }
  // No more messages will come: an idle worker's Pop() returns false.
  void Close();

 private:
  explicit MessageQueue(Fd ready_fd) : ready_fd_(std::move(ready_fd)) {}
  // Called with mutex_ held: makes ready_fd_ readable exactly while messages
  // wait or the queue is closed.
  void UpdateReadyFd();

  Fd ready_fd_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> pending_;
  bool closed_ = false;
  bool signaled_ = false;  // ready_fd_ holds a count
};

// From every worker thread into the coordinator's ppoll(): an eventfd becomes
// readable when replies wait, so the coordinator waits for replies, input
// and signals in one call.
class ReplyChannel {
 public:
  struct Replies {
    int slot;
    uint64_t generation;  // of the slot's worker that sent them
    std::string messages;
  };

  static Status Create(std::unique_ptr<ReplyChannel>* channel);

  int fd() const { return event_fd_.get(); }
  void Post(Replies replies);
  // Takes everything posted so far; *replies must be empty.
  void TakeAll(std::vector<Replies>* replies);

 private:
  explicit ReplyChannel(Fd event_fd) : event_fd_(std::move(event_fd)) {}

  Fd event_fd_;
  std::mutex mutex_;
  std::vector<Replies> pending_;
  bool signaled_ = false;  // the eventfd was written since the last TakeAll()
};

}  // namespace farm
