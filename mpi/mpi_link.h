// Byte messages between ranks over MPI, never blocking: sends are MPI_Isend
// with the buffer kept until done, receives take only what has arrived.
// MPI gives no fd to wait on, so each side polls it between short waits on
// its own fds (see MpiTransport::Wait and the node agent's loop).
#pragma once

#include <mpi.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>

namespace farm::mpi {

// An agent that has nothing else to send says so this often; rank 0 gives a
// rank up as lost after hearing nothing from it for kLostAfter.
inline constexpr auto kHeartbeat = std::chrono::milliseconds(200);
inline constexpr auto kLostAfter = std::chrono::seconds(5);
// An agent gives rank 0 up after this much silence once it has heard from
// it (rank 0 may be busy longer before its loop starts: a --resume file).
inline constexpr auto kCoordinatorLostAfter = std::chrono::seconds(60);
// A side's gathered lines go out at once past this size, so no message
// nears MPI's int count.
inline constexpr size_t kPostBytes = 16 << 20;

// How long a side naps between two looks at MPI while it waits: short
// while messages flow (tiny tasks: MPI's latency is then the pipeline's),
// longer once nothing came for a while (coarse tasks: little CPU spent).
inline std::chrono::steady_clock::duration NapCap(std::chrono::steady_clock::duration quiet) {
  using namespace std::chrono_literals;
  return quiet < 50ms ? std::chrono::steady_clock::duration(200us)
                      : std::chrono::steady_clock::duration(1ms);
}

class MpiLink {
 public:
  MpiLink() = default;
  MpiLink(const MpiLink&) = delete;
  MpiLink& operator=(const MpiLink&) = delete;
  // Gives the sends still in flight a moment; a send that can't finish (its
  // rank is lost) keeps its buffer, so MPI never writes into freed memory.
  ~MpiLink();

  // Sends `message` to `rank` without waiting; messages to one rank arrive
  // in the order posted.
  void Post(int rank, std::string message);
  // Completes the sends that are done and frees their buffers.
  void Progress();
  // Takes one message that has arrived, from any rank; false if none has.
  bool Receive(int* source, std::string* message);
  // Sends still in flight.
  size_t sending() const { return sends_.size(); }
  // Progresses until every send is done or `until` passes; true if all done.
  bool Drain(std::chrono::steady_clock::time_point until);

 private:
  struct Send {
    MPI_Request request;
    std::string buffer;
  };
  std::deque<Send> sends_;
};

}  // namespace farm::mpi
