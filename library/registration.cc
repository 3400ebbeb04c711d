#include "library/registration.h"

#include <farm/task.h>

#include <atomic>
#include <cmath>
#include <deque>
#include <optional>
#include <stdexcept>

#include "worker/registry.h"

namespace farm {
namespace {

// A registered type with the storage its registry row's views point into:
// a deque never moves its elements.
struct UserType {
  TaskSpec spec;
  std::vector<std::vector<std::string_view>> allowed;  // per field
  std::vector<std::string> default_strings;            // per field
  std::vector<TaskField> fields;
};

std::deque<UserType>& UserTypes() {
  static std::deque<UserType> types;
  return types;
}

std::atomic<bool> sealed{false};

constexpr double kLargestWhole = 9007199254740991.0;  // 2^53 - 1

const UserType& UserTypeOf(const nlohmann::json& task) {
  const std::string& name = task.at("type").get_ref<const std::string&>();
  for (const UserType& type : UserTypes())
    if (type.spec.name == name) return type;
  throw TaskError("bad_task", "unknown task type '" + name + "'");  // not reached
}

// Every field read through its declaration, so a bad one fails as bad_task
// naming it; the function then sees the task with its defaults filled in.
ResultJson RunUserTask(const nlohmann::json& task, TaskContext& context) {
  const UserType& type = UserTypeOf(task);
  std::optional<nlohmann::json> filled;  // a copy only when a default is missing
  for (const TaskField& field : type.fields) {
    nlohmann::json value;
    switch (field.kind) {
      case FieldKind::kInteger:
        value = ReadInteger(task, field);
        break;
      case FieldKind::kNumber:
        value = ReadNumber(task, field);
        break;
      case FieldKind::kBoolean:
        value = ReadBoolean(task, field);
        break;
      case FieldKind::kString:
        value = std::string(ReadString(task, field));
        break;
      case FieldKind::kArray:
      case FieldKind::kObject: {  // no default: the function reads them itself
        auto it = task.find(field.name);
        const bool array = field.kind == FieldKind::kArray;
        if (it == task.end() && field.required)
          throw TaskFailure("bad_task", "field '" + std::string(field.name) + "' is missing");
        if (it != task.end() && (array ? !it->is_array() : !it->is_object()))
          throw TaskFailure("bad_task", "field '" + std::string(field.name) + "' must be " +
                                            (array ? "an array" : "an object"));
        continue;
      }
    }
    if (task.contains(field.name)) continue;
    if (!filled) filled = task;
    (*filled)[std::string(field.name)] = std::move(value);
  }
  Context user_context(context);
  nlohmann::json result;
  try {
    result = type.spec.run(filled ? *filled : task, user_context);
  } catch (const TaskError&) {
    throw;
  } catch (const std::exception& error) {
    throw TaskError("task_failed", error.what());
  }
  return result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Invalid(const TaskSpec& spec, const std::string& why) {
  throw std::invalid_argument("farm::RegisterTask('" + spec.name + "'): " + why);
}

// The registry's declaration of `field`, with views into `type`'s storage.
TaskField Declare(const TaskSpec& spec, const Field& field, size_t i, UserType& type) {
  if (field.name.empty() || field.name == "id" || field.name == "type")
    Invalid(spec, "a field needs a name other than id and type");
  TaskField out{.name = field.name,
                .kind = field.kind,
                .required = field.required,
                .min = field.min,
                .max = field.max,
                .min_excluded = field.min_excluded,
                .allowed = type.allowed[i],
                .description = field.description,
                .example = field.example};
  if (field.min == 0 && field.max == 0) out.min = -kLargestWhole, out.max = kLargestWhole;
  if (out.min > out.max) Invalid(spec, "field '" + field.name + "': min is above max");
  if (field.kind == FieldKind::kInteger &&
      (out.min != std::floor(out.min) || out.max != std::floor(out.max) ||
       std::fabs(out.min) > kLargestWhole || std::fabs(out.max) > kLargestWhole))
    Invalid(spec, "field '" + field.name + "': integer limits are whole numbers below 2^53");
  const nlohmann::json& d = field.default_value;
  if (d.is_null()) return out;
  bool fits = false;
  switch (field.kind) {
    case FieldKind::kInteger:
      fits = d.is_number_integer();
      if (fits) out.default_integer = d.get<int64_t>();
      break;
    case FieldKind::kNumber:
      fits = d.is_number();
      if (fits) out.default_number = d.get<double>();
      break;
    case FieldKind::kBoolean:
      fits = d.is_boolean();
      if (fits) out.default_boolean = d.get<bool>();
      break;
    case FieldKind::kString:
      fits = d.is_string();
      if (fits) out.default_string = type.default_strings[i] = d.get<std::string>();
      break;
    case FieldKind::kArray:
    case FieldKind::kObject:
      Invalid(spec, "field '" + field.name + "': an array or object field takes no default");
  }
  if (!fits) Invalid(spec, "field '" + field.name + "': its default is not of its kind");
  return out;
}

}  // namespace

void SealTaskTypes() { sealed = true; }

void RegisterTask(TaskSpec spec) {
  if (!spec.run) Invalid(spec, "it has no function");
  if (Status s = CheckNewTaskType(spec.name); !s.ok()) Invalid(spec, s.message());
  UserType& type = UserTypes().emplace_back();
  type.spec = std::move(spec);
  const size_t n = type.spec.fields.size();
  type.allowed.resize(n);
  type.default_strings.resize(n);
  try {
    for (size_t i = 0; i < n; ++i) {
      for (const std::string& value : type.spec.fields[i].allowed) type.allowed[i].push_back(value);
      type.fields.push_back(Declare(type.spec, type.spec.fields[i], i, type));
    }
    if (sealed)  // after the checks: a bad spec is invalid_argument, always
      throw std::logic_error("farm::RegisterTask('" + type.spec.name +
                             "'): register task types before the first Executor starts");
    Status added = AddTaskType({.name = type.spec.name,
                                .description = type.spec.description,
                                .fields = type.fields,
                                .run = RunUserTask});
    if (!added.ok()) Invalid(type.spec, added.message());
  } catch (...) {
    UserTypes().pop_back();
    throw;
  }
}

}  // namespace farm
