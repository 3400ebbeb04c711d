#include "coordinator/process_transport.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

#include "common/fd.h"

namespace farm {
namespace {

// Bytes read from one worker before serving the others.
constexpr size_t kReadBudget = 1 << 20;
constexpr size_t kReadChunk = 256 * 1024;
// How long a worker that ended its output gets to exit before SIGKILL.
constexpr int kExitGraceMs = 1000;

}  // namespace

ProcessTransport::ProcessTransport(int workers, SpawnWorker spawn)
    : spawn_(std::move(spawn)), slots_(static_cast<size_t>(workers)), chunk_(kReadChunk, '\0') {}

Status ProcessTransport::Start(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  Forget(slot);
  return spawn_(&slot.process);
}

// Drops what belonged to the slot's last process.
void ProcessTransport::Forget(Slot& slot) {
  slot.process.reset();  // kills and reaps it if it still runs
  ++slot.generation;
  slot.outbox.clear();
  slot.outbox_sent = 0;
  slot.close_when_sent = false;
  slot.inbox = LineSplitter(wire::kMaxReplyLine);
  slot.ended_seq = 0;
}

void ProcessTransport::Send(int index, std::string* messages) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (!slot.process) return messages->clear();
  if (slot.outbox.empty()) {
    slot.outbox.swap(*messages);
  } else {
    slot.outbox.append(*messages);
    messages->clear();
  }
  Flush(index, nullptr);
}

void ProcessTransport::CloseInput(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (!slot.process) return;
  if (slot.has_output()) {
    slot.close_when_sent = true;
  } else {
    slot.process->CloseInput();
  }
}

std::string ProcessTransport::Kill(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  std::string how = slot.process ? slot.process->Kill() : "not running";
  Forget(slot);
  return how;
}

// Writes what the pipe takes now. A broken pipe means the worker died: with
// `events`, that is reported; without, the next Wait() sees its output end.
void ProcessTransport::Flush(int index, TransportEvents* events) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (!slot.has_output()) return;
  std::string_view pending(slot.outbox);
  long n = WriteSome(slot.process->to_worker(), pending.substr(slot.outbox_sent));
  if (n < 0) {
    slot.outbox.clear();
    slot.outbox_sent = 0;
    if (events != nullptr) Ended(index, *events);
    return;
  }
  slot.outbox_sent += static_cast<size_t>(n);
  if (slot.outbox_sent == slot.outbox.size()) {
    slot.outbox.clear();
    slot.outbox_sent = 0;
    if (slot.close_when_sent) slot.process->CloseInput();
  }
}

void ProcessTransport::Read(int index, TransportEvents& events) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  size_t budget = kReadBudget;
  const uint64_t generation = slot.generation;  // a killed worker is not read on
  while (budget > 0 && slot.generation == generation) {
    ssize_t n = ::read(slot.process->from_worker(), chunk_.data(), chunk_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return Ended(index, events);
    budget -= std::min(budget, static_cast<size_t>(n));
    slot.inbox.Feed(std::string_view(chunk_.data(), static_cast<size_t>(n)));
    std::string_view line;
    for (;;) {
      LineSplitter::Event event = slot.inbox.Next(&line);
      if (event == LineSplitter::Event::kNone) break;
      if (event == LineSplitter::Event::kOversize) {
        Kill(index);
        return events.OnEnded(index, "sent a reply over the size limit");
      }
      events.OnMessage(index, line);
      if (slot.generation != generation) return;
    }
  }
}

void ProcessTransport::Ended(int index, TransportEvents& events) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  // Its output ended: it is exiting. Give it a moment, for its status.
  std::string how = slot.process->Stop(kExitGraceMs);
  uint64_t seq = 0;
  Clock::time_point since;
  Running(index, &seq, &since);  // the task it died in is blamed, not its neighbour
  Forget(slot);
  slot.ended_seq = seq;
  slot.ended_since = since;
  events.OnEnded(index, how);
}

Status ProcessTransport::Wait(const WaitRequest& request, TransportEvents& events,
                              bool* input_ready) {
  struct Owner {
    int index;
    uint64_t generation;  // the fd belongs to this process of the slot
  };
  std::vector<pollfd> fds;
  std::vector<Owner> owners;
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (!slot.process) continue;
    fds.push_back({slot.process->from_worker(), POLLIN, 0});
    owners.push_back({static_cast<int>(i), slot.generation});
    if (slot.has_output()) {
      fds.push_back({slot.process->to_worker(), POLLOUT, 0});
      owners.push_back({static_cast<int>(i), slot.generation});
    }
  }
  if (request.input_fd >= 0) fds.push_back({request.input_fd, POLLIN, 0});

  timespec timeout;
  int ready = ppoll(fds.data(), fds.size(), PollTimeout(request.until, &timeout),
                    request.signal_mask);
  if (ready < 0) return errno == EINTR ? Status::Ok() : Status::FromErrno("ppoll", errno);

  for (size_t i = 0; ready > 0 && i < owners.size(); ++i) {
    Slot& slot = slots_[static_cast<size_t>(owners[i].index)];
    if (fds[i].revents == 0 || !slot.process || slot.generation != owners[i].generation) continue;
    if (fds[i].events == POLLOUT) {
      Flush(owners[i].index, &events);
    } else {
      Read(owners[i].index, events);
    }
  }
  *input_ready = request.input_fd >= 0 && fds.back().revents != 0;
  return Status::Ok();
}

void ProcessTransport::Stop(bool now) {
  for (Slot& slot : slots_) {
    if (!slot.process) continue;
    if (now) slot.process->Kill(); else slot.process->CloseInput();
  }
  for (Slot& slot : slots_)
    if (slot.process) slot.process->Stop(kExitGraceMs);
}

bool ProcessTransport::Running(int index, uint64_t* seq, Clock::time_point* since) const {
  const Slot& slot = slots_[static_cast<size_t>(index)];
  if (!slot.process) {
    *seq = slot.ended_seq;
    *since = slot.ended_since;
    return *seq != 0;
  }
  const RunningTask& running = slot.process->running();
  *seq = running.seq.load(std::memory_order_acquire);
  *since = Clock::time_point(
      std::chrono::nanoseconds(running.started_ns.load(std::memory_order_relaxed)));
  return *seq != 0;
}

}  // namespace farm
