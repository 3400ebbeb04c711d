// Thread mode's transport: a worker thread per slot in the coordinator's own
// process, each serving its own message queue with the same worker loop as a
// process (worker/worker_loop.h); replies come back through one channel the
// coordinator polls. Threads share the address space, so nothing can kill or
// limit one: --task-timeout and --memory-limit need process mode.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/thread_channels.h"
#include "coordinator/transport.h"

namespace farm {

class ThreadTransport : public Transport {
 public:
  // Call with SIGINT and SIGTERM blocked: the threads inherit the mask, so
  // stop signals reach the coordinator thread only.
  static Status Create(int workers, std::unique_ptr<ThreadTransport>* transport);
  ~ThreadTransport() override;

  int slots() const override { return static_cast<int>(slots_.size()); }
  bool trusted() const override { return true; }
  Status Start(int slot) override;
  void Send(int slot, std::string* messages) override;
  void CloseInput(int slot) override;
  std::string Kill(int slot) override;
  Status Wait(const WaitRequest& request, TransportEvents& events, bool* input_ready) override;
  void Stop(bool now) override;

 private:
  struct Worker;  // what a worker thread shares with the transport
  struct Slot {
    std::shared_ptr<Worker> worker;
    std::thread thread;
    uint64_t generation = 0;
  };

  ThreadTransport(int workers, std::shared_ptr<ReplyChannel> replies)
      : replies_(std::move(replies)), slots_(static_cast<size_t>(workers)) {}
  // Ends the slot's thread: waits for it, or with `abandon` leaves it to
  // finish its task alone (a thread can't be killed).
  void EndThread(Slot& slot, bool abandon);

  std::shared_ptr<ReplyChannel> replies_;
  std::vector<Slot> slots_;
  std::vector<ReplyChannel::Replies> taken_;
};

}  // namespace farm
