#include "worker/task.h"

namespace farm {
namespace {

[[noreturn]] void BadField(const char* field, const std::string& problem) {
  throw TaskFailure("bad_task", std::string("field '") + field + "' " + problem);
}

}  // namespace

std::string DescribeValue(const nlohmann::json& value) {
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int64_t RequireInt(const nlohmann::json& task, const char* field, int64_t min, int64_t max) {
  auto it = task.find(field);
  if (it == task.end()) BadField(field, "is missing");
  if (!it->is_number_integer()) BadField(field, "must be an integer, got " + DescribeValue(*it));
  // An unsigned beyond int64 is out of every range we accept.
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(max))
    BadField(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                        ", got " + DescribeValue(*it));
  int64_t value = it->get<int64_t>();
  if (value < min || value > max)
    BadField(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                        ", got " + DescribeValue(*it));
  return value;
}

int64_t OptionalInt(const nlohmann::json& task, const char* field, int64_t min, int64_t max,
                    int64_t fallback) {
  return task.contains(field) ? RequireInt(task, field, min, max) : fallback;
}

bool OptionalBool(const nlohmann::json& task, const char* field, bool fallback) {
  auto it = task.find(field);
  if (it == task.end()) return fallback;
  if (!it->is_boolean()) BadField(field, "must be true or false, got " + DescribeValue(*it));
  return it->get<bool>();
}

std::string OptionalString(const nlohmann::json& task, const char* field,
                           std::string_view fallback) {
  auto it = task.find(field);
  if (it == task.end()) return std::string(fallback);
  if (!it->is_string()) BadField(field, "must be a string, got " + DescribeValue(*it));
  return it->get<std::string>();
}

}  // namespace farm
