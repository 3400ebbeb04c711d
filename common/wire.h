// The coordinator-worker messages: the one place their layout lives. Each is
// one JSON object on one line; the transport (pipes today, MPI later) only
// moves lines.
//
// Coordinator -> worker, a task to run:
//   {"seq":17,"attempt":1,"task":{"type":"fib","n":20}}
// Worker -> coordinator, the task's finished result line under "reply":
//   {"seq":17,"ok":true,"reply":{"id":17,"type":"fib","ok":true,"worker":0,"attempts":1,"elapsed_ms":0.004,"result":{"n":20,"digits":4,"head":"6765","tail":"6765"}}}
//
// `seq` is the task's 1-based input line number, unique in a run; `attempt`
// counts runs of that task (retries after a worker died). `task` is the input
// line exactly as given, already checked to be valid JSON. A task without an
// "id" takes its seq as id. The reply is written out verbatim as the result
// line, so the coordinator never re-encodes it.
//
// Members are written in exactly this order, and both messages are decoded by
// that layout: the coordinator frames a reply of any size without building a
// document for it, and anything that does not fit is a broken worker (or, on
// the worker's side, a broken coordinator).
//
// A worker that runs out of memory (over --memory-limit) exits with
// kExitOutOfMemory; the task it was running then fails without a retry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace farm::wire {

// Bounds on one line, so that garbage can't exhaust memory. A reply holds the
// whole decimal value of the largest fib allowed (about 21 MB) with room.
inline constexpr size_t kMaxTaskLine = 1 << 20;
inline constexpr size_t kMaxMessageLine = kMaxTaskLine + 256;
inline constexpr size_t kMaxReplyLine = 64 << 20;

// Appends a task message and its '\n' to *out.
void AppendTask(uint64_t seq, int attempt, std::string_view task_json, std::string* out);

// Appends a reply message and its '\n' to *out.
void AppendReply(uint64_t seq, bool ok, std::string_view result_line, std::string* out);

// A worker's exit status when an allocation failed.
inline constexpr int kExitOutOfMemory = 3;

struct TaskMessage {
  uint64_t seq = 0;
  int attempt = 0;
  std::string_view task_json;  // a view into the decoded line, not yet parsed
};

// Decodes one task message line (without '\n'). False if it does not have
// the layout above; the task's JSON itself is the caller's to parse.
bool DecodeTask(std::string_view line, TaskMessage* message);

struct Reply {
  uint64_t seq = 0;
  bool ok = false;
  std::string_view result_line;  // a view into the decoded line
};

// Decodes one reply line (without '\n'). False if it is not a well-formed
// reply holding a valid JSON object.
bool DecodeReply(std::string_view line, Reply* reply);

}  // namespace farm::wire
