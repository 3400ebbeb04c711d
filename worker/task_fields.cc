#include "worker/task_fields.h"

#include <cmath>

#include "worker/task.h"

namespace farm {
namespace {

[[noreturn]] void BadField(const TaskField& field, const std::string& problem) {
  throw TaskFailure("bad_task", "field '" + std::string(field.name) + "' " + problem);
}

std::string FormatLimit(const TaskField& field, double limit) {
  if (field.kind == FieldKind::kInteger) return std::to_string(static_cast<int64_t>(limit));
  char text[32];
  snprintf(text, sizeof text, "%g", limit);
  return text;
}

// The task's value of `field`, or nullptr when it is absent and optional.
const nlohmann::json* Find(const nlohmann::json& task, const TaskField& field) {
  auto it = task.find(field.name);
  if (it != task.end()) return &*it;
  if (field.required) BadField(field, "is missing");
  return nullptr;
}

}  // namespace

std::string DescribeValue(const nlohmann::json& value) {
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DescribeLimits(const TaskField& field) {
  if (field.kind == FieldKind::kInteger || field.kind == FieldKind::kNumber) {
    if (field.min_excluded)
      return "above " + FormatLimit(field, field.min) + " and at most " +
             FormatLimit(field, field.max);
    return "between " + FormatLimit(field, field.min) + " and " + FormatLimit(field, field.max);
  }
  std::string text;
  for (size_t i = 0; i < field.allowed.size(); ++i) {
    if (i > 0) text += i + 1 == field.allowed.size() ? " or " : ", ";
    text += "\"" + std::string(field.allowed[i]) + "\"";
  }
  return text;
}

int64_t ReadInteger(const nlohmann::json& task, const TaskField& field) {
  const nlohmann::json* value = Find(task, field);
  if (value == nullptr) return field.default_integer;
  if (!value->is_number_integer())
    BadField(field, "must be an integer, got " + DescribeValue(*value));
  // An unsigned beyond int64 is out of every range we accept.
  bool in_range =
      !(value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(field.max));
  int64_t number = in_range ? value->get<int64_t>() : 0;
  if (!in_range || number < static_cast<int64_t>(field.min) ||
      number > static_cast<int64_t>(field.max) ||
      (field.min_excluded && number == static_cast<int64_t>(field.min)))
    BadField(field, "must be " + DescribeLimits(field) + ", got " + DescribeValue(*value));
  return number;
}

double ReadNumber(const nlohmann::json& task, const TaskField& field) {
  const nlohmann::json* value = Find(task, field);
  if (value == nullptr) return field.default_number;
  double number = value->is_number() ? value->get<double>() : NAN;
  if (!std::isfinite(number) || number < field.min || number > field.max ||
      (field.min_excluded && number == field.min))
    BadField(field, "must be a number " + DescribeLimits(field) + ", got " + DescribeValue(*value));
  return number;
}

bool ReadBoolean(const nlohmann::json& task, const TaskField& field) {
  const nlohmann::json* value = Find(task, field);
  if (value == nullptr) return field.default_boolean;
  if (!value->is_boolean()) BadField(field, "must be true or false, got " + DescribeValue(*value));
  return value->get<bool>();
}

std::string_view ReadString(const nlohmann::json& task, const TaskField& field) {
  const nlohmann::json* value = Find(task, field);
  if (value == nullptr) return field.default_string;
  if (!value->is_string()) BadField(field, "must be a string, got " + DescribeValue(*value));
  std::string_view text = value->get_ref<const std::string&>();
  if (field.allowed.empty()) return text;
  for (std::string_view allowed : field.allowed)
    if (text == allowed) return text;
  BadField(field, "must be " + DescribeLimits(field) + ", got " + DescribeValue(*value));
}

}  // namespace farm
