// Rank 0's transport in --mode mpi. Its slots are the workers of the node
// agents: slot s is local worker s % J of rank 1 + s / J (J = -j). Lines for
// a rank's workers are gathered into one MPI message per rank and turn of
// the scheduler's loop (mpi/frames.h), so a batch of tiny tasks for several
// workers costs one message. Agents run the workers; this only moves lines.
//
// MPI has no fd to wait on: Wait() takes what MPI has delivered, then waits
// on the input fd and stop signals for a moment (a millisecond at most) and
// looks again, so it never blocks in MPI and stop signals always get in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/transport.h"
#include "mpi/frames.h"
#include "mpi/mpi_link.h"

namespace farm::mpi {

// What rank 0 knows of the MPI job beyond one transport's life.
struct MpiWorld {
  int agents = 0;            // ranks 1..agents
  int lost_rank = 0;         // the first rank given up as lost, 0 if none
  bool agents_stopped = false;
};

class MpiTransport : public Transport {
 public:
  MpiTransport(MpiWorld& world, int workers_per_agent);

  int slots() const override { return static_cast<int>(slots_.size()); }
  bool trusted() const override { return false; }
  Status Start(int slot) override;
  void Send(int slot, std::string* messages) override;
  void CloseInput(int slot) override;
  std::string Kill(int slot) override;
  Status Wait(const WaitRequest& request, TransportEvents& events, bool* input_ready) override;
  // Tells every agent to stop and waits (boundedly) until each has.
  void Stop(bool now) override;
  bool Running(int slot, uint64_t* seq, Clock::time_point* since) const override;
  Clock::duration round_trip() const override;

 private:
  struct Slot {
    uint32_t generation = 0;  // of its current worker; frames of others are dropped
    bool alive = false;
    uint64_t running_seq = 0;  // as its agent last reported it
    Clock::time_point running_since;
    std::string start_error;  // its agent could not start a worker here: never again
  };
  struct Agent {
    FrameWriter out;
    Clock::time_point heard;  // the last message from it
    Clock::time_point posted;  // the last message to it
    bool lost = false;
    bool stopped = false;
  };

  int RankOf(int slot) const { return 1 + slot / per_agent_; }
  uint32_t LocalOf(int slot) const { return static_cast<uint32_t>(slot % per_agent_); }
  Agent& AgentOf(int slot) { return agents_[static_cast<size_t>(RankOf(slot) - 1)]; }
  void Post(int rank);
  void PostAll();
  // Handles what has arrived; true if anything had. `events` null: only
  // heartbeats and stop answers count (the run is over).
  bool Receive(TransportEvents* events);
  void Handle(int rank, TransportEvents* events);
  void HandleFrame(int rank, const Frame& frame, TransportEvents* events);
  Status CheckAgents();

  MpiWorld& world_;
  const int per_agent_;
  std::vector<Slot> slots_;
  std::vector<Agent> agents_;  // agents_[r - 1] is rank r
  MpiLink link_;
  std::string message_;  // the message being handled
  Clock::time_point last_received_;
};

}  // namespace farm::mpi
