// Runs one task and formats its result line: the step every mode shares, so
// process, thread and sequential runs write the same lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "worker/task.h"

namespace farm {

// Runs `task` (the parsed input line of line number `seq`), taken up at
// `started` (its elapsed time and deadline count from there), and appends its
// result line, without '\n', to *out. Never throws for anything the task
// holds; returns whether the task succeeded.
bool RunTask(uint64_t seq, int attempt, const nlohmann::json& task,
             std::chrono::steady_clock::time_point started, WorkerContext& worker,
             std::string* out);

// The task's id as JSON text, e.g. 7 or "x"; its line number `seq` when it
// has none. Throws TaskFailure("bad_task", ...) for an id of the wrong kind.
std::string TaskIdJson(const nlohmann::json& task, uint64_t seq);

}  // namespace farm
