// Ctrl-C in two stages, as GNU parallel users expect: the first SIGINT or
// SIGTERM stops handing out tasks and lets running ones finish; the second
// stops at once. Handlers only count; the signals stay blocked except while
// the event loop waits in ppoll(), so a signal never lands mid-update.
#pragma once

#include <signal.h>

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
  // How many stop signals arrived so far. Signals still pending are taken
  // first: a ppoll() that finds an fd ready returns without letting them in,
  // so a loop whose input is always ready would never see them otherwise.
  static int count();

 private:
  sigset_t old_mask_;
  sigset_t wait_mask_;
  struct sigaction old_int_, old_term_, old_pipe_;
};

}  // namespace farm
