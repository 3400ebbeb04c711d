// The task types a worker can run: one row each, one file each.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "worker/task.h"

namespace farm {

struct TaskType {
  std::string_view name;
  std::string_view description;
  ResultJson (*run)(const nlohmann::json& task, TaskContext& context);
};

std::span<const TaskType> TaskTypes();

// nullptr for an unknown name.
const TaskType* FindTaskType(std::string_view name);

// "unknown task type 'fbi' (did you mean 'fib'?)", or the list of types when
// nothing is close.
std::string UnknownTaskTypeMessage(std::string_view name);

// The executors, each defined in its own file.
ResultJson RunFetch(const nlohmann::json& task, TaskContext& context);
ResultJson RunFib(const nlohmann::json& task, TaskContext& context);
ResultJson RunPi(const nlohmann::json& task, TaskContext& context);
ResultJson RunRandom(const nlohmann::json& task, TaskContext& context);
ResultJson RunSleep(const nlohmann::json& task, TaskContext& context);

}  // namespace farm
