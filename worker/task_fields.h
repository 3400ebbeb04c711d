// A task type's fields as its registry row declares them (worker/registry.cc),
// and the readers its executor takes their values with: a field's kind,
// default and limits are written once, in the row, and the unknown-field
// check, `farm help tasks` and `farm gen` read the same row.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace farm {

// kArray and kObject are read by their executor itself (exec's argv, env);
// the table still names them, for the unknown-field check and the help.
enum class FieldKind { kInteger, kNumber, kBoolean, kString, kArray, kObject };

struct TaskField {
  std::string_view name = {};
  FieldKind kind = FieldKind::kInteger;
  bool required = false;
  // The value of an optional field that is absent, in the member of its kind.
  int64_t default_integer = 0;
  double default_number = 0;
  bool default_boolean = false;
  std::string_view default_string = {};
  // Integers and numbers: the range allowed, `min` itself excluded when
  // `min_excluded`. Integer limits are whole numbers below 2^53.
  double min = 0;
  double max = 0;
  bool min_excluded = false;
  // Strings: the values allowed; empty for any.
  std::span<const std::string_view> allowed = {};
  std::string_view description = {};
  // A required field's value when `farm gen` is not given one; empty: gen
  // requires its flag.
  std::string_view example = {};
  // The `farm gen` flag, without "--", when it is not the field's name
  // (random's `count`: gen's own --count is the number of lines).
  std::string_view flag = {};
};

// A value as an error message shows it: scalars as JSON, containers by kind
// only, since printing deep nesting recurses and would crash the worker.
std::string DescribeValue(const nlohmann::json& value);

// What a value of the field may be: "between 0 and 100", "above 0 and at
// most 86400", "\"iterative\" or \"doubling\""; empty when anything goes.
std::string DescribeLimits(const TaskField& field);

// The field's value in `task`, its default when absent and optional. Throw
// TaskFailure("bad_task", ...) naming the field when it is missing and
// required, of the wrong kind, or outside its limits.
int64_t ReadInteger(const nlohmann::json& task, const TaskField& field);
double ReadNumber(const nlohmann::json& task, const TaskField& field);
bool ReadBoolean(const nlohmann::json& task, const TaskField& field);
// A view into `task`, or into the table for the default.
std::string_view ReadString(const nlohmann::json& task, const TaskField& field);

}  // namespace farm
