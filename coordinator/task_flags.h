// A task type's fields as command-line flags, from the registry's table:
// --NAME VALUE ('_' written '-'), a boolean bare (or --no-NAME when it
// defaults to true), each value checked by the worker's own reader. `farm
// gen` and `farm bench` take their task flags from here, so no task type or
// limit is listed twice.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/flags.h"
#include "worker/registry.h"

namespace farm {

// "--n", "--no-save", "--values" (random's count: see TaskField::flag).
std::string TaskFlagName(const TaskField& field);

// An optional field's default as JSON ("30", "true", "\"doubling\""); empty
// for a required field, or an array or object.
std::string DefaultValue(const TaskField& field);

// The type's flags as a usage line shows them:
// "--n N [--method iterative|doubling] [--full]".
std::string TaskFlagsSynopsis(const TaskType& type);

class TaskFieldFlags {
 public:
  explicit TaskFieldFlags(const TaskType& type);
  TaskFieldFlags(const TaskFieldFlags&) = delete;
  TaskFieldFlags& operator=(const TaskFieldFlags&) = delete;

  // To parse with ParseFlags(), beside the command's own flags.
  std::span<const Flag> flags() const { return flags_; }
  bool any_given() const;

  // The task: its type, then every field in the table's order: as given, or
  // from `defaults`, or, for a required field, its example. An error names
  // a required field that has none of them.
  Status Build(const nlohmann::json& defaults, nlohmann::ordered_json* task) const;

 private:
  const TaskType& type_;
  std::vector<std::string> names_;  // the flags' names, which flags_ view
  std::vector<std::optional<nlohmann::json>> values_;
  std::vector<Flag> flags_;
};

}  // namespace farm
