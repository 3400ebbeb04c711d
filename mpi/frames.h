// What one MPI message between rank 0 (the coordinator) and a node agent
// carries: a run of frames, each about one of the agent's local workers.
// One message holds the task lines of many tasks for several workers, so a
// batch of tiny tasks costs one MPI message per rank, not one per task.
//
// A frame is a 13-byte header, little-endian, then `length` bytes:
//   kind:u8  local:u32  generation:u32  length:u32  payload
// `local` is the worker's index on its agent (0..J-1); `generation` counts
// the starts of that worker, so frames about a worker that was since killed
// or replaced are recognised and dropped.
//
// Rank 0 -> agent:
//   kStart       start (or restart) worker `local` as `generation`
//   kLines       message lines for it (common/wire.h), whole lines
//   kCloseInput  no more lines: it exits once it has replied
//   kKill        kill it now
//   kStop        end of the run; payload "now" kills every worker, "" lets
//                them finish; the agent answers kStopped and leaves
// Agent -> rank 0:
//   kLines       message lines from the worker, whole lines
//   kRunning     the worker runs task `seq` since `age_ns` ago (two u64):
//                sent when that changes, if --task-timeout needs it, and
//                before kEnded when it died in a task, so blame is exact.
//                An age, not a time: clocks of two hosts don't compare.
//   kEnded       the worker ended by itself; payload says how ("killed by
//                signal 9 (Killed)")
//   kStartFailed the worker could not be started (the launcher's fork kept
//                failing); payload says why. Rank 0 starts no worker in that
//                slot again, as process mode leaves a slot that failed to
//                restart empty.
//   kAlive       nothing else to say: the agent is alive (a heartbeat)
//   kStopped     every worker has ended; the agent is leaving
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace farm::mpi {

enum class FrameKind : uint8_t {
  kStart = 1,
  kLines = 2,
  kCloseInput = 3,
  kKill = 4,
  kStop = 5,
  kEnded = 6,
  kAlive = 7,
  kStopped = 8,
  kRunning = 9,
  kStartFailed = 10,
};
inline constexpr FrameKind kLastFrameKind = FrameKind::kStartFailed;

inline constexpr size_t kFrameHeader = 13;

struct Frame {
  FrameKind kind = FrameKind::kAlive;
  uint32_t local = 0;
  uint32_t generation = 0;
  std::string_view payload;
};

// Frames being composed into one message. Lines for the same worker right
// after one another extend the last frame instead of starting a new one.
class FrameWriter {
 public:
  void Append(FrameKind kind, uint32_t local, uint32_t generation, std::string_view payload = {});
  // Whole lines, each ending in '\n'.
  void AppendLines(uint32_t local, uint32_t generation, std::string_view lines);
  // One line without its '\n'.
  void AppendLine(uint32_t local, uint32_t generation, std::string_view line);
  void AppendRunning(uint32_t local, uint32_t generation, uint64_t seq, uint64_t age_ns);

  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }
  // The message so far; the writer is empty afterwards.
  std::string Take();

 private:
  void Extend(uint32_t local, uint32_t generation, std::string_view bytes, bool newline);

  std::string bytes_;
  size_t last_lines_ = std::string::npos;  // offset of the last kLines frame's header
};

// A kRunning frame's payload; false if it is not one.
bool DecodeRunning(std::string_view payload, uint64_t* seq, uint64_t* age_ns);

// Reads the frames of one message in order.
class FrameReader {
 public:
  explicit FrameReader(std::string_view message) : rest_(message) {}
  // The next frame, into *frame; false at the end. An error status when the
  // message is malformed (a truncated frame or an unknown kind).
  bool Next(Frame* frame);
  const Status& status() const { return status_; }

 private:
  std::string_view rest_;
  Status status_;
};

}  // namespace farm::mpi
