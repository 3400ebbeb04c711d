#include "coordinator/inline_transport.h"

#include <errno.h>
#include <poll.h>

namespace farm {
namespace {

// How long tasks run before Wait() returns to let stop signals in.
constexpr auto kSignalCheckInterval = std::chrono::milliseconds(10);

}  // namespace

Status InlineTransport::Start(int /*slot*/) {
  // Messages flushed mid-task reach the scheduler at once. Its OnMessage
  // never kills this worker from there: the lines are our own, well formed.
  server_ = std::make_unique<TaskServer>(TaskServer::Options{
      .flush = [this](std::string* out) { return Deliver(out), true; },
      .overlap_transfers = false});
  pending_.clear();
  served_ = 0;
  return Status::Ok();
}

void InlineTransport::Send(int /*slot*/, std::string* messages) {
  pending_.append(*messages);
  messages->clear();
}

std::string InlineTransport::Kill(int /*slot*/) {
  server_.reset();
  pending_.clear();
  served_ = 0;
  return "stopped";
}

// Serves pending messages for up to kSignalCheckInterval.
void InlineTransport::RunSome() {
  const Clock::time_point until = Clock::now() + kSignalCheckInterval;
  while (served_ < pending_.size() && Clock::now() < until) {
    size_t end = pending_.find('\n', served_);
    std::string_view line(pending_.data() + served_, end - served_);
    served_ = end + 1;
    // The scheduler wrote these messages itself: none can be malformed.
    (void)server_->Handle(line, &replies_);
  }
  if (served_ == pending_.size()) {
    pending_.clear();
    served_ = 0;
  }
}

Status InlineTransport::Wait(const WaitRequest& request, TransportEvents& events,
                             bool* input_ready) {
  const bool busy = server_ && served_ < pending_.size();
  events_ = &events;
  if (busy) RunSome();
  // With tasks run, only a glance at the input and the signals; otherwise
  // a real wait for them.
  pollfd input = {request.input_fd, POLLIN, 0};
  timespec timeout = {0, 0};
  int ready = ppoll(&input, request.input_fd >= 0 ? 1 : 0,
                    busy ? &timeout : PollTimeout(request.until, &timeout), request.signal_mask);
  if (ready < 0 && errno != EINTR) return Status::FromErrno("ppoll", errno);
  *input_ready = ready > 0 && input.revents != 0;

  Deliver(&replies_);
  events_ = nullptr;
  return Status::Ok();
}

void InlineTransport::Deliver(std::string* messages) {
  if (events_ == nullptr) return;  // kept for the next Wait()
  std::string_view text = *messages;
  while (!text.empty()) {
    size_t end = text.find('\n');
    events_->OnMessage(0, text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  messages->clear();
}

}  // namespace farm
