#include "worker/worker_loop.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "common/fd.h"
#include "common/line_splitter.h"
#include "common/wire.h"
#include "worker/run_task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Replies of quick tasks are batched into one write; none waits longer than
// this behind later tasks, so the coordinator sees progress promptly.
constexpr auto kMaxReplyDelay = std::chrono::milliseconds(1);
constexpr size_t kReadChunk = 256 * 1024;

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Runs one task message; false if the message is malformed. The task is
// noted as running from before its JSON is parsed until its reply is queued,
// so whatever ends the worker in between is blamed on it.
bool HandleMessage(std::string_view line, WorkerContext& worker, RunningTask* running,
                   std::string* replies, std::string* scratch) {
  wire::TaskMessage message;
  if (!wire::DecodeTask(line, &message)) return false;
  if (running != nullptr) running->Begin(message.seq, SteadyNowNs());
  nlohmann::json task = nlohmann::json::parse(message.task_json, nullptr, /*allow_exceptions=*/false);
  if (task.is_discarded()) return false;
  scratch->clear();
  bool ok = RunTask(message.seq, message.attempt, task, worker, scratch);
  wire::AppendReply(message.seq, ok, *scratch, replies);
  if (running != nullptr) running->End();
  return true;
}

}  // namespace

int ServeTasks(int in_fd, int out_fd, WorkerContext& worker, RunningTask* running) {
  LineSplitter splitter(wire::kMaxMessageLine);
  std::string chunk(kReadChunk, '\0');
  std::string replies, scratch;
  for (;;) {
    ssize_t n = ::read(in_fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("farm worker: read");
      return 1;
    }
    if (n == 0) return splitter.buffered() == 0 ? 0 : 1;
    splitter.Feed(std::string_view(chunk.data(), n));
    Clock::time_point last_flush = Clock::now();
    std::string_view line;
    for (;;) {
      LineSplitter::Event event = splitter.Next(&line);
      if (event == LineSplitter::Event::kNone) break;
      if (event == LineSplitter::Event::kOversize || !HandleMessage(line, worker, running, &replies, &scratch)) {
        fprintf(stderr, "farm worker %d: malformed task message\n", worker.index);
        return 1;
      }
      if (Clock::now() - last_flush >= kMaxReplyDelay) {
        if (!WriteAll(out_fd, replies).ok()) return 1;  // the coordinator is gone
        replies.clear();
        last_flush = Clock::now();
      }
    }
    if (!WriteAll(out_fd, replies).ok()) return 1;
    replies.clear();
  }
}

}  // namespace farm
