// The task types a worker can run: one row each, one file each. A row
// declares the type's fields (worker/task_fields.h); its executor reads them
// through that declaration, and every other list of fields is printed from it.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "worker/task.h"

namespace farm {

struct TaskType {
  std::string_view name;
  std::string_view description;
  std::span<const TaskField> fields;
  ResultJson (*run)(const nlohmann::json& task, TaskContext& context);
};

std::span<const TaskType> TaskTypes();

// Adds a row after the built-ins: a program's own task type (the library's
// farm::RegisterTask). Only before any worker or thread that reads the table
// starts; an error for a malformed or taken name.
Status AddTaskType(const TaskType& type);
// Whether AddTaskType would take a row of this name.
Status CheckNewTaskType(std::string_view name);

// nullptr for an unknown name.
const TaskType* FindTaskType(std::string_view name);

// The declaration of field `field` of type `type`, for its executor. Both
// must exist: a misspelling here is farm's bug, and aborts.
const TaskField& TaskFieldOf(std::string_view type, std::string_view field);

// "unknown task type 'fbi' (did you mean 'fib'?)", or the list of types when
// nothing is close.
std::string UnknownTaskTypeMessage(std::string_view name);

// Whether a task may hold a field of this name whatever its type: "id",
// "type", and the user's own fields, whose names start with "_" or "x-".
bool IsFieldOfEveryTask(std::string_view name);

// The type `task` (a JSON object) names, once every field of it is known:
// throws TaskFailure("bad_task", ...) for a missing, non-string or unknown
// type, and for an unknown field, with "did you mean" for a near miss.
const TaskType& CheckedTaskType(const nlohmann::json& task);

// The same for a task already known to be of `type`.
void CheckFieldNames(const TaskType& type, const nlohmann::json& task);

// The executors, each defined in its own file.
ResultJson RunExec(const nlohmann::json& task, TaskContext& context);
ResultJson RunFetch(const nlohmann::json& task, TaskContext& context);
ResultJson RunFib(const nlohmann::json& task, TaskContext& context);
ResultJson RunPi(const nlohmann::json& task, TaskContext& context);
ResultJson RunRandom(const nlohmann::json& task, TaskContext& context);
ResultJson RunSleep(const nlohmann::json& task, TaskContext& context);

}  // namespace farm
