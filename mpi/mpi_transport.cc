#include "mpi/mpi_transport.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include <algorithm>
#include <thread>

namespace farm::mpi {
namespace {

// Messages handled per Wait(), so one busy agent can't starve the loop.
constexpr int kMessagesPerWait = 64;
// How long Stop() waits for the agents: they give their workers a grace
// period to exit, then TERM, then KILL.
constexpr auto kStopTimeout = std::chrono::seconds(10);

}  // namespace

MpiTransport::MpiTransport(MpiWorld& world, int workers_per_agent)
    : world_(world), per_agent_(workers_per_agent),
      slots_(static_cast<size_t>(world.agents * workers_per_agent)),
      agents_(static_cast<size_t>(world.agents)) {
  const Clock::time_point now = Clock::now();
  for (Agent& agent : agents_) agent.heard = agent.posted = now;
  for (size_t i = 0; i < agents_.size(); ++i)
    agents_[i].lost = world.lost_rank == static_cast<int>(i) + 1;
}

Status MpiTransport::Start(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  Agent& agent = AgentOf(index);
  if (agent.lost) return Status::Error("MPI rank " + std::to_string(RankOf(index)) + " is lost");
  if (!slot.start_error.empty()) return Status::Error(slot.start_error);
  slot.generation += 1;
  slot.alive = true;
  slot.running_seq = 0;
  agent.out.Append(FrameKind::kStart, LocalOf(index), slot.generation);
  return Status::Ok();
}

void MpiTransport::Send(int index, std::string* messages) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (slot.alive) AgentOf(index).out.AppendLines(LocalOf(index), slot.generation, *messages);
  messages->clear();
  if (AgentOf(index).out.size() > kPostBytes) Post(RankOf(index));
}

void MpiTransport::CloseInput(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (slot.alive) AgentOf(index).out.Append(FrameKind::kCloseInput, LocalOf(index), slot.generation);
}

std::string MpiTransport::Kill(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (!slot.alive) return "not running";
  // Its agent kills it; nothing more of this worker is reported.
  AgentOf(index).out.Append(FrameKind::kKill, LocalOf(index), slot.generation);
  slot.alive = false;
  slot.running_seq = 0;
  return "killed by its node agent";
}

// Both sides nap between looks at MPI (up to NapCap()); with the network, a
// round trip takes about this.
Clock::duration MpiTransport::round_trip() const { return std::chrono::milliseconds(2); }

bool MpiTransport::Running(int index, uint64_t* seq, Clock::time_point* since) const {
  const Slot& slot = slots_[static_cast<size_t>(index)];
  *seq = slot.running_seq;
  *since = slot.running_since;
  return slot.running_seq != 0;
}

void MpiTransport::Post(int rank) {
  Agent& agent = agents_[static_cast<size_t>(rank - 1)];
  if (agent.out.empty() || agent.lost) return;
  link_.Post(rank, agent.out.Take());
  agent.posted = Clock::now();
}

// Gathered lines go out; an agent that heard nothing for a while hears that
// rank 0 is alive, so an agent can tell a lost coordinator from a quiet one.
void MpiTransport::PostAll() {
  const Clock::time_point now = Clock::now();
  for (size_t i = 0; i < agents_.size(); ++i) {
    Agent& agent = agents_[i];
    if (agent.out.empty() && !agent.lost && now - agent.posted >= kHeartbeat)
      agent.out.Append(FrameKind::kAlive, 0, 0);
    Post(static_cast<int>(i) + 1);
  }
  link_.Progress();
}

Status MpiTransport::Wait(const WaitRequest& request, TransportEvents& events,
                          bool* input_ready) {
  *input_ready = false;
  PostAll();
  Clock::duration nap = Clock::duration::zero();
  for (;;) {
    if (Receive(&events)) {
      last_received_ = Clock::now();
      return Status::Ok();
    }
    if (Status s = CheckAgents(); !s.ok()) return s;
    const Clock::time_point now = Clock::now();
    if (now >= request.until) return Status::Ok();
    // The input and stop signals, for a nap; then MPI again.
    int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::min<Clock::duration>(nap, request.until - now))
                     .count();
    timespec timeout = {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    pollfd input = {request.input_fd, POLLIN, 0};
    int ready = ppoll(&input, request.input_fd >= 0 ? 1 : 0, &timeout, request.signal_mask);
    if (ready < 0) return errno == EINTR ? Status::Ok() : Status::FromErrno("ppoll", errno);
    if (ready > 0) {
      *input_ready = true;
      return Status::Ok();
    }
    nap = std::min<Clock::duration>(2 * nap + std::chrono::microseconds(20),
                                    NapCap(Clock::now() - last_received_));
    PostAll();  // heartbeats, and sends still in flight
  }
}

bool MpiTransport::Receive(TransportEvents* events) {
  int received = 0;
  int rank;
  while (received < kMessagesPerWait && link_.Receive(&rank, &message_)) {
    ++received;
    if (rank >= 1 && rank <= world_.agents) Handle(rank, events);
  }
  return received > 0;
}

void MpiTransport::Handle(int rank, TransportEvents* events) {
  Agent& agent = agents_[static_cast<size_t>(rank - 1)];
  agent.heard = Clock::now();
  FrameReader reader(message_);
  Frame frame;
  while (reader.Next(&frame)) HandleFrame(rank, frame, events);
  if (!reader.status().ok())
    fprintf(stderr, "farm: MPI rank %d sent a malformed message: %s\n", rank,
            reader.status().message().c_str());
}

void MpiTransport::HandleFrame(int rank, const Frame& frame, TransportEvents* events) {
  if (frame.kind == FrameKind::kStopped) agents_[static_cast<size_t>(rank - 1)].stopped = true;
  if (frame.local >= static_cast<uint32_t>(per_agent_) || events == nullptr) return;
  const int index = (rank - 1) * per_agent_ + static_cast<int>(frame.local);
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (!slot.alive || frame.generation != slot.generation) return;  // a worker since replaced
  switch (frame.kind) {
    case FrameKind::kLines: {
      std::string_view lines = frame.payload;
      while (!lines.empty() && slot.alive && slot.generation == frame.generation) {
        size_t end = lines.find('\n');
        if (end == std::string_view::npos) end = lines.size();
        events->OnMessage(index, lines.substr(0, end));
        lines.remove_prefix(std::min(lines.size(), end + 1));
      }
      return;
    }
    case FrameKind::kRunning: {
      uint64_t seq, age_ns;
      if (!DecodeRunning(frame.payload, &seq, &age_ns)) return;
      slot.running_seq = seq;
      slot.running_since = Clock::now() - std::chrono::nanoseconds(age_ns);
      return;
    }
    case FrameKind::kEnded:
      slot.alive = false;
      events->OnEnded(index, std::string(frame.payload));
      return;
    case FrameKind::kStartFailed:
      // Ended, for the scheduler, whose restart then fails at once in Start():
      // a slot that cannot start a worker is left empty, as in process mode.
      slot.alive = false;
      slot.start_error = "MPI rank " + std::to_string(rank) + " could not start worker " +
                         std::to_string(frame.local) + ": " + std::string(frame.payload);
      events->OnEnded(index, "could not start: " + std::string(frame.payload));
      return;
    default:
      return;
  }
}

// An agent silent for kLostAfter is lost: its node died, or its process.
Status MpiTransport::CheckAgents() {
  const Clock::time_point now = Clock::now();
  for (size_t i = 0; i < agents_.size(); ++i) {
    Agent& agent = agents_[i];
    if (agent.lost || now - agent.heard < kLostAfter) continue;
    agent.lost = true;
    const int rank = static_cast<int>(i) + 1;
    if (world_.lost_rank == 0) world_.lost_rank = rank;
    return Status::Error(
        "lost MPI rank " + std::to_string(rank) + " (no word from it for " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kLostAfter).count()) +
        " s): the results received so far are written; run again with --resume to finish");
  }
  return Status::Ok();
}

void MpiTransport::Stop(bool now) {
  for (size_t i = 0; i < agents_.size(); ++i) {
    agents_[i].out.Append(FrameKind::kStop, 0, 0, now ? "now" : "");
    Post(static_cast<int>(i) + 1);
  }
  const Clock::time_point deadline = Clock::now() + kStopTimeout;
  auto waiting = [&] {
    return std::any_of(agents_.begin(), agents_.end(),
                       [](const Agent& a) { return !a.lost && !a.stopped; });
  };
  while (waiting() && Clock::now() < deadline) {
    link_.Progress();
    if (!Receive(nullptr)) std::this_thread::sleep_for(std::chrono::microseconds(200));
    CheckAgents();  // one lost while stopping is not waited for
  }
  link_.Drain(deadline);
  world_.agents_stopped = true;
}

}  // namespace farm::mpi
