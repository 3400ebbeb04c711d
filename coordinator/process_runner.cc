#include "coordinator/process_runner.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/line_splitter.h"
#include "common/result_line.h"
#include "common/wire.h"
#include "coordinator/progress.h"
#include "coordinator/signals.h"
#include "coordinator/worker_process.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Tiny tasks are pipelined: a worker may hold about this much work queued
// ahead, so it never idles waiting for the next message. Coarse tasks stay
// one at a time per worker, so the load stays balanced.
constexpr double kPipelineSeconds = 0.002;
constexpr size_t kMaxWindow = 512;
// --keep-order: stop handing out tasks while this many results wait for an
// earlier one, so a slow task can't make the reorder buffer grow unbounded.
constexpr size_t kMaxHeldResults = 100'000;
// Bytes read from one worker before serving the others.
constexpr size_t kReadBudget = 1 << 20;
constexpr size_t kReadChunk = 256 * 1024;

struct Task {
  uint64_t seq = 0;
  int attempt = 1;
  std::string json;
  std::string last_failure;  // why the previous attempt ended, if it did
  bool fetch = false;        // waits on the network: many run at once in a worker
};

// The result line of a task that failed outside a worker's hands. Its own id
// and type are in its JSON, which only workers parse on the hot path.
std::string FailedTaskLine(const Task& task, int worker, std::string_view code,
                           std::string_view message) {
  std::string id_json = std::to_string(task.seq), type_json = "null";
  nlohmann::json parsed = nlohmann::json::parse(task.json, nullptr, false);
  if (parsed.is_object()) {
    auto id = parsed.find("id");
    if (id != parsed.end() && (id->is_string() || id->is_number_integer())) id_json = id->dump();
    auto type = parsed.find("type");
    if (type != parsed.end() && type->is_string()) type_json = type->dump();
  }
  std::string line;
  AppendErrorLine({.id_json = id_json, .type_json = type_json, .worker = worker,
                   .attempts = task.attempt},
                  code, message, &line);
  return line;
}

struct InFlight {
  Task task;
  Clock::time_point sent_at;
};

// A worker slot: the process in it (replaced when it dies) and the
// coordinator's side of the conversation.
struct Slot {
  int index = 0;
  uint64_t generation = 0;
  std::unique_ptr<WorkerProcess> process;
  std::string outbox;
  size_t outbox_sent = 0;
  LineSplitter inbox{wire::kMaxReplyLine};
  std::deque<InFlight> in_flight;  // in the order sent, which is the order run
  size_t window = 1;
  double mean_service_s = 0;
  Clock::time_point last_reply_at;
  uint64_t completed = 0;

  bool alive() const { return process != nullptr; }
  bool has_output() const { return outbox_sent < outbox.size(); }
};

class ProcessRunner {
 public:
  ProcessRunner(const RunOptions& options, TaskSource& source, ResultSink& sink,
                RunSummary* summary)
      : options_(options), source_(source), sink_(sink), summary_(summary),
        progress_(options.progress) {}

  bool Run(std::string* error);

 private:
  bool Spawn(Slot& slot);
  bool NextTask(Task* task);
  void Dispatch();
  void Send(Slot& slot, Task task);
  void FlushOutbox(Slot& slot);
  void ReadReplies(Slot& slot);
  void HandleReply(Slot& slot, std::string_view line);
  void WorkerFailed(Slot& slot, const std::string& why);
  void WriteResult(uint64_t seq, std::string_view line, bool ok);
  bool Busy() const;
  size_t FetchWindow() const { return 2 * static_cast<size_t>(options_.concurrency); }
  bool WaitForEvents();

  const RunOptions& options_;
  TaskSource& source_;
  ResultSink& sink_;
  RunSummary* summary_;
  Progress progress_;
  StopSignals signals_;
  std::vector<Slot> slots_;
  std::deque<Task> retry_queue_;
  bool input_done_ = false;
  bool input_wanted_ = false;  // out of buffered input, and the fd may block
  bool draining_ = false;      // first stop signal: no new tasks
  std::string spawn_error_;
  std::string chunk_ = std::string(kReadChunk, '\0');
};

bool ProcessRunner::Spawn(Slot& slot) {
  WorkerSpec spec{.index = slot.index,
                  .master_seed = options_.seed,
                  .generation = slot.generation,
                  .memory_limit_mb = options_.memory_limit_mb,
                  .fetch = {.out_dir = options_.out_dir,
                            .concurrency = options_.concurrency,
                            .delay_min_ms = options_.delay_min_ms,
                            .delay_max_ms = options_.delay_max_ms,
                            .max_per_host = options_.max_per_host}};
  Status status = WorkerProcess::Spawn(spec, &slot.process);
  if (!status.ok()) {
    spawn_error_ = status.message();
    slot.process.reset();
    return false;
  }
  slot.outbox.clear();
  slot.outbox_sent = 0;
  slot.inbox = LineSplitter(wire::kMaxReplyLine);
  slot.window = 1;
  slot.mean_service_s = 0;
  return true;
}

void ProcessRunner::WriteResult(uint64_t seq, std::string_view line, bool ok) {
  sink_.Add(seq, line, ok);
}

// The next task to hand out: retries first, then the input.
bool ProcessRunner::NextTask(Task* task) {
  if (draining_) return false;
  if (!retry_queue_.empty()) {
    *task = std::move(retry_queue_.front());
    retry_queue_.pop_front();
    return true;
  }
  input_wanted_ = false;
  if (options_.keep_order && sink_.held() >= kMaxHeldResults) return false;
  InputTask input;
  for (;;) {
    switch (source_.Take(&input)) {
      case TaskSource::Next::kEnd:
        input_done_ = true;
        return false;
      case TaskSource::Next::kNeedInput:
        if (source_.needs_poll()) {
          input_wanted_ = true;
          return false;
        }
        if (Status s = source_.ReadMore(); !s.ok()) {
          fprintf(stderr, "farm: %s\n", s.message().c_str());
          input_done_ = true;
          return false;
        }
        continue;
      case TaskSource::Next::kTask:
        if (!input.error_line.empty()) {
          WriteResult(input.seq, input.error_line, false);
          continue;
        }
        task->seq = input.seq;
        task->attempt = 1;
        task->json.assign(input.json);
        task->last_failure.clear();
        task->fetch = input.fetch;
        return true;
    }
  }
}

void ProcessRunner::Send(Slot& slot, Task task) {
  // A worker runs --concurrency fetches at once; a queue as deep again
  // behind them lets it start the next transfer without a round trip.
  if (task.fetch) slot.window = std::max(slot.window, FetchWindow());
  wire::AppendTask(task.seq, task.attempt, task.json, &slot.outbox);
  slot.in_flight.push_back({std::move(task), Clock::now()});
}

void ProcessRunner::Dispatch() {
  Task task;
  for (Slot& slot : slots_) {
    if (!slot.alive()) continue;
    while (slot.in_flight.size() < slot.window && NextTask(&task)) Send(slot, std::move(task));
    FlushOutbox(slot);
  }
}

void ProcessRunner::FlushOutbox(Slot& slot) {
  if (!slot.has_output()) return;
  std::string_view pending(slot.outbox);
  long n = WriteSome(slot.process->to_worker(), pending.substr(slot.outbox_sent));
  if (n < 0) return WorkerFailed(slot, "");  // EPIPE: it died; reap and say how
  slot.outbox_sent += static_cast<size_t>(n);
  if (slot.outbox_sent == slot.outbox.size()) {
    slot.outbox.clear();
    slot.outbox_sent = 0;
  }
}

void ProcessRunner::ReadReplies(Slot& slot) {
  size_t budget = kReadBudget;
  const uint64_t generation = slot.generation;  // a replacement is read next round
  while (budget > 0 && slot.generation == generation) {
    ssize_t n = ::read(slot.process->from_worker(), chunk_.data(), chunk_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return WorkerFailed(slot, "");  // end of file: it died
    budget -= std::min(budget, static_cast<size_t>(n));
    slot.inbox.Feed(std::string_view(chunk_.data(), static_cast<size_t>(n)));
    std::string_view line;
    for (;;) {
      LineSplitter::Event event = slot.inbox.Next(&line);
      if (event == LineSplitter::Event::kNone) break;
      if (event == LineSplitter::Event::kOversize)
        return WorkerFailed(slot, "sent a reply over the size limit");
      HandleReply(slot, line);
      if (slot.generation != generation) return;
    }
  }
}

void ProcessRunner::HandleReply(Slot& slot, std::string_view line) {
  wire::Reply reply;
  if (!wire::DecodeReply(line, &reply)) return WorkerFailed(slot, "sent a malformed reply");
  auto it = std::find_if(slot.in_flight.begin(), slot.in_flight.end(),
                         [&](const InFlight& f) { return f.task.seq == reply.seq; });
  if (it == slot.in_flight.end()) return WorkerFailed(slot, "replied to a task it was not given");

  // The time this task held the worker: since the previous reply, or since
  // it was sent if the worker was idle. It sizes the pipeline window.
  Clock::time_point now = Clock::now();
  double service = std::chrono::duration<double>(now - std::max(slot.last_reply_at, it->sent_at)).count();
  slot.last_reply_at = now;
  slot.mean_service_s = slot.mean_service_s == 0 ? service : 0.8 * slot.mean_service_s + 0.2 * service;
  slot.window = static_cast<size_t>(std::clamp(kPipelineSeconds / std::max(slot.mean_service_s, 1e-7),
                                               1.0, static_cast<double>(kMaxWindow)));
  if (it->task.fetch) slot.window = std::max(slot.window, FetchWindow());  // I/O, not CPU time

  if (it->task.attempt > 1) ++summary_->retried;
  WriteResult(reply.seq, reply.result_line, reply.ok);
  ++slot.completed;
  slot.in_flight.erase(it);
}

// The worker in `slot` died or broke: reap it, re-queue its tasks, replace it.
// A worker runs its tasks in order, so only the oldest task in flight was
// running, or, when that is a fetch, up to --concurrency of the oldest: only
// those are charged an attempt.
void ProcessRunner::WorkerFailed(Slot& slot, const std::string& why) {
  std::string ended = slot.process->Kill();
  std::string cause = "worker " + std::to_string(slot.index) + " " + (why.empty() ? ended : why);
  slot.process.reset();
  ++summary_->worker_restarts;
  const size_t running = slot.in_flight.empty() || !slot.in_flight.front().task.fetch
                            ? 1
                            : static_cast<size_t>(options_.concurrency);
  for (auto it = slot.in_flight.rbegin(); it != slot.in_flight.rend(); ++it) {
    Task& task = it->task;
    bool charged = static_cast<size_t>(std::distance(it, slot.in_flight.rend())) <= running;
    if (charged && task.attempt > options_.retries) {
      WriteResult(task.seq, FailedTaskLine(task, slot.index, "worker_died", cause), false);
      continue;
    }
    if (charged) {
      ++task.attempt;
      task.last_failure = cause;
    }
    retry_queue_.push_front(std::move(task));
  }
  slot.in_flight.clear();
  ++slot.generation;
  Spawn(slot);
}

bool ProcessRunner::Busy() const {
  for (const Slot& slot : slots_)
    if (!slot.in_flight.empty()) return true;
  return false;
}

// One round of waiting: worker replies, room to write, input, or a signal.
bool ProcessRunner::WaitForEvents() {
  struct Owner {
    Slot* slot;
    uint64_t generation;  // the fd belongs to this process of the slot
  };
  std::vector<pollfd> fds;
  std::vector<Owner> owners;
  for (Slot& slot : slots_) {
    if (!slot.alive()) continue;
    fds.push_back({slot.process->from_worker(), POLLIN, 0});
    owners.push_back({&slot, slot.generation});
    if (slot.has_output()) {
      fds.push_back({slot.process->to_worker(), POLLOUT, 0});
      owners.push_back({&slot, slot.generation});
    }
  }
  bool poll_input = input_wanted_ && !draining_;
  if (poll_input) fds.push_back({source_.fd(), POLLIN, 0});

  if (Status s = sink_.Flush(); !s.ok()) return false;
  timespec tick = {0, 200'000'000};  // redraw progress
  int ready = ppoll(fds.data(), fds.size(), options_.progress ? &tick : nullptr,
                    signals_.wait_mask());
  if (ready < 0 && errno != EINTR) return false;

  for (size_t i = 0; ready > 0 && i < owners.size(); ++i) {
    Slot& slot = *owners[i].slot;
    if (fds[i].revents == 0 || !slot.alive() || slot.generation != owners[i].generation) continue;
    if (fds[i].events == POLLOUT) {
      FlushOutbox(slot);
    } else {
      ReadReplies(slot);
    }
  }
  if (poll_input && fds.back().revents != 0) {
    if (Status s = source_.ReadMore(); !s.ok()) {
      fprintf(stderr, "farm: %s\n", s.message().c_str());
      input_done_ = true;
    }
  }
  return true;
}

bool ProcessRunner::Run(std::string* error) {
  slots_.resize(static_cast<size_t>(options_.workers));
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].index = static_cast<int>(i);
    if (!Spawn(slots_[i])) {
      *error = "cannot start worker: " + spawn_error_;
      return false;
    }
  }
  int stops_seen = 0;
  for (;;) {
    if (StopSignals::count() > stops_seen) {
      stops_seen = StopSignals::count();
      summary_->interrupted = true;
      if (stops_seen == 1 && Busy()) {
        draining_ = true;
        fprintf(stderr, "\nfarm: stopping: letting the tasks in flight finish; "
                        "press Ctrl-C again to stop at once\n");
      } else {
        break;
      }
    }
    Dispatch();
    if (!Busy() && (draining_ || (input_done_ && retry_queue_.empty()))) break;
    if (std::none_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.alive(); })) {
      *error = "no worker could be restarted: " + spawn_error_;
      return false;
    }
    if (!WaitForEvents()) {
      *error = "cannot write the results";
      return false;
    }
    progress_.Update(sink_.written(), sink_.failed(), source_.fraction_read());
  }
  progress_.Clear();

  for (Slot& slot : slots_)
    if (slot.alive()) {
      if (summary_->interrupted) slot.process->Kill(); else slot.process->CloseInput();
    }
  for (Slot& slot : slots_) {
    if (slot.alive()) slot.process->Stop(1000);
    summary_->tasks_per_worker.push_back(slot.completed);
  }
  return true;
}

}  // namespace

bool RunProcesses(const RunOptions& options, TaskSource& source, ResultSink& sink,
                  RunSummary* summary, std::string* error) {
  ProcessRunner runner(options, source, sink, summary);
  return runner.Run(error);
}

}  // namespace farm
