// The coordinator-worker messages: the one place their layout lives. Each is
// one JSON object on one line; a transport (pipes, a thread's queue, MPI)
// only moves lines, and a worker needs nothing else from its coordinator.
//
// Coordinator -> worker, first of all, the worker's settings:
//   {"settings":{"index":0,"generation":0,"master_seed":42,"memory_limit_mb":0,"task_timeout_s":0.0,"allow_exec":false,"fetch":{"out_dir":"downloads","concurrency":8,"user_agent":"farm/1.0.0","headers":["Accept-Language: en"]}}}
// (task_timeout_s: --task-timeout, 0 for none; a task sees its deadline.)
// Coordinator -> worker, a task to run:
//   {"seq":17,"attempt":1,"task":{"type":"fib","n":20}}
// Worker -> coordinator, the task's finished result line under "reply":
//   {"seq":17,"ok":true,"reply":{"id":17,"type":"fib","ok":true,"worker":0,"attempts":1,"elapsed_ms":0.004,"result":{"n":20,"digits":4,"head":"6765","tail":"6765"}}}
// Worker -> coordinator, task 17 has started running. Sent only by a worker
// whose transport cannot see that directly (no shared memory with it):
//   {"started":17}
// Worker -> coordinator, task 17 ran the worker out of memory (over
// --memory-limit); the worker exits right after:
//   {"out_of_memory":17}
// Worker -> coordinator, fetch task 17 failed in a way that may pass on a
// later try (HTTP 5xx or 429, refused or reset connection, timeout). Sent
// just before its reply, which is the failure as usual; after_ms is the
// server's Retry-After in milliseconds, -1 when it sent none:
//   {"transient":17,"after_ms":5000}
// Worker -> coordinator, task 17 reports how far it got, from 0 to 1 (a
// library task's Context::Progress, at most every 100 ms); the coordinator
// hands it to its output, and the reply follows as usual:
//   {"progress":17,"fraction":0.25}
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
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/fetch_settings.h"
#include "common/status.h"

namespace farm::wire {

// Bounds on one line, so that garbage can't exhaust memory. A reply holds the
// whole decimal value of the largest fib allowed (about 21 MB) with room.
inline constexpr size_t kMaxTaskLine = 1 << 20;
inline constexpr size_t kMaxMessageLine = kMaxTaskLine + 256;
inline constexpr size_t kMaxReplyLine = 64 << 20;
// A result line, with room for the reply's framing around it.
inline constexpr size_t kMaxResultLine = kMaxReplyLine - 256;

// Appends a task message and its '\n' to *out.
void AppendTask(uint64_t seq, int attempt, std::string_view task_json, std::string* out);

// Appends a reply message and its '\n' to *out.
void AppendReply(uint64_t seq, bool ok, std::string_view result_line, std::string* out);

struct WorkerSettings {
  int index = 0;
  uint64_t generation = 0;  // replacements of this worker so far
  uint64_t master_seed = 0;
  int memory_limit_mb = 0;  // 0: none
  double task_timeout_s = 0;  // --task-timeout; 0: none
  bool allow_exec = false;  // --allow-exec: exec tasks may run commands
  FetchSettings fetch = {};
};

void AppendSettings(const WorkerSettings& settings, std::string* out);
// Decodes a settings message line; an error names what is wrong.
Status DecodeSettings(std::string_view line, WorkerSettings* settings);
bool IsSettings(std::string_view line);

// "{"started":17}\n" and "{"out_of_memory":17}\n".
void AppendStarted(uint64_t seq, std::string* out);
void AppendOutOfMemory(uint64_t seq, std::string* out);
// "{"transient":17,"after_ms":5000}\n"; `after_ms` is -1 or more.
void AppendTransient(uint64_t seq, int64_t after_ms, std::string* out);
// "{"progress":17,"fraction":0.25}\n"; `fraction` is in [0, 1].
void AppendProgress(uint64_t seq, double fraction, std::string* out);
// The out-of-memory message in `buffer` without allocating, for a worker
// whose allocations fail; returns its length with the '\n'.
size_t FormatOutOfMemory(uint64_t seq, char (&buffer)[48]);

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
// reply holding a valid JSON object. `check_json` false trusts the result
// line to be JSON: only for workers in the coordinator's own process.
bool DecodeReply(std::string_view line, Reply* reply, bool check_json = true);

// What a worker sends: a reply, or a note about the task it runs.
struct WorkerMessage {
  enum class Kind { kReply, kStarted, kOutOfMemory, kTransient, kProgress };
  Kind kind = Kind::kReply;
  Reply reply;            // kReply
  uint64_t seq = 0;       // kStarted, kOutOfMemory, kTransient, kProgress
  int64_t after_ms = -1;  // kTransient: the server's Retry-After; -1: none
  double fraction = 0;    // kProgress: from 0 to 1
};

// Decodes any worker message line; false if it is none of them.
bool DecodeWorkerMessage(std::string_view line, WorkerMessage* message, bool check_json = true);

}  // namespace farm::wire
