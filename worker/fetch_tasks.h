// The fetch tasks in flight in one worker, process or thread: each is handed
// to the worker's FetchEngine and comes back, when its transfer ends, as a
// finished result line.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "worker/fetch_engine.h"
#include "worker/task.h"

namespace farm {

class FetchTasks {
 public:
  explicit FetchTasks(WorkerContext& worker) : worker_(worker) {}

  // Starts `task` if it is a well-formed fetch. False for anything else, a
  // fetch with a bad field included: run that through RunTask, which reports it.
  bool Start(uint64_t seq, int attempt, const nlohmann::json& task);

  // Moves transfers along until one finishes or `extra_fd` (if not -1) is
  // readable, which sets *extra_ready.
  void Wait(int extra_fd, bool* extra_ready);

  // A task whose transfer ended: its result line, and for a failure that
  // another try may not meet, the server's Retry-After (-1: none).
  struct Finished {
    uint64_t seq = 0;
    bool ok = false;
    std::string_view result_line;
    std::optional<int64_t> transient_after_ms;
  };
  // Calls done(finished) for each task whose transfer ended.
  using Done = std::function<void(const Finished& finished)>;
  void TakeFinished(const Done& done);

  size_t in_flight() const { return pending_.size(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    uint64_t seq = 0;
    int attempt = 1;
    std::string id_json;
    Clock::time_point start;
  };

  WorkerContext& worker_;
  std::unordered_map<uint64_t, Pending> pending_;  // by engine token
  uint64_t next_token_ = 1;
  std::vector<FetchOutcome> outcomes_;
  std::string line_;
};

}  // namespace farm
