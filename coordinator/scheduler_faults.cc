// The scheduler's answer to a worker that died, broke or hung: who is blamed,
// what is retried, and when a task's time is up.
#include <stdio.h>

#include <algorithm>
#include <limits>

#include "common/canonical_id.h"
#include "common/result_line.h"
#include "common/seconds.h"
#include "coordinator/scheduler.h"

namespace farm {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

}  // namespace

// The result line of a task that failed outside a worker's hands.
std::string Scheduler::FailedTaskLine(const Task& task, int worker, double elapsed_ms,
                                      std::string_view code, std::string_view message) const {
  TaskIdentity identity = IdentifyTask(task.json, task.seq);
  std::string line;
  AppendErrorLine({.id_json = identity.id_json, .type_json = identity.type_json,
                   .worker = worker, .attempts = task.attempt, .elapsed_ms = elapsed_ms},
                  code, message, &line);
  return line;
}

// The task the worker in `slot` is running: as the transport sees it, as the
// worker announced it, or, when it notes none (it is between two tasks), the
// oldest in flight. Its index in slot.in_flight, kNone if it holds none.
// *started: when that task started, or the latest it can have started.
size_t Scheduler::RunningIn(const Slot& slot, Clock::time_point* started) const {
  uint64_t seq = 0;
  Clock::time_point since;
  if (!transport_.Running(slot.index, &seq, &since) && slot.started_seq != 0) {
    seq = slot.started_seq;
    since = slot.started_at;
  }
  for (size_t i = 0; seq != 0 && i < slot.in_flight.size(); ++i) {
    if (slot.in_flight[i].seq == seq) {
      *started = since;
      return i;
    }
  }
  if (slot.in_flight.empty()) return kNone;
  *started = std::max(slot.in_flight.front().sent_at, slot.last_reply_at);
  return 0;
}

Scheduler::Failure Scheduler::Describe(const Slot& slot, Fault fault,
                                       const std::string& why) const {
  std::string worker = "worker " + std::to_string(slot.index) + " ";
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
  if (slot.out_of_memory_seq != 0) {
    std::string limit = options_.memory_limit_mb > 0
                            ? "more than --memory-limit " +
                                  std::to_string(options_.memory_limit_mb) + " MB allows"
                            : "more than the machine has";
    // The contract's code for a worker lost to its task; the message says why.
    return {"worker_died",
            "out of memory: the task needed " + limit + "; " + worker + "ran out of memory",
            /*retry=*/false};
  }
  return {"worker_died", worker + why};
}

// The worker in `slot` died, broke or hung: stop it, settle its tasks and
// have it replaced, with a fresh seed.
void Scheduler::Replace(Slot& slot, Fault fault, const std::string& why) {
  Clock::time_point started;
  size_t blamed = RunningIn(slot, &started);
  if (slot.out_of_memory_seq != 0) {
    for (size_t i = 0; i < slot.in_flight.size(); ++i)
      if (slot.in_flight[i].seq == slot.out_of_memory_seq) blamed = i;
  }
  std::string how = fault == Fault::kEnded ? why : transport_.Kill(slot.index);
  Failure failure = Describe(slot, fault, fault == Fault::kEnded ? how : why);
  ++summary_->worker_restarts;
  double elapsed_ms = std::chrono::duration<double, std::milli>(env_.now() - started).count();
  Requeue(slot, blamed, elapsed_ms, failure);
  slot.alive = false;
  slot.restart = true;
}

// Puts the tasks a replaced worker held back at the head of the queue, in
// their order. Only the blamed one is charged an attempt: the others never
// ran, or ran and their replies were lost with the worker. Fetches are the
// exception: up to --concurrency of the oldest were all in transfer.
void Scheduler::Requeue(Slot& slot, size_t blamed, double elapsed_ms, const Failure& failure) {
  const size_t transfers = static_cast<size_t>(options_.fetch.concurrency);
  for (size_t i = slot.in_flight.size(); i-- > 0;) {
    Task task = Held(slot, slot.in_flight[i]);
    if (task.host != 0) politeness_.Finished(task.host);
    if (i == blamed || (task.fetch && i < transfers)) {
      if (!failure.retry || task.attempt > options_.retries) {
        Settle(task.seq,
               FailedTaskLine(task, slot.index, elapsed_ms, failure.code, failure.message),
               false);
        continue;
      }
      ++task.attempt;
      ++summary_->retried;  // one more run, however it ends
    }
    if (task.host != 0) {
      politeness_.AddFirst(std::move(task));  // still under its host's limits
    } else {
      retry_queue_.push_front(std::move(task));
    }
  }
  slot.in_flight.clear();
  slot.held_text.clear();
  slot.held_dead = 0;
  slot.fetches = 0;
}

// When the task running in `slot` passes --task-timeout; max() if never.
Clock::time_point Scheduler::Deadline(const Slot& slot) const {
  Clock::time_point started;
  if (!options_.task_timeout_s || !slot.alive || RunningIn(slot, &started) == kNone)
    return Clock::time_point::max();
  return started + SecondsDuration(*options_.task_timeout_s);
}

void Scheduler::EnforceDeadlines() {
  if (!options_.task_timeout_s) return;
  Clock::time_point now = env_.now();
  for (Slot& slot : slots_)
    if (Deadline(slot) <= now) Replace(slot, Fault::kTimedOut, "");
}

// When the wait must end: the nearest task deadline, a host that may take
// a request again, or a progress redraw.
Clock::time_point Scheduler::WakeUp() const {
  const Clock::time_point now = env_.now();
  Clock::time_point wake = politeness_.NextOpening(now);
  if (options_.progress) wake = std::min(wake, now + std::chrono::milliseconds(200));
  if (options_.task_timeout_s)
    for (const Slot& slot : slots_) wake = std::min(wake, Deadline(slot));
  return wake;
}

}  // namespace farm
