#include "worker/registry.h"

#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <vector>

#include "common/edit_distance.h"

namespace farm {
namespace {

using Kind = FieldKind;

// argv, env and slot_at are read by the executor itself (worker/exec.cc).
constexpr TaskField kExecFields[] = {
    {.name = "argv",
     .kind = Kind::kArray,
     .description = "the command and its arguments, run directly, no shell (argv or shell "
                    "required)"},
    {.name = "shell",
     .kind = Kind::kString,
     .description = "a command line for /bin/sh -c, instead of argv: only when you mean a shell"},
    {.name = "stdin",
     .kind = Kind::kString,
     .description = "text for its stdin (default /dev/null)"},
    {.name = "cwd",
     .kind = Kind::kString,
     .description = "directory it runs in (default the worker's)"},
    {.name = "env",
     .kind = Kind::kObject,
     .description = "variables (strings) added to the inherited environment"},
    {.name = "timeout_s",
     .kind = Kind::kNumber,
     .min = 0,
     .max = 86400,
     .description = "seconds before its process group is killed; 0: none"},
    {.name = "max_output_bytes",
     .kind = Kind::kInteger,
     .default_integer = 1 << 20,
     .min = 0,
     .max = 16 << 20,
     .description = "bytes of stdout, and of stderr, kept in the result; the rest is counted"},
    {.name = "slot_at",
     .kind = Kind::kArray,
     .description = "[argv index, offset] pairs where the worker's slot goes (farm exec's {%})"},
};

constexpr TaskField kFetchFields[] = {
    {.name = "url",
     .kind = Kind::kString,
     .required = true,
     .description = "what to download: an http or https URL"},
    {.name = "timeout_s",
     .kind = Kind::kNumber,
     .default_number = 30,
     .min = 0,
     .max = 86400,
     .min_excluded = true,
     .description = "seconds the transfer may take, redirects included"},
    {.name = "save",
     .kind = Kind::kBoolean,
     .default_boolean = true,
     .description = "save the body under --out-dir; false: only hash it"},
    {.name = "max_bytes",
     .kind = Kind::kInteger,
     .default_integer = int64_t{100} << 20,
     .min = 0,
     .max = static_cast<double>(int64_t{1} << 40),
     .description = "a longer body is aborted as it streams"},
    {.name = "max_redirects",
     .kind = Kind::kInteger,
     .default_integer = 10,
     .min = 0,
     .max = 10,
     .description = "redirects followed; 0: a 3xx is the result, with its \"location\""},
    {.name = "links",
     .kind = Kind::kBoolean,
     .description = "an HTML page's \"title\" and \"links\" (absolute http(s) URLs) in the "
                    "result"},
    {.name = "body",
     .kind = Kind::kBoolean,
     .description = "the body in the result as a string; then at most 1 MiB"},
    {.name = "truncate",
     .kind = Kind::kBoolean,
     .description = "a body over max_bytes (or body's 1 MiB) is cut there, not failed; the "
                    "result's \"truncated\" says if it was"},
};

constexpr std::string_view kFibMethods[] = {"iterative", "doubling"};
constexpr TaskField kFibFields[] = {
    {.name = "n",
     .kind = Kind::kInteger,
     .required = true,
     .min = 0,
     .max = 100'000'000,
     .description = "which Fibonacci number",
     .example = "1000"},
    {.name = "method",
     .kind = Kind::kString,
     .default_string = "doubling",
     .allowed = kFibMethods,
     .description = "iterative: n additions; doubling: fast doubling"},
    {.name = "full", .kind = Kind::kBoolean, .description = "also give the whole decimal value"},
};

constexpr TaskField kPiFields[] = {
    {.name = "samples",
     .kind = Kind::kInteger,
     .required = true,
     .min = 1,
     .max = 10'000'000'000,
     .description = "random points drawn",
     .example = "1000000"},
};

constexpr TaskField kRandomFields[] = {
    {.name = "count",
     .kind = Kind::kInteger,
     .required = true,
     .min = 1,
     .max = 10'000,
     .description = "doubles to draw",
     .example = "10",
     .flag = "values"},
};

constexpr TaskField kSleepFields[] = {
    {.name = "ms",
     .kind = Kind::kInteger,
     .required = true,
     .min = 0,
     .max = 3'600'000,
     .description = "milliseconds to wait",
     .example = "100"},
};

constexpr TaskType kTaskTypes[] = {
    {"exec", "runs a command of yours (only with --allow-exec)", kExecFields, RunExec},
    {"fetch", "downloads a URL with libcurl", kFetchFields, RunFetch},
    {"fib", "F(n) with GMP", kFibFields, RunFib},
    {"pi", "Monte Carlo estimate of pi from the task's own random stream", kPiFields, RunPi},
    {"random", "uniform doubles in [0,1) from the worker's own RNG", kRandomFields, RunRandom},
    {"sleep", "waits, standing in for I/O", kSleepFields, RunSleep},
};

const TaskField* FindField(const TaskType& type, std::string_view name) {
  for (const TaskField& field : type.fields)
    if (field.name == name) return &field;
  return nullptr;
}

std::string UnknownFieldMessage(const TaskType& type, std::string_view name) {
  std::string message =
      "unknown field '" + std::string(name) + "' in a " + std::string(type.name) + " task";
  NearMiss hint(name);
  for (const TaskField& field : type.fields) hint.Consider(field.name);
  hint.Consider("id");
  hint.Consider("type");
  if (!hint.best().empty()) return message + " (did you mean '" + std::string(hint.best()) + "'?)";
  message += " (its fields:";
  for (const TaskField& field : type.fields) message += " " + std::string(field.name);
  return message + "; names starting with _ or x- are free for your own use)";
}

// The one table: the built-in rows, then those a program registered before
// its workers started (AddTaskType). Its rows never move once workers run.
// Never destroyed: a worker thread a thread-mode run abandoned (a second
// Ctrl-C, a reader gone) may still look a type up while the process exits.
std::vector<TaskType>& Table() {
  static auto* table = new std::vector<TaskType>(std::begin(kTaskTypes), std::end(kTaskTypes));
  return *table;
}

}  // namespace

std::span<const TaskType> TaskTypes() { return Table(); }

Status CheckNewTaskType(std::string_view name) {
  const bool well_formed =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  if (!well_formed)
    return Status::Error("a task type's name is 1 to 64 of a-z, 0-9, _ and -, got '" +
                         std::string(name) + "'");
  if (FindTaskType(name) != nullptr)
    return Status::Error("task type '" + std::string(name) + "' exists already");
  return Status::Ok();
}

Status AddTaskType(const TaskType& type) {
  if (type.run == nullptr) return Status::Error("task type without a function");
  if (Status s = CheckNewTaskType(type.name); !s.ok()) return s;
  Table().push_back(type);
  return Status::Ok();
}

const TaskType* FindTaskType(std::string_view name) {
  for (const TaskType& type : Table())
    if (type.name == name) return &type;
  return nullptr;
}

const TaskField& TaskFieldOf(std::string_view type_name, std::string_view name) {
  const TaskType* type = FindTaskType(type_name);
  const TaskField* field = type != nullptr ? FindField(*type, name) : nullptr;
  if (field == nullptr) {
    fprintf(stderr, "farm: bug: task type '%.*s' declares no field '%.*s'\n",
            static_cast<int>(type_name.size()), type_name.data(), static_cast<int>(name.size()),
            name.data());
    abort();
  }
  return *field;
}

std::string UnknownTaskTypeMessage(std::string_view name) {
  std::string message = "unknown task type '" + std::string(name) + "'";
  NearMiss hint(name);
  for (const TaskType& type : TaskTypes()) hint.Consider(type.name);
  if (!hint.best().empty()) return message + " (did you mean '" + std::string(hint.best()) + "'?)";
  message += " (known types:";
  for (const TaskType& type : TaskTypes()) message += " " + std::string(type.name);
  return message + ")";
}

bool IsFieldOfEveryTask(std::string_view name) {
  return name == "id" || name == "type" || name.starts_with('_') || name.starts_with("x-");
}

void CheckFieldNames(const TaskType& type, const nlohmann::json& task) {
  for (auto it = task.begin(); it != task.end(); ++it)
    if (!IsFieldOfEveryTask(it.key()) && FindField(type, it.key()) == nullptr)
      throw TaskFailure("bad_task", UnknownFieldMessage(type, it.key()));
}

const TaskType& CheckedTaskType(const nlohmann::json& task) {
  auto it = task.find("type");
  if (it == task.end()) throw TaskFailure("bad_task", "field 'type' is missing");
  if (!it->is_string())
    throw TaskFailure("bad_task", "field 'type' must be a string, got " + DescribeValue(*it));
  const std::string& name = it->get_ref<const std::string&>();
  const TaskType* type = FindTaskType(name);
  if (type == nullptr) throw TaskFailure("bad_task", UnknownTaskTypeMessage(name));
  CheckFieldNames(*type, task);
  return *type;
}

}  // namespace farm
