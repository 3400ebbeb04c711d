#include "worker/worker_loop.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "common/fd.h"
#include "common/line_splitter.h"
#include "common/wire.h"
#include "worker/fetch_tasks.h"
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

// Tasks run one after another as their messages arrive, except fetches,
// which go to the worker's FetchEngine and finish later. While transfers are
// in flight the loop waits in the engine, on the network and the task pipe
// at once; otherwise it blocks in read() as a plain CPU worker would.
class TaskLoop {
 public:
  TaskLoop(int in_fd, int out_fd, WorkerContext& worker, RunningTask* running)
      : in_fd_(in_fd), out_fd_(out_fd), worker_(worker), running_(running) {}

  int Run();

 private:
  bool HandleMessage(std::string_view line);
  void CollectFetches();
  bool fetching() const { return fetches_.in_flight() > 0; }

  int in_fd_, out_fd_;
  WorkerContext& worker_;
  RunningTask* running_;  // where the coordinator sees which task runs; may be null
  LineSplitter splitter_{wire::kMaxMessageLine};
  std::string chunk_ = std::string(kReadChunk, '\0');
  std::string replies_, scratch_;
  FetchTasks fetches_{worker_};
};

int TaskLoop::Run() {
  bool input_open = true;
  for (;;) {
    if (fetching()) {
      bool readable = false;
      fetches_.Wait(input_open ? in_fd_ : -1, &readable);
      CollectFetches();
      if (!readable) {
        if (!WriteAll(out_fd_, replies_).ok()) return 1;  // the coordinator is gone
        replies_.clear();
        continue;
      }
    } else if (!input_open) {
      return WriteAll(out_fd_, replies_).ok() ? 0 : 1;  // the last replies, then a clean exit
    }
    ssize_t n = ::read(in_fd_, chunk_.data(), chunk_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("farm worker: read");
      return 1;
    }
    if (n == 0) {
      if (splitter_.buffered() != 0) return 1;
      input_open = false;  // finish the transfers in flight, then exit
      continue;
    }
    splitter_.Feed(std::string_view(chunk_.data(), n));
    Clock::time_point last_flush = Clock::now();
    std::string_view line;
    for (;;) {
      LineSplitter::Event event = splitter_.Next(&line);
      if (event == LineSplitter::Event::kNone) break;
      if (event == LineSplitter::Event::kOversize || !HandleMessage(line)) {
        fprintf(stderr, "farm worker %d: malformed task message\n", worker_.index);
        return 1;
      }
      if (Clock::now() - last_flush >= kMaxReplyDelay) {
        if (!WriteAll(out_fd_, replies_).ok()) return 1;
        replies_.clear();
        last_flush = Clock::now();
      }
    }
    if (!WriteAll(out_fd_, replies_).ok()) return 1;
    replies_.clear();
  }
}

// Runs or starts one task message; false if the message is malformed. A task
// run here is noted as running from before its JSON is parsed until its
// reply is queued, so whatever ends the worker in between is blamed on it.
bool TaskLoop::HandleMessage(std::string_view line) {
  wire::TaskMessage message;
  if (!wire::DecodeTask(line, &message)) return false;
  if (running_ != nullptr) running_->Begin(message.seq, SteadyNowNs());
  nlohmann::json task = nlohmann::json::parse(message.task_json, nullptr, /*allow_exceptions=*/false);
  if (task.is_discarded()) return false;
  if (fetches_.Start(message.seq, message.attempt, task)) {
    if (running_ != nullptr) running_->End();  // in flight, not running here
    return true;
  }
  scratch_.clear();
  bool ok = RunTask(message.seq, message.attempt, task, worker_, &scratch_);
  wire::AppendReply(message.seq, ok, scratch_, &replies_);
  if (running_ != nullptr) running_->End();
  return true;
}

void TaskLoop::CollectFetches() {
  fetches_.TakeFinished([this](uint64_t seq, bool ok, std::string_view line) {
    wire::AppendReply(seq, ok, line, &replies_);
  });
}

}  // namespace

int ServeTasks(int in_fd, int out_fd, WorkerContext& worker, RunningTask* running) {
  TaskLoop loop(in_fd, out_fd, worker, running);
  return loop.Run();
}

}  // namespace farm
