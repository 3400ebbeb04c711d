// The seam between the scheduler, which decides what each worker runs, and a
// transport, which starts workers and moves their messages (ninja's Builder
// and CommandRunner). A transport knows nothing of tasks, retries or order:
// it runs the workers in its slots, carries lines (common/wire.h) both ways,
// and says when a worker ended and how.
//
// What a new transport implements:
//   Start(slot)         start (or restart) the worker in a slot
//   Send(slot, msgs)    queue whole message lines for it
//   CloseInput(slot)    no more messages: it ends once it has replied
//   Kill(slot)          stop it now; says how it ended
//   Wait(request, ev)   wait for the workers, an input fd, a deadline or a
//                       signal; report lines and ends through `ev`
//   Stop(now)           end of the run: let workers finish, or not
#pragma once

#include <signal.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "coordinator/options.h"

namespace farm {

using Clock = std::chrono::steady_clock;

// What the scheduler learns from a transport while it waits.
class TransportEvents {
 public:
  virtual ~TransportEvents() = default;
  // One message line from the worker in `slot`. The scheduler may Kill()
  // that slot from here; no further line of that worker is reported then.
  virtual void OnMessage(int slot, std::string_view line) = 0;
  // The worker in `slot` ended by itself (it exited or died): `how` says
  // how, e.g. "killed by signal 9 (Killed)". Its slot is empty until the
  // next Start().
  virtual void OnEnded(int slot, const std::string& how) = 0;
};

struct WaitRequest {
  Clock::time_point until = Clock::time_point::max();  // max(): no deadline
  int input_fd = -1;                   // also wait for this to be readable
  const sigset_t* signal_mask = nullptr;  // the mask while waiting (stop signals let in)
};

// ppoll()'s timeout for a wait until `until`, into *storage: rounded up, so
// that a deadline has passed when the wait ends; nullptr for no deadline.
timespec* PollTimeout(Clock::time_point until, timespec* storage);

class Transport {
 public:
  virtual ~Transport() = default;

  virtual int slots() const = 0;
  // Replies from workers in the coordinator's own process are trusted to be
  // JSON; a process's are checked, since a broken one must not tear a line.
  virtual bool trusted() const = 0;

  virtual Status Start(int slot) = 0;
  // Takes the messages out of *messages (leaving it empty).
  virtual void Send(int slot, std::string* messages) = 0;
  virtual void CloseInput(int slot) = 0;
  virtual std::string Kill(int slot) = 0;
  // Returns whether input_fd became readable in *input_ready. An error is a
  // failure of the wait itself (the run cannot go on).
  virtual Status Wait(const WaitRequest& request, TransportEvents& events, bool* input_ready) = 0;
  // `now`: kill (or abandon) every worker; otherwise close their input and
  // give them a moment to exit.
  virtual void Stop(bool now) = 0;

  // How long a message takes there and back beyond the work, when that is
  // more than a pipe's microseconds (MPI between hosts): the scheduler
  // keeps that much more work queued per worker, and doesn't count it as
  // the work's time.
  virtual Clock::duration round_trip() const { return Clock::duration::zero(); }

  // A fast path, where the transport can see it without a message: the task
  // the worker in `slot` runs now and since when. False if it can't see, or
  // the worker runs none.
  virtual bool Running(int /*slot*/, uint64_t* /*seq*/, Clock::time_point* /*since*/) const {
    return false;
  }
};

// The transport of the run's mode, with a slot per worker (sequential mode
// has one).
Status MakeTransport(const RunOptions& options, std::unique_ptr<Transport>* transport);

}  // namespace farm
