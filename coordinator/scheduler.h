// farm's policy, in one place and for every transport: which task goes to
// which worker and how many a worker may hold, who is blamed when a worker
// dies or hangs, retries, deadlines, --keep-order's bound, draining on the
// first Ctrl-C. The transport (coordinator/transport.h) only starts workers
// and moves their messages.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/wire.h"
#include "coordinator/options.h"
#include "coordinator/politeness.h"
#include "coordinator/progress.h"
#include "coordinator/result_sink.h"
#include "coordinator/scheduled_task.h"
#include "coordinator/summary.h"
#include "coordinator/task_feed.h"
#include "coordinator/task_source.h"
#include "coordinator/transport.h"

namespace farm {

// What the scheduler asks of the world around it; tests replace it.
struct SchedulerEnv {
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
  // How many stop signals (SIGINT, SIGTERM) arrived so far.
  std::function<int()> stop_signals = [] { return 0; };
  const sigset_t* signal_mask = nullptr;  // passed to the transport's Wait()
};

class Scheduler : private TransportEvents {
 public:
  Scheduler(const RunOptions& options, Transport& transport, RunSummary* summary,
            SchedulerEnv env = {});

  // Starts a worker in every slot; an error if one can't start (the
  // transport stops those that did when it is destroyed).
  Status StartWorkers();

  // Runs every task of `source`, handing each result line to `sink`. An
  // error means the run could not go on: the wait failed, the output could
  // not be written, no worker could be restarted.
  Status Run(TaskSource& source, ResultSink& sink);
  // The same over any feed and output (the library's Executor).
  Status Run(TaskFeed& feed, ResultOutput& output);

 private:
  using Task = ScheduledTask;
  // A task a worker holds. Its JSON is kept in its slot's held_text, not in
  // a string of its own: tiny tasks then cost no allocation each.
  struct InFlight {
    uint64_t seq = 0;
    int attempt = 1;
    bool fetch = false;
    uint32_t host = 0;  // a fetch's host in politeness_
    size_t offset = 0;  // of its JSON in held_text
    size_t size = 0;
    Clock::time_point sent_at;
  };
  enum class Fault {
    kEnded,     // it exited or died
    kBroken,    // it sent something that is not a message about a task it holds
    kTimedOut,  // the task it runs passed --task-timeout
  };
  // The outcome of the task a replaced worker was running.
  struct Failure {
    std::string code;  // worker_died or timeout
    std::string message;
    bool retry = true;  // false: running it again cannot help
  };
  struct Slot {
    int index = 0;
    uint64_t generation = 0;  // replacements so far
    bool alive = false;
    bool restart = false;       // ended: start a replacement
    bool input_closed = false;  // it has its last task (--max-tasks-per-worker)
    std::deque<InFlight> in_flight;  // in the order sent, which is the order run
    std::string held_text;           // the JSON of the tasks in flight
    size_t held_dead = 0;            // bytes of held_text no task in flight uses
    size_t window = 1;
    size_t fetches = 0;  // of in_flight
    double mean_service_s = 0;
    Clock::time_point last_reply_at;  // from this worker; epoch if none yet
    uint64_t sent = 0;                // tasks sent to this worker
    uint64_t completed = 0;           // in this slot, all generations
    uint64_t started_seq = 0;         // its last {"started"} message
    Clock::time_point started_at;
    uint64_t out_of_memory_seq = 0;   // its {"out_of_memory"} message
    uint64_t transient_seq = 0;       // its {"transient"} message: the next reply
    int64_t transient_after_ms = -1;  //   failed, but may succeed later
  };

  // TransportEvents.
  void OnMessage(int slot, std::string_view line) override;
  void OnEnded(int slot, const std::string& how) override;

  Status StartWorker(Slot& slot);
  Status RestartWorkers();
  bool HandleStopSignals();
  bool HandleHalt();
  bool NextTask(Task* task, Clock::time_point now, bool fetch_room);
  bool TakeInput(Task* task);
  void Settle(uint64_t seq, std::string_view line, bool ok, bool transient = false);
  bool RetryLater(const Slot& slot, const InFlight& in_flight, int64_t after_ms);
  void Hold(Slot& slot, const Task& task, Clock::time_point now);
  void Release(Slot& slot, std::deque<InFlight>::iterator it);
  Task Held(const Slot& slot, const InFlight& in_flight) const;
  void Dispatch();
  size_t Room(const Slot& slot) const;
  void HandleReply(Slot& slot, const wire::Reply& reply);
  Clock::time_point EventTime();
  void Replace(Slot& slot, Fault fault, const std::string& why);
  Failure Describe(const Slot& slot, Fault fault, const std::string& why) const;
  size_t RunningIn(const Slot& slot, Clock::time_point* started) const;
  void Requeue(Slot& slot, size_t blamed, double elapsed_ms, const Failure& failure);
  Clock::time_point Deadline(const Slot& slot) const;
  void EnforceDeadlines();
  Clock::time_point WakeUp() const;
  bool Busy() const;
  size_t FetchWindow() const;
  std::string FailedTaskLine(const Task& task, int worker, double elapsed_ms,
                             std::string_view code, std::string_view message) const;

  const RunOptions& options_;
  Transport& transport_;
  RunSummary* summary_;
  SchedulerEnv env_;
  TaskFeed* source_ = nullptr;
  ResultOutput* sink_ = nullptr;
  Progress progress_;
  std::vector<Slot> slots_;
  std::deque<Task> retry_queue_;
  Politeness politeness_;  // fetches wait there for their host
  std::string messages_;  // being composed for one worker
  bool input_done_ = false;
  bool input_wanted_ = false;  // out of buffered input, and the fd may block
  bool input_busy_ = false;    // the input had lines to settle: don't wait
  bool draining_ = false;      // first stop signal: no new tasks
  int stops_seen_ = 0;
  std::optional<Clock::time_point> event_time_;  // of the current wait's events
  bool halted_now_ = false;  // --halt now: stop the tasks in flight too
  std::string start_error_;
};

}  // namespace farm
