// The channels of thread mode: a queue of messages to each worker thread,
// and one channel that carries every thread's replies back to the
// coordinator thread. Both carry wire messages (common/wire.h), many lines
// to a string, so tiny tasks cost one lock per batch, not per task. The
// strings go back and forth: each side swaps its full buffer for an empty
// one the other side is done with, so a batch costs no allocation and no
// thread frees what another allocated (slow in malloc, and page faults for
// every fresh buffer), except for a buffer a huge result grew. Every member
// is guarded by its object's mutex; the threads share nothing else that
// changes.
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

  // Queues *messages, leaving in it an emptied buffer to fill next.
  void Push(std::string* messages);
  // Waits for messages and swaps them into *messages, whose old buffer goes
  // back for Push() to reuse; false once the queue is closed and empty.
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
  std::vector<std::string> spare_;  // emptied buffers, for Push()
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
    std::string messages;  // or, if it ended, how
    bool ended = false;    // its last: the worker's thread returned on an error
  };

  // Keeps a spare buffer for each of `workers`, and one more.
  static Status Create(int workers, std::unique_ptr<ReplyChannel>* channel);

  int fd() const { return event_fd_.get(); }
  // Posts *messages, leaving in it an emptied buffer to fill next.
  void Post(int slot, uint64_t generation, std::string* messages);
  // Posts the end of a worker that stopped by itself, and how.
  void PostEnd(int slot, uint64_t generation, std::string how);
  // Takes everything posted so far; *replies must be empty.
  void TakeAll(std::vector<Replies>* replies);
  // Gives the buffers of replies read back for Post() to reuse, and empties
  // *replies.
  void Recycle(std::vector<Replies>* replies);

 private:
  ReplyChannel(Fd event_fd, size_t max_spares)
      : event_fd_(std::move(event_fd)), max_spares_(max_spares) {}

  // Adds `replies`, with *messages swapped in if given, and wakes the
  // coordinator unless a wake-up is pending.
  void Pend(Replies replies, std::string* messages);

  Fd event_fd_;
  const size_t max_spares_;
  std::mutex mutex_;
  std::vector<Replies> pending_;
  std::vector<std::string> spare_;  // emptied buffers, for Post()
  bool signaled_ = false;  // the eventfd was written since the last TakeAll()
};

}  // namespace farm
