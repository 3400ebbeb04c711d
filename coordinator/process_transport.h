// Process mode's transport: a forked worker process per slot, two
// non-blocking pipes each, one ppoll() over all of them. The task a worker
// runs is read from a page it shares with the coordinator, so blame costs
// the worker no message. An MPI node agent runs its local workers through
// this transport too, with workers its launcher forks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/line_splitter.h"
#include "common/wire.h"
#include "coordinator/transport.h"
#include "coordinator/worker_process.h"

namespace farm {

class ProcessTransport : public Transport {
 public:
  // `spawn` starts a worker process: forked here (process mode), or by a
  // launcher (an MPI agent).
  ProcessTransport(int workers, SpawnWorker spawn);

  int slots() const override { return static_cast<int>(slots_.size()); }
  bool trusted() const override { return false; }
  Status Start(int slot) override;
  void Send(int slot, std::string* messages) override;
  void CloseInput(int slot) override;
  std::string Kill(int slot) override;
  Status Wait(const WaitRequest& request, TransportEvents& events, bool* input_ready) override;
  void Stop(bool now) override;
  bool Running(int slot, uint64_t* seq, Clock::time_point* since) const override;

 private:
  struct Slot {
    std::unique_ptr<WorkerProcess> process;
    uint64_t generation = 0;  // changes with each process, so stale events are dropped
    std::string outbox;
    size_t outbox_sent = 0;
    bool close_when_sent = false;
    LineSplitter inbox{wire::kMaxReplyLine};
    // What an ended worker was running when it ended, read from its page
    // before the page went: Running() says it until the slot restarts.
    uint64_t ended_seq = 0;
    Clock::time_point ended_since;

    bool has_output() const { return outbox_sent < outbox.size(); }
  };

  void Flush(int index, TransportEvents* events);
  void Read(int index, TransportEvents& events);
  // Its output ended or its input broke: the worker exited or died.
  void Ended(int index, TransportEvents& events);
  void Forget(Slot& slot);

  SpawnWorker spawn_;
  std::vector<Slot> slots_;
  std::string chunk_;
};

}  // namespace farm
