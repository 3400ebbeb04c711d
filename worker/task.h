// What a task executor sees and returns. An executor reads its fields from the
// parsed task, returns its result object as JSON text, and reports a failure by throwing
// TaskFailure (bad_task for a field out of range, for instance).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/fetch_settings.h"
#include "common/rng.h"
#include "common/running_task.h"
#include "worker/task_fields.h"

namespace farm {

class FetchEngine;

// A result object as JSON text, keys in the order the contract lists them
// (see common/json_writer.h).
using ResultJson = std::string;

// The library's public farm::TaskError (include/farm/task.h).
using TaskFailure = TaskError;

// One worker's state, shared by the tasks it runs one after another.
struct WorkerContext {
  int index = 0;
  uint64_t master_seed = 0;
  uint64_t seed = 0;  // this worker's own seed, from (master seed, index)
  Rng rng{0};
  FetchSettings fetch;
  bool allow_exec = false;  // --allow-exec
  int memory_limit_mb = 0;  // --memory-limit, for exec's messages
  double task_timeout_s = 0;  // --task-timeout: a task's deadline; 0: none
  // Sends {"progress":SEQ,"fraction":F} to the coordinator at once; null
  // where nothing carries it.
  std::function<void(uint64_t seq, double fraction)> send_progress;
  // Where an exec task notes its command's process group for the
  // coordinator (common/running_task.h).
  RunningTask* running = nullptr;
  // Made on the first fetch task, so CPU-only workers never load libcurl's
  // state; shared_ptr because its type is only declared here.
  std::shared_ptr<FetchEngine> fetch_engine;
};

// What one run of one task may use.
struct TaskContext {
  WorkerContext& worker;
  std::string_view id_json;  // the task's id as JSON text, e.g. 7 or "x"
  uint64_t seq = 0;
  // When the worker took the task up: the coordinator times --task-timeout
  // from the same moment (common/running_task.h).
  std::chrono::steady_clock::time_point started = {};
  // When Context::Progress last sent a report, for its rate limit.
  std::optional<std::chrono::steady_clock::time_point> progress_sent = {};
};

}  // namespace farm
