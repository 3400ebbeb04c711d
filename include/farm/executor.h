// An executor with futures, as Python's concurrent.futures has, over farm's
// scheduler: the same retries, timeouts and error codes as `farm run`.
//
//   farm::Executor ex({.mode = farm::Mode::kProcess, .workers = 4});
//   farm::Future f = ex.Submit("fib", {{"n", 1000}});
//   nlohmann::json result = f.Get();  // throws farm::TaskError if it failed
//
// Forking: in process mode the Executor forks its workers when it is made,
// so make it before your program starts threads (a child of a threaded
// process inherits locks held by threads that do not exist in it; farm says
// so on stderr, once, if it forks from a threaded process). A worker
// replaced after it died is forked from the Executor's own thread, whose
// child runs only farm's worker loop. Register task types (farm/task.h)
// before the first Executor: RegisterTask throws after that.
//
// The Executor runs its scheduler in a thread of its own: Submit and Get
// then work from any thread, and workers are fed while you compute,
// which an event loop driven by your calls would not do.
#pragma once

#include <farm/mode.h>
#include <farm/task.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace farm {

struct ExecutorOptions {
  Mode mode = Mode::kProcess;    // kProcess, kThread or kSequential
  int workers = 0;               // 0: online CPUs
  uint64_t seed = 0;             // master seed; 0: drawn from the OS
  int retries = 2;               // re-runs of a task whose worker died or hung
  double task_timeout_s = 0;     // 0: none; process mode only; see Context::deadline()
  int max_tasks_per_worker = 0;  // 0: never replace; process mode only
};

// Get(timeout) ran out of time; the task goes on.
struct FutureTimeout : std::runtime_error {
  FutureTimeout() : std::runtime_error("the task's result is not there yet") {}
};
// Get() of a task cancelled before it ran, or dropped by Shutdown(false).
struct FutureCancelled : std::runtime_error {
  FutureCancelled() : std::runtime_error("the task was cancelled") {}
};

struct FutureState;
class Future;

enum class WaitFor { kFirstCompleted, kAllCompleted };
inline constexpr WaitFor FirstCompleted = WaitFor::kFirstCompleted;
inline constexpr WaitFor AllCompleted = WaitFor::kAllCompleted;

struct WaitResult {
  std::vector<Future> done;
  std::vector<Future> not_done;
};

// A task submitted. Copies share the task; a future outlives its Executor.
class Future {
 public:
  Future() = default;
  bool valid() const { return state_ != nullptr; }
  // The result object; throws TaskError (its code: bad_task, worker_died,
  // timeout, task_failed, ...) or FutureCancelled.
  nlohmann::json Get() const;
  // The same, or FutureTimeout once `timeout` passed.
  nlohmann::json Get(std::chrono::duration<double> timeout) const;
  // The whole result line: id, type, ok, worker, attempts, elapsed_ms and
  // result or error. Waits like Get(); null if cancelled.
  nlohmann::json Line() const;
  bool Done() const;  // finished, failed or cancelled
  // How far the task got, 0 to 1: the last report of its Context::Progress
  // (0 before any; a retry reports afresh), 1 once it finished or failed.
  // Read it when you like, from any thread, as you would Done().
  double Progress() const;
  // Cancels a task not yet sent to a worker; false if too late.
  bool Cancel();
  bool Cancelled() const;
  uint64_t seq() const;  // 1-based, in submission order

 private:
  friend class Executor;
  friend class Completions;
  friend WaitResult Wait(const std::vector<Future>&, WaitFor,
                         std::optional<std::chrono::duration<double>>);
  explicit Future(std::shared_ptr<FutureState> state) : state_(std::move(state)) {}
  std::shared_ptr<FutureState> state_;
};

// Waits until one (or all) of `futures` is done, or the timeout passed.
// The futures come from one Executor.
WaitResult Wait(const std::vector<Future>& futures, WaitFor what = AllCompleted,
                std::optional<std::chrono::duration<double>> timeout = std::nullopt);

// The futures in the order they complete: for (Future& f : farm::AsCompleted(fs)).
class Completions {
 public:
  explicit Completions(std::vector<Future> futures);
  // The next future to complete, waiting for it; nullopt when none is left.
  std::optional<Future> Next();

  class iterator {
   public:
    using value_type = Future;
    using difference_type = std::ptrdiff_t;
    explicit iterator(Completions* owner) : owner_(owner) { ++*this; }
    iterator() = default;
    Future& operator*() { return *current_; }
    iterator& operator++() {
      current_ = owner_->Next();
      return *this;
    }
    bool operator==(const iterator& other) const { return !current_ && !other.current_; }

   private:
    Completions* owner_ = nullptr;
    std::optional<Future> current_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  std::vector<Future> pending_;
  std::deque<Future> ready_;  // done, not yet returned
};
inline Completions AsCompleted(std::vector<Future> futures) {
  return Completions(std::move(futures));
}

// Map's results, in the order of its inputs, each as it arrives.
class MapResults {
 public:
  explicit MapResults(std::vector<Future> futures) : futures_(std::move(futures)) {}
  class iterator {
   public:
    using value_type = nlohmann::json;
    using difference_type = std::ptrdiff_t;
    iterator(const std::vector<Future>* futures, size_t i) : futures_(futures), i_(i) {}
    nlohmann::json operator*() const { return (*futures_)[i_].Get(); }  // may throw
    iterator& operator++() { return ++i_, *this; }
    bool operator==(const iterator& other) const { return i_ == other.i_; }

   private:
    const std::vector<Future>* futures_;
    size_t i_;
  };
  iterator begin() const { return {&futures_, 0}; }
  iterator end() const { return {&futures_, futures_.size()}; }
  const std::vector<Future>& futures() const { return futures_; }

 private:
  std::vector<Future> futures_;
};

class Executor {
 public:
  // Starts the workers; throws std::runtime_error if they cannot start,
  // std::invalid_argument for options that do not fit the mode.
  explicit Executor(ExecutorOptions options = {});
  // Shutdown(false): tasks not sent are cancelled, those running stopped.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues a task of `type` with its fields; throws std::logic_error after
  // Shutdown(). A bad task is no exception here: its future fails with
  // bad_task, as its line would in `farm run`.
  Future Submit(std::string_view type, const nlohmann::json& fields = nlohmann::json::object());
  // One task per element of `fields`, results in that order.
  template <typename Range>
  MapResults Map(std::string_view type, const Range& fields) {
    std::vector<Future> futures;
    for (const auto& f : fields) futures.push_back(Submit(type, f));
    return MapResults(std::move(futures));
  }
  // No more submissions. `wait`: every task submitted runs, and this
  // returns when all are done; otherwise tasks not sent are cancelled and
  // those running are stopped (their futures throw FutureCancelled).
  void Shutdown(bool wait = true);

  int workers() const;
  uint64_t seed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace farm
