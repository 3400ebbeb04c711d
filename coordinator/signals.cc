#include "coordinator/signals.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

namespace farm {
namespace {

volatile sig_atomic_t g_stop_signals = 0;

void CountStopSignal(int) { g_stop_signals = g_stop_signals + 1; }

sigset_t StopSet() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  return stop;
}

}  // namespace

StopSignals::StopSignals() {
  g_stop_signals = 0;
  sigset_t stop = StopSet();
  sigprocmask(SIG_BLOCK, &stop, &old_mask_);
  wait_mask_ = old_mask_;
  sigdelset(&wait_mask_, SIGINT);
  sigdelset(&wait_mask_, SIGTERM);

  struct sigaction action = {};
  action.sa_handler = CountStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
  action.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &action, &old_pipe_);
}

StopSignals::~StopSignals() {
  // Unblock first, so a pending signal is counted, not fatal.
  sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  sigaction(SIGPIPE, &old_pipe_, nullptr);
}

int StopSignals::count() { return g_stop_signals; }

int StopSignals::Collect() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  const timespec no_wait = {0, 0};
  while (sigtimedwait(&stop, nullptr, &no_wait) > 0) g_stop_signals = g_stop_signals + 1;
  return g_stop_signals;
}

StopSignalsLetIn::StopSignalsLetIn() {
  sigset_t stop = StopSet();
  pthread_sigmask(SIG_UNBLOCK, &stop, &old_mask_);
}

StopSignalsLetIn::~StopSignalsLetIn() { pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr); }

size_t BytesToWriteNow(int fd, size_t size) {
  if (g_stop_signals < 2) return size;
  pollfd out = {fd, POLLOUT, 0};
  if (poll(&out, 1, 0) != 1 || (out.revents & POLLOUT) == 0) return 0;
  return std::min<size_t>(size, PIPE_BUF);  // a pipe with room takes that much at once
}

void Say(std::string_view text) {
  const int signals_before = g_stop_signals;
  StopSignalsLetIn let_in;
  while (!text.empty()) {
    size_t size = BytesToWriteNow(STDERR_FILENO, text.size());
    if (size == 0) return;
    ssize_t n = ::write(STDERR_FILENO, text.data(), size);
    if (n > 0) text.remove_prefix(static_cast<size_t>(n));
    if (g_stop_signals != signals_before || (n < 0 && errno != EINTR) || n == 0) return;
  }
}

}  // namespace farm
