// Sequential mode's transport: one worker in the coordinator's own thread,
// no concurrency at all. Tasks run as Wait() is called, one at a time (a
// fetch too); Wait() returns at least every 10 ms between two tasks, so stop
// signals and the input are seen while a batch runs. A task itself can't be
// interrupted, but what it reports while it runs (its progress) is handed on
// at once, from inside Wait().
#pragma once

#include <memory>
#include <string>

#include "coordinator/transport.h"
#include "worker/task_server.h"

namespace farm {

class InlineTransport : public Transport {
 public:
  int slots() const override { return 1; }
  bool trusted() const override { return true; }
  Status Start(int slot) override;
  void Send(int slot, std::string* messages) override;
  void CloseInput(int /*slot*/) override {}
  std::string Kill(int slot) override;
  Status Wait(const WaitRequest& request, TransportEvents& events, bool* input_ready) override;
  void Stop(bool /*now*/) override { server_.reset(); }

 private:
  void RunSome();
  // Hands the lines in *messages to events_, and empties it.
  void Deliver(std::string* messages);

  std::unique_ptr<TaskServer> server_;
  std::string pending_;  // messages not yet served
  size_t served_ = 0;    // bytes of pending_ served
  std::string replies_;
  TransportEvents* events_ = nullptr;  // during Wait()
};

}  // namespace farm
