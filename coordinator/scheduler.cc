#include "coordinator/scheduler.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/wire.h"
#include "coordinator/signals.h"

namespace farm {
namespace {

// Tiny tasks are pipelined: a worker may hold about this much work queued
// ahead, so it never idles waiting for the next message. Coarse tasks stay
// one at a time per worker, so the load stays balanced.
constexpr double kPipelineSeconds = 0.002;
constexpr size_t kMaxWindow = 512;
// --keep-order: stop handing out tasks while this many results wait for an
// earlier one, so a slow task can't make the reorder buffer grow unbounded.
constexpr size_t kMaxHeldResults = 100'000;
// Fetches read ahead of the ones their hosts can take: enough to find work
// for other hosts, bounded so a one-host list is not read whole into memory.
constexpr size_t kMaxWaitingFetches = 10'000;

}  // namespace

Scheduler::Scheduler(const RunOptions& options, Transport& transport, RunSummary* summary,
                     SchedulerEnv env)
    : options_(options), transport_(transport), summary_(summary), env_(std::move(env)),
      progress_(options),
      // Its pauses draw from a stream of their own ("polite"), apart from the workers'.
      politeness_(options.politeness, Mix64(options.seed ^ 0x706f6c697465)) {
  slots_.resize(static_cast<size_t>(transport.slots()));
  for (size_t i = 0; i < slots_.size(); ++i) slots_[i].index = static_cast<int>(i);
}

// A fresh worker in `slot`, and its settings as its first message.
Status Scheduler::StartWorker(Slot& slot) {
  Status status = transport_.Start(slot.index);
  if (!status.ok()) return status;
  Slot fresh;  // what it learnt of the last worker is void now
  fresh.index = slot.index;
  fresh.generation = slot.generation;
  fresh.alive = true;
  fresh.completed = slot.completed;
  slot = std::move(fresh);
  wire::AppendSettings({.index = slot.index,
                        .generation = slot.generation,
                        .master_seed = options_.seed,
                        .memory_limit_mb = options_.memory_limit_mb,
                        .task_timeout_s = options_.task_timeout_s.value_or(0),
                        .allow_exec = options_.allow_exec,
                        .fetch = options_.fetch},
                       &messages_);
  transport_.Send(slot.index, &messages_);
  return Status::Ok();
}

Status Scheduler::StartWorkers() {
  for (Slot& slot : slots_) {
    if (Status s = StartWorker(slot); !s.ok())
      return Status::Error("cannot start worker " + std::to_string(slot.index) + ": " +
                           s.message());
  }
  return Status::Ok();
}

// Workers replaced after a death, a fault or their share of tasks.
Status Scheduler::RestartWorkers() {
  bool any_alive = false;
  for (Slot& slot : slots_) {
    if (slot.restart) {
      slot.restart = false;
      ++slot.generation;
      if (Status s = StartWorker(slot); !s.ok()) start_error_ = s.message();
    }
    any_alive |= slot.alive;
  }
  if (!any_alive) return Status::Error("no worker could be restarted: " + start_error_);
  return Status::Ok();
}

// The next task to hand out: retries first, then fetches whose host may take
// a request now (`fetch_room`: if the worker may take one more fetch), then
// the input, whose fetches wait for their host.
bool Scheduler::NextTask(Task* task, Clock::time_point now, bool fetch_room) {
  if (draining_) return false;
  if (!retry_queue_.empty()) {
    *task = std::move(retry_queue_.front());
    retry_queue_.pop_front();
    return true;
  }
  std::string why;  // empty, and so no allocation, unless robots.txt forbids a URL
  for (;;) {
    const bool take = fetch_room && !politeness_.idle();  // the common case of no fetch at all
    switch (take ? politeness_.Take(now, task, &why) : Politeness::Next::kNone) {
      case Politeness::Next::kTask:
        return true;
      case Politeness::Next::kDisallowed:
        Settle(task->seq, FailedTaskLine(*task, -1, 0, "robots_disallowed", why), false);
        continue;
      case Politeness::Next::kNone:
        break;
    }
    if (politeness_.waiting() >= kMaxWaitingFetches || !TakeInput(task)) return false;
    // Lines that failed on the way in (bad JSON, say) count for --halt too:
    // if they make it halt, the task after them is not run.
    if (options_.halt.when != HaltPolicy::When::kNever && (HandleHalt(), draining_)) {
      retry_queue_.push_back(std::move(*task));
      return false;
    }
    if (!task->fetch || (task->host = politeness_.HostOf(task->json)) == 0) return true;
    politeness_.Add(std::move(*task));
  }
}

bool Scheduler::TakeInput(Task* task) {
  input_wanted_ = false;
  if (options_.keep_order && sink_->held() >= kMaxHeldResults) return false;
  InputTask input;
  switch (source_->TakeRunnable(*sink_, &input)) {
    case TaskSource::Next::kEnd:
      input_done_ = true;
      return false;
    case TaskSource::Next::kNeedInput:
      input_wanted_ = true;
      return false;
    case TaskSource::Next::kBusy:
      input_busy_ = true;  // a turn of the loop, without waiting, then on
      return false;
    case TaskSource::Next::kTask:
      break;
  }
  task->seq = input.seq;
  task->attempt = 1;
  task->json.assign(input.json);
  task->fetch = input.fetch;
  task->host = 0;
  return true;
}

// Where a task's result line goes: the output, or, for a robots.txt request
// of politeness_'s own, back there.
void Scheduler::Settle(uint64_t seq, std::string_view line, bool ok, bool transient) {
  if (Politeness::IsRobotsTask(seq)) return politeness_.RobotsReply(seq, ok, line, transient);
  sink_->Add(seq, line, ok);
}

// A worker runs --concurrency fetches at once, and holds as many again
// queued so it starts the next without a round trip; not when request
// starts are spaced, where a fetch sent must start at once.
size_t Scheduler::FetchWindow() const {
  return (politeness_.spaced() ? 1 : 2) * static_cast<size_t>(options_.fetch.concurrency);
}

// How many more tasks `slot` takes now: its pipeline window, and what is left
// of --max-tasks-per-worker for its worker.
size_t Scheduler::Room(const Slot& slot) const {
  if (!slot.alive || slot.input_closed) return 0;
  size_t room = slot.window - std::min(slot.window, slot.in_flight.size());
  // Refill by half a window at least: tiny tasks then travel hundreds to a
  // message, not a few at a time in a ping-pong of wake-ups. A worker still
  // holds half a window (about a millisecond) of work meanwhile.
  if (!slot.in_flight.empty() && room < (slot.window + 1) / 2) return 0;
  if (options_.max_tasks_per_worker > 0)
    room = std::min<uint64_t>(room, options_.max_tasks_per_worker - slot.sent);
  return room;
}

void Scheduler::Dispatch() {
  Task task;
  const Clock::time_point now = env_.now();
  for (Slot& slot : slots_) {
    for (size_t room = Room(slot);
         room > 0 && NextTask(&task, now, slot.fetches < FetchWindow()); --room) {
      if (task.fetch && slot.window < FetchWindow()) {
        room += FetchWindow() - slot.window;
        slot.window = FetchWindow();
      }
      wire::AppendTask(task.seq, task.attempt, task.json, &messages_);
      Hold(slot, task, now);
    }
    if (messages_.empty()) continue;
    transport_.Send(slot.index, &messages_);
    // Its last task is sent: end of input makes it exit when done.
    if (options_.max_tasks_per_worker > 0 &&
        slot.sent >= static_cast<uint64_t>(options_.max_tasks_per_worker)) {
      slot.input_closed = true;
      transport_.CloseInput(slot.index);
    }
  }
}

void Scheduler::Hold(Slot& slot, const Task& task, Clock::time_point now) {
  slot.in_flight.push_back({.seq = task.seq, .attempt = task.attempt, .fetch = task.fetch,
                            .host = task.host, .offset = slot.held_text.size(),
                            .size = task.json.size(), .sent_at = now});
  slot.held_text.append(task.json);
  slot.fetches += task.fetch;
  ++slot.sent;
}

// The task `it` is no longer in flight. Its text is reclaimed with the rest
// once nothing is in flight, or when most of held_text is dead.
void Scheduler::Release(Slot& slot, std::deque<InFlight>::iterator it) {
  slot.held_dead += it->size;
  slot.fetches -= it->fetch;
  if (it == slot.in_flight.begin()) {
    slot.in_flight.pop_front();  // the usual case: replies come in the order sent
  } else {
    slot.in_flight.erase(it);
  }
  if (slot.in_flight.empty()) {
    slot.held_text.clear();
    slot.held_dead = 0;
  } else if (slot.held_dead > (1 << 20) && 2 * slot.held_dead > slot.held_text.size()) {
    std::string live;
    for (InFlight& task : slot.in_flight) {
      live.append(slot.held_text, task.offset, task.size);
      task.offset = live.size() - task.size;
    }
    slot.held_text.swap(live);
    slot.held_dead = 0;
  }
}

Scheduler::Task Scheduler::Held(const Slot& slot, const InFlight& in_flight) const {
  return {.seq = in_flight.seq,
          .attempt = in_flight.attempt,
          .json = slot.held_text.substr(in_flight.offset, in_flight.size),
          .fetch = in_flight.fetch,
          .host = in_flight.host};
}

void Scheduler::OnMessage(int index, std::string_view line) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  wire::WorkerMessage message;
  if (!wire::DecodeWorkerMessage(line, &message, !transport_.trusted()))
    return Replace(slot, Fault::kBroken, "sent a malformed reply");
  switch (message.kind) {
    case wire::WorkerMessage::Kind::kReply:
      return HandleReply(slot, message.reply);
    case wire::WorkerMessage::Kind::kStarted:
      slot.started_seq = message.seq;
      slot.started_at = EventTime();
      return;
    case wire::WorkerMessage::Kind::kOutOfMemory:
      slot.out_of_memory_seq = message.seq;  // it exits next: OnEnded says the rest
      return;
    case wire::WorkerMessage::Kind::kTransient:
      slot.transient_seq = message.seq;  // its reply follows
      slot.transient_after_ms = message.after_ms;
      return;
    case wire::WorkerMessage::Kind::kProgress:
      return sink_->Progress(message.seq, message.fraction);
  }
}

void Scheduler::HandleReply(Slot& slot, const wire::Reply& reply) {
  auto it = std::find_if(slot.in_flight.begin(), slot.in_flight.end(),
                         [&](const InFlight& f) { return f.seq == reply.seq; });
  if (it == slot.in_flight.end())
    return Replace(slot, Fault::kBroken, "replied to a task it was not given");

  // The time this task held the worker: since the previous reply, or since
  // it was sent if the worker was idle, less the trip there and back. It
  // sizes the pipeline window, which also covers that trip.
  Clock::time_point now = EventTime();
  const double trip = std::chrono::duration<double>(transport_.round_trip()).count();
  const bool idle = it->sent_at >= slot.last_reply_at;
  double service =
      std::chrono::duration<double>(now - std::max(slot.last_reply_at, it->sent_at)).count();
  if (idle) service = std::max(service - trip, 0.0);
  slot.last_reply_at = now;
  slot.mean_service_s =
      slot.mean_service_s == 0 ? service : 0.8 * slot.mean_service_s + 0.2 * service;
  const double ahead = kPipelineSeconds + trip;
  slot.window = static_cast<size_t>(std::clamp(ahead / std::max(slot.mean_service_s, 1e-7), 1.0,
                                               kMaxWindow * ahead / kPipelineSeconds));
  if (it->fetch) slot.window = std::max(slot.window, FetchWindow());  // I/O, not CPU time

  ++slot.completed;
  if (it->host != 0) politeness_.Finished(it->host);
  const bool transient = std::exchange(slot.transient_seq, 0) == reply.seq && !reply.ok;
  if (!transient || !RetryLater(slot, *it, slot.transient_after_ms))
    Settle(reply.seq, reply.result_line, reply.ok, transient);
  Release(slot, it);
}

// A fetch that failed but may succeed later goes back to wait for its host,
// which pauses for a back-off first, while it has --fetch-retries left.
bool Scheduler::RetryLater(const Slot& slot, const InFlight& in_flight, int64_t after_ms) {
  if (in_flight.host == 0 || draining_ || in_flight.attempt > options_.politeness.fetch_retries ||
      !Politeness::WorthWaiting(after_ms))
    return false;
  Task task = Held(slot, in_flight);
  ++task.attempt;
  ++summary_->retried;
  politeness_.Pause(task.host, EventTime() + politeness_.Backoff(task.attempt, after_ms));
  politeness_.AddFirst(std::move(task));
  return true;
}

// When the events of this wait arrived: the clock is read once for all the
// replies read together, not once each.
Clock::time_point Scheduler::EventTime() {
  if (!event_time_) event_time_ = env_.now();
  return *event_time_;
}

// A worker ended by itself: it finished its share of --max-tasks-per-worker
// and exited, or it died.
void Scheduler::OnEnded(int index, const std::string& how) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (slot.input_closed && slot.in_flight.empty()) {
    slot.alive = false;  // recycled: RestartWorkers() gives the slot a fresh one
    slot.restart = true;
    return;
  }
  Replace(slot, Fault::kEnded, how);
}

bool Scheduler::Busy() const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [](const Slot& slot) { return !slot.in_flight.empty(); });
}

// The first stop signal drains (no new tasks; those in flight finish), the
// second stops at once. True when the run must stop now.
bool Scheduler::HandleStopSignals() {
  int stops = env_.stop_signals();
  if (stops <= stops_seen_) return false;
  stops_seen_ = stops;
  summary_->interrupted = true;
  if (stops_seen_ == 1 && Busy()) {
    draining_ = true;
    Say("\nfarm: stopping: letting the tasks in flight finish; "
        "press Ctrl-C again to stop at once\n");
    return false;
  }
  return true;
}

// --halt: once its condition holds, no new task (soon), or stop now.
bool Scheduler::HandleHalt() {
  const uint64_t ok = sink_->received_ok(), failed = sink_->received_failed();
  if (!summary_->halted.empty() || !options_.halt.Triggered(ok, failed)) return halted_now_;
  summary_->halted = options_.halt.Describe() + " (" + std::to_string(failed) + " failed, " +
                     std::to_string(ok) + " ok)";
  draining_ = true;
  halted_now_ = options_.halt.when == HaltPolicy::When::kNow;
  if (!halted_now_ && Busy())
    Say("\nfarm: " + summary_->halted + ": no new tasks; waiting for those in flight\n");
  return halted_now_;
}

Status Scheduler::Run(TaskSource& source, ResultSink& sink) {
  FileFeed feed(source, sink);
  FileOutput output(sink);
  return Run(feed, output);
}

Status Scheduler::Run(TaskFeed& source, ResultOutput& sink) {
  source_ = &source;
  sink_ = &sink;
  Status status = sink.Open();  // now that the workers run, not before
  while (status.ok()) {
    if (HandleStopSignals() || HandleHalt()) break;
    if (status = RestartWorkers(); !status.ok()) break;
    Dispatch();
    if (halted_now_) break;  // by a line of the input that failed
    if (!Busy() && (draining_ || (input_done_ && retry_queue_.empty() &&
                                  politeness_.waiting() == 0)))
      break;
    if (status = sink.Flush(); !status.ok()) break;
    bool poll_input = (input_wanted_ || source.always_poll()) && !draining_;
    bool input_ready = false;
    WaitRequest request{.until = std::exchange(input_busy_, false) ? env_.now() : WakeUp(),
                        .input_fd = poll_input ? source.fd() : -1,
                        .signal_mask = env_.signal_mask};
    event_time_.reset();
    if (status = transport_.Wait(request, *this, &input_ready); !status.ok()) break;
    if (input_ready) source.ReadMore();
    EnforceDeadlines();
    progress_.Update(sink.written(), sink.failed(), source.fraction_read());
  }
  progress_.Clear();
  transport_.Stop(/*now=*/!status.ok() || ((summary_->interrupted || halted_now_) && Busy()));
  summary_->not_run = retry_queue_.size() + politeness_.DropWaiting();
  for (const Slot& slot : slots_) summary_->not_run += slot.in_flight.size();
  for (const Slot& slot : slots_) summary_->tasks_per_worker.push_back(slot.completed);
  return status;
}

}  // namespace farm
