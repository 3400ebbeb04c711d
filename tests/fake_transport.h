// A transport without processes or threads, for the scheduler's unit tests:
// it records what the scheduler sends, and a test script decides, at each
// wait, which worker replies, announces, dies or stays silent, and how much
// time passes. Every scheduling rule is then tested deterministically, in
// microseconds.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/wire.h"
#include "coordinator/transport.h"

namespace farm::testing {

class FakeTransport : public Transport {
 public:
  struct SentTask {
    uint64_t seq;
    int attempt;
    std::string json;
  };
  struct Worker {
    bool alive = false;
    bool input_closed = false;
    bool configured = false;  // its settings came first
    std::vector<SentTask> tasks;  // every task sent to this worker, in order
    uint64_t running = 0;         // what Running() reports; 0: can't see
    size_t replied = 0;           // tasks[0, replied) were replied to (by the script)
  };

  explicit FakeTransport(int slots) : workers_(static_cast<size_t>(slots)) {}

  // Called at each Wait(); the fake clock is the test's to move there.
  std::function<void(FakeTransport&, TransportEvents&)> on_wait;

  Worker& worker(int slot) { return workers_[static_cast<size_t>(slot)]; }
  int starts = 0;
  int kills = 0;
  int waits = 0;
  Clock::time_point until;  // of the last Wait()
  bool stopped_now = false;

  // Script helpers: worker `slot` sends a message.
  static void Reply(TransportEvents& events, int slot, uint64_t seq, bool ok = true);
  static void ReplyLine(TransportEvents& events, int slot, uint64_t seq, bool ok,
                        const std::string& result_line);
  static void Started(TransportEvents& events, int slot, uint64_t seq);
  static void OutOfMemory(TransportEvents& events, int slot, uint64_t seq);
  // Worker `slot` dies by itself.
  void Die(TransportEvents& events, int slot);

  int slots() const override { return static_cast<int>(workers_.size()); }
  bool trusted() const override { return false; }
  Status Start(int slot) override;
  void Send(int slot, std::string* messages) override;
  void CloseInput(int slot) override { worker(slot).input_closed = true; }
  std::string Kill(int slot) override;
  Status Wait(const WaitRequest& request, TransportEvents& events, bool* input_ready) override;
  void Stop(bool now) override { stopped_now = now; }
  bool Running(int slot, uint64_t* seq, Clock::time_point* since) const override;

  Clock::time_point running_since;

 private:
  std::vector<Worker> workers_;
};

}  // namespace farm::testing
