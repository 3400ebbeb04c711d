// Ctrl-C in two stages, as GNU parallel users expect: the first SIGINT or
// SIGTERM stops handing out tasks and lets running ones finish; the second
// stops at once. Handlers only count; the signals stay blocked except while
// the event loop waits in ppoll(), so a signal never lands mid-update.
#pragma once

#include <signal.h>

#include <cstddef>
#include <string_view>

namespace farm {

// Blocks SIGINT and SIGTERM, installs the counting handlers and ignores
// SIGPIPE (a write to a dead worker is then EPIPE, not our death). *wait_mask
// gets the mask to pass to ppoll(). Restores everything when destroyed.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const sigset_t* wait_mask() const { return &wait_mask_; }
  // How many stop signals arrived so far.
  static int count();
  // The same, once the signals still pending are taken: a ppoll() that
  // finds an fd ready returns without letting them in, so a loop whose input
  // is always ready would never see them otherwise. A system call: once per
  // turn of a loop.
  static int Collect();

 private:
  sigset_t old_mask_;
  sigset_t wait_mask_;
  struct sigaction old_int_, old_term_, old_pipe_;
};

// While it lives, SIGINT and SIGTERM reach the calling thread outside ppoll()
// too. Wrap a call that can block for as long as another process pleases (a
// write to a reader that does not read, the open of a FIFO): with StopSignals'
// handlers, which don't restart calls, a stop signal ends it with EINTR.
class StopSignalsLetIn {
 public:
  StopSignalsLetIn();
  ~StopSignalsLetIn();
  StopSignalsLetIn(const StopSignalsLetIn&) = delete;
  StopSignalsLetIn& operator=(const StopSignalsLetIn&) = delete;

 private:
  sigset_t old_mask_;
};

// How many of `size` bytes to write to `fd` now: all of them, unless a
// second stop signal came. From then on farm waits on no reader: only what
// `fd` takes at once (a PIPE_BUF when it has room), or 0.
size_t BytesToWriteNow(int fd, size_t size);

// Writes a message for people to standard error with stop signals let in:
// stderr may be the very pipe nobody reads (`farm run 2>&1 | less`). A stop
// signal cuts the message short.
void Say(std::string_view text);

}  // namespace farm
