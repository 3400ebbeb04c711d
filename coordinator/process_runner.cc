#include "coordinator/process_runner.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>
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
// How long a worker that ended its output gets to exit before SIGKILL.
constexpr int kExitGraceMs = 1000;

struct Task {
  uint64_t seq = 0;
  int attempt = 1;
  std::string json;
  bool fetch = false;  // waits on the network: many run at once in a worker
};

// Why a worker is being replaced.
enum class Fault {
  kEnded,     // its output ended: it exited or was killed
  kBroken,    // it sent something that is not a reply to a task it holds
  kTimedOut,  // the task it runs passed --task-timeout
};

// The outcome of the task a replaced worker was running.
struct Failure {
  std::string code;     // worker_died or timeout
  std::string message;
  bool retry = true;    // false: running it again cannot help
};

// The result line of a task that failed outside a worker's hands. Its own id
// and type are in its JSON, which only workers parse on the hot path.
std::string FailedTaskLine(const Task& task, int worker, double elapsed_ms, std::string_view code,
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
                   .attempts = task.attempt, .elapsed_ms = elapsed_ms},
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
  Clock::time_point last_reply_at;  // from this process; epoch if none yet
  uint64_t sent = 0;                // tasks sent to this process
  uint64_t completed = 0;

  bool alive() const { return process != nullptr; }
  bool has_output() const { return outbox_sent < outbox.size(); }
};

class ProcessRunner {
 public:
  ProcessRunner(const RunOptions& options, TaskSource& source, ResultSink& sink,
                RunSummary* summary)
      : options_(options), source_(source), sink_(sink), summary_(summary),
        progress_(options) {}

  bool Run(std::string* error);

 private:
  bool Spawn(Slot& slot);
  bool NextTask(Task* task);
  void Dispatch();
  void Send(Slot& slot, Task task);
  void FlushOutbox(Slot& slot);
  size_t Room(const Slot& slot) const;
  void ReadReplies(Slot& slot);
  void HandleReply(Slot& slot, std::string_view line);
  void OutputEnded(Slot& slot);
  void Recycle(Slot& slot);
  void ReplaceWorker(Slot& slot, Fault fault, const std::string& why);
  Failure Describe(const Slot& slot, Fault fault, const std::string& why) const;
  void Requeue(Slot& slot, size_t blamed, double elapsed_ms, const Failure& failure);
  Clock::time_point Deadline(const Slot& slot) const;
  void EnforceDeadlines();
  timespec* PollTimeout(timespec* storage) const;
  void WriteResult(uint64_t seq, std::string_view line, bool ok);
  bool Busy() const;
  size_t FetchWindow() const { return 2 * static_cast<size_t>(options_.fetch.concurrency); }
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
                  .fetch = options_.fetch};
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
  slot.last_reply_at = {};
  slot.sent = 0;
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
  switch (source_.TakeRunnable(sink_, &input)) {
    case TaskSource::Next::kEnd:
      input_done_ = true;
      return false;
    case TaskSource::Next::kNeedInput:
      input_wanted_ = true;
      return false;
    case TaskSource::Next::kTask:
      break;
  }
  task->seq = input.seq;
  task->attempt = 1;
  task->json.assign(input.json);
  task->fetch = input.fetch;
  return true;
}

void ProcessRunner::Send(Slot& slot, Task task) {
  // A worker runs --concurrency fetches at once; a queue as deep again
  // behind them lets it start the next transfer without a round trip.
  if (task.fetch) slot.window = std::max(slot.window, FetchWindow());
  wire::AppendTask(task.seq, task.attempt, task.json, &slot.outbox);
  slot.in_flight.push_back({std::move(task), Clock::now()});
  ++slot.sent;
}

// How many more tasks `slot` takes now: its pipeline window, and what is left
// of --max-tasks-per-worker for its process.
size_t ProcessRunner::Room(const Slot& slot) const {
  if (!slot.alive() || slot.process->input_closed()) return 0;
  size_t room = slot.window - std::min(slot.window, slot.in_flight.size());
  if (options_.max_tasks_per_worker > 0)
    room = std::min<uint64_t>(room, options_.max_tasks_per_worker - slot.sent);
  return room;
}

void ProcessRunner::Dispatch() {
  Task task;
  for (Slot& slot : slots_) {
    if (!slot.alive()) continue;
    // Room() again after each task: sending a fetch widens the window.
    while (Room(slot) > 0 && NextTask(&task)) Send(slot, std::move(task));
    FlushOutbox(slot);
  }
}

void ProcessRunner::FlushOutbox(Slot& slot) {
  if (!slot.has_output()) return;
  std::string_view pending(slot.outbox);
  long n = WriteSome(slot.process->to_worker(), pending.substr(slot.outbox_sent));
  if (n < 0) return ReplaceWorker(slot, Fault::kEnded, "");  // EPIPE: it died; reap and say how
  slot.outbox_sent += static_cast<size_t>(n);
  if (slot.outbox_sent == slot.outbox.size()) {
    slot.outbox.clear();
    slot.outbox_sent = 0;
    // Its last task is sent: end of input makes it exit when done.
    if (options_.max_tasks_per_worker > 0 &&
        slot.sent >= static_cast<uint64_t>(options_.max_tasks_per_worker))
      slot.process->CloseInput();
  }
}

void ProcessRunner::ReadReplies(Slot& slot) {
  size_t budget = kReadBudget;
  const uint64_t generation = slot.generation;  // a replacement is read next round
  while (budget > 0 && slot.generation == generation) {
    ssize_t n = ::read(slot.process->from_worker(), chunk_.data(), chunk_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return OutputEnded(slot);
    budget -= std::min(budget, static_cast<size_t>(n));
    slot.inbox.Feed(std::string_view(chunk_.data(), static_cast<size_t>(n)));
    std::string_view line;
    for (;;) {
      LineSplitter::Event event = slot.inbox.Next(&line);
      if (event == LineSplitter::Event::kNone) break;
      if (event == LineSplitter::Event::kOversize)
        return ReplaceWorker(slot, Fault::kBroken, "sent a reply over the size limit");
      HandleReply(slot, line);
      if (slot.generation != generation) return;
    }
  }
}

void ProcessRunner::HandleReply(Slot& slot, std::string_view line) {
  wire::Reply reply;
  if (!wire::DecodeReply(line, &reply)) return ReplaceWorker(slot, Fault::kBroken, "sent a malformed reply");
  auto it = std::find_if(slot.in_flight.begin(), slot.in_flight.end(),
                         [&](const InFlight& f) { return f.task.seq == reply.seq; });
  if (it == slot.in_flight.end())
    return ReplaceWorker(slot, Fault::kBroken, "replied to a task it was not given");

  // The time this task held the worker: since the previous reply, or since
  // it was sent if the worker was idle. It sizes the pipeline window.
  Clock::time_point now = Clock::now();
  double service = std::chrono::duration<double>(now - std::max(slot.last_reply_at, it->sent_at)).count();
  slot.last_reply_at = now;
  slot.mean_service_s = slot.mean_service_s == 0 ? service : 0.8 * slot.mean_service_s + 0.2 * service;
  slot.window = static_cast<size_t>(std::clamp(kPipelineSeconds / std::max(slot.mean_service_s, 1e-7),
                                               1.0, static_cast<double>(kMaxWindow)));
  if (it->task.fetch) slot.window = std::max(slot.window, FetchWindow());  // I/O, not CPU time

  WriteResult(reply.seq, reply.result_line, reply.ok);
  ++slot.completed;
  slot.in_flight.erase(it);
}

// End of file from a worker: it finished the tasks of its share of
// --max-tasks-per-worker and exited, or it died.
void ProcessRunner::OutputEnded(Slot& slot) {
  if (slot.process->input_closed() && slot.in_flight.empty()) return Recycle(slot);
  ReplaceWorker(slot, Fault::kEnded, "");
}

// A fresh process for a slot whose worker ran its share of tasks.
void ProcessRunner::Recycle(Slot& slot) {
  slot.process->Stop(kExitGraceMs);
  slot.process.reset();
  ++slot.generation;
  Spawn(slot);
}

// The task the worker in `slot` is running: the one it notes in shared
// memory or, when it notes none (it is between two tasks), the oldest in
// flight. Its index in slot.in_flight, kNone if it holds none. *started: when
// that task started, or the latest it can have started.
constexpr size_t kNone = std::numeric_limits<size_t>::max();
size_t RunningIn(const Slot& slot, Clock::time_point* started) {
  const RunningTask& running = slot.process->running();
  uint64_t seq = running.seq.load(std::memory_order_acquire);
  int64_t started_ns = running.started_ns.load(std::memory_order_relaxed);
  for (size_t i = 0; seq != 0 && i < slot.in_flight.size(); ++i) {
    if (slot.in_flight[i].task.seq == seq) {
      *started = Clock::time_point(std::chrono::nanoseconds(started_ns));
      return i;
    }
  }
  if (slot.in_flight.empty()) return kNone;
  *started = std::max(slot.in_flight.front().sent_at, slot.last_reply_at);
  return 0;
}

Failure ProcessRunner::Describe(const Slot& slot, Fault fault, const std::string& why) const {
  std::string worker = "worker " + std::to_string(slot.index) + " ";
  int status = slot.process->wait_status();
  switch (fault) {
    case Fault::kTimedOut: {
      char seconds[32];
      snprintf(seconds, sizeof seconds, "%g", *options_.task_timeout_s);
      return {"timeout", std::string("ran longer than --task-timeout ") + seconds + " s; " +
                             worker + "was killed"};
    }
    case Fault::kBroken:
      return {"worker_died", worker + why};
    case Fault::kEnded:
      break;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == wire::kExitOutOfMemory) {
    std::string limit = options_.memory_limit_mb > 0
                            ? "more than --memory-limit " +
                                  std::to_string(options_.memory_limit_mb) + " MB allows"
                            : "more than the machine has";
    // The contract's code for a worker lost to its task; the message says why.
    return {"worker_died", "out of memory: the task needed " + limit + "; " + worker + "ran out of memory",
            /*retry=*/false};
  }
  return {"worker_died", worker + DescribeWaitStatus(status)};
}

// The worker in `slot` died, broke or hung: stop it, settle its tasks and
// start a replacement with a fresh seed.
void ProcessRunner::ReplaceWorker(Slot& slot, Fault fault, const std::string& why) {
  Clock::time_point started;
  size_t blamed = RunningIn(slot, &started);
  // A worker whose output ended is exiting: give it a moment, for its status.
  if (fault == Fault::kEnded) slot.process->Stop(kExitGraceMs); else slot.process->Kill();
  Failure failure = Describe(slot, fault, why);
  ++summary_->worker_restarts;
  Requeue(slot, blamed, std::chrono::duration<double, std::milli>(Clock::now() - started).count(),
          failure);
  slot.process.reset();
  ++slot.generation;
  Spawn(slot);
}

// Puts the tasks a replaced worker held back at the head of the queue, in
// their order. Only the blamed one is charged an attempt: the others never
// ran, or ran and their replies were lost with the worker. Fetches are the
// exception: up to --concurrency of the oldest were all in transfer.
void ProcessRunner::Requeue(Slot& slot, size_t blamed, double elapsed_ms, const Failure& failure) {
  const size_t transfers = static_cast<size_t>(options_.fetch.concurrency);
  for (size_t i = slot.in_flight.size(); i-- > 0;) {
    Task& task = slot.in_flight[i].task;
    if (i == blamed || (task.fetch && i < transfers)) {
      if (!failure.retry || task.attempt > options_.retries) {
        WriteResult(task.seq,
                    FailedTaskLine(task, slot.index, elapsed_ms, failure.code, failure.message),
                    false);
        continue;
      }
      ++task.attempt;
      ++summary_->retried;  // one more run, however it ends
    }
    retry_queue_.push_front(std::move(task));
  }
  slot.in_flight.clear();
}

// When the task running in `slot` passes --task-timeout; max() if never.
Clock::time_point ProcessRunner::Deadline(const Slot& slot) const {
  Clock::time_point started;
  if (!options_.task_timeout_s || !slot.alive() || RunningIn(slot, &started) == kNone)
    return Clock::time_point::max();
  return started + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(*options_.task_timeout_s));
}

void ProcessRunner::EnforceDeadlines() {
  if (!options_.task_timeout_s) return;
  Clock::time_point now = Clock::now();
  for (Slot& slot : slots_)
    if (Deadline(slot) <= now) ReplaceWorker(slot, Fault::kTimedOut, "");
}

// ppoll's timeout: the nearest task deadline, and a progress redraw.
timespec* ProcessRunner::PollTimeout(timespec* storage) const {
  Clock::duration wait = Clock::duration::max();
  if (options_.progress) wait = std::chrono::milliseconds(200);
  if (options_.task_timeout_s) {
    Clock::time_point now = Clock::now();
    for (const Slot& slot : slots_) {
      Clock::time_point deadline = Deadline(slot);
      if (deadline != Clock::time_point::max())
        wait = std::min(wait, std::max(deadline - now, Clock::duration::zero()));
    }
  }
  if (wait == Clock::duration::max()) return nullptr;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count() + 1'000'000;
  storage->tv_sec = ns / 1'000'000'000;
  storage->tv_nsec = ns % 1'000'000'000;
  return storage;
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
  timespec timeout;
  int ready = ppoll(fds.data(), fds.size(), PollTimeout(&timeout), signals_.wait_mask());
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
    source_.ReadMore();
  }
  EnforceDeadlines();
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
  if (Status s = sink_.Open(); !s.ok()) return *error = s.message(), false;  // now, not before
  int stops_seen = 0;
  for (;;) {
    if (StopSignals::count() > stops_seen) {
      stops_seen = StopSignals::count();
      summary_->interrupted = true;
      if (stops_seen == 1 && Busy()) {
        draining_ = true;
        Say("\nfarm: stopping: letting the tasks in flight finish; "
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
    if (slot.alive()) slot.process->Stop(kExitGraceMs);
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
