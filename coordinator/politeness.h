// Politeness for the whole run, held by the coordinator alone, so it holds
// across every worker, thread and MPI rank: for each host, at most
// --max-per-host requests in flight, the starts of its requests spaced by a
// random --delay (or its robots.txt Crawl-delay, if longer), a host that
// asked to be left alone (Retry-After, back-off) left alone until then, and
// its robots.txt read before anything else is asked of it.
//
// Fetch tasks wait here in one queue per host until their host may take
// another request, so a slow or busy host holds back only its own tasks.
// A request "starts" when its task is handed to a worker: the scheduler then
// sends fetches only to workers with a transfer slot free (see
// Scheduler::FetchWindow), so the worker starts it at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/rng.h"
#include "coordinator/options.h"
#include "coordinator/robots.h"
#include "coordinator/scheduled_task.h"

namespace farm {

using Clock = std::chrono::steady_clock;

class Politeness {
 public:
  Politeness(const PolitenessOptions& options, uint64_t seed);

  // The host number of a fetch task's URL, made on first sight; 0 when the
  // task names no http(s) URL (its worker reports what is wrong).
  uint32_t HostOf(std::string_view task_json);

  // A fetch task (host != 0) waits for its host: behind its host's other
  // tasks, or ahead of them (a retry).
  void Add(ScheduledTask task);
  void AddFirst(ScheduledTask task);

  enum class Next { kNone, kTask, kDisallowed };
  // The next task whose host may take a request at `now`, counted as
  // started; or one robots.txt forbids, with `why`, which must not be sent.
  Next Take(Clock::time_point now, ScheduledTask* task, std::string* why);

  // A request to `host` ended, however.
  void Finished(uint32_t host);
  // Nothing more to `host` before `until`: it asked for a pause, or failed.
  void Pause(uint32_t host, Clock::time_point until);
  // How long to wait before attempt `attempt` (2, 3, ...) of a request that
  // failed transiently: exponential with jitter, or the server's
  // Retry-After (after_ms >= 0) if longer.
  Clock::duration Backoff(int attempt, int64_t after_ms);
  // Whether a Retry-After that long is waited for (up to a minute).
  static bool WorthWaiting(int64_t after_ms);

  // The robots.txt requests this makes are tasks of their own, with these
  // numbers; their replies come back here, not to the results.
  static bool IsRobotsTask(uint64_t seq) { return seq >= kRobotsSeq; }
  void RobotsReply(uint64_t seq, bool ok, std::string_view result_line, bool transient);

  // No host may take a request without waiting: Take() would find nothing.
  bool idle() const { return ready_.empty() && timed_.empty(); }
  // Tasks waiting, not counting robots.txt requests.
  size_t waiting() const { return waiting_; }
  // Forgets them (the run stops); how many there were.
  size_t DropWaiting();
  // When a host that waits on time opens next, after `now`; max() if none
  // does. A host open already waits for a worker with room, which only a
  // reply makes (and a wake-up for it would spin until then).
  Clock::time_point NextOpening(Clock::time_point now) const;
  // Whether any request start is spaced: then a worker gets no more
  // fetches than it can start at once.
  bool spaced() const { return spaced_; }

 private:
  static constexpr uint64_t kRobotsSeq = uint64_t{1} << 62;
  enum class Robots { kUnneeded, kUnknown, kFetching, kKnown };
  struct Host {
    std::string origin;  // "http://example.org:8080"
    std::deque<ScheduledTask> waiting = {};
    int in_flight = 0;
    Clock::time_point last_start = {};
    Clock::time_point next_start = {};  // spacing and pauses
    double crawl_delay_s = 0;
    Robots robots = Robots::kUnneeded;
    RobotsRules rules = RobotsRules::AllowAll();
    bool robots_unreadable = false;  // unreachable: rules disallow all
    bool listed = false;  // in ready_ or timed_
  };

  void List(uint32_t id, Clock::time_point now);
  bool Blocked(const Host& host) const;
  Clock::duration Spacing(const Host& host);
  ScheduledTask RobotsTask(uint32_t id);

  PolitenessOptions options_;
  Rng rng_;
  bool spaced_ = false;
  std::vector<Host> hosts_;  // by number - 1
  std::unordered_map<std::string, uint32_t> numbers_;  // by origin
  std::deque<uint32_t> ready_;  // hosts that may start a request now
  using Timed = std::pair<Clock::time_point, uint32_t>;
  std::priority_queue<Timed, std::vector<Timed>, std::greater<>> timed_;  // later
  size_t waiting_ = 0;
};

}  // namespace farm
