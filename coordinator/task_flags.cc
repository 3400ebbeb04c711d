#include "coordinator/task_flags.h"

#include <stdio.h>

#include <algorithm>
#include <charconv>

#include "common/json_writer.h"

namespace farm {
namespace {

// The JSON value of `field` given as `text` on the command line, checked by
// the same reader the worker uses.
Status FieldValue(const TaskField& field, std::string_view text, nlohmann::json* value) {
  std::string flag = TaskFlagName(field);
  switch (field.kind) {
    case FieldKind::kInteger: {
      int64_t number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return Status::Error(flag + ": expected an integer, got '" + std::string(text) + "'");
      *value = number;
      break;
    }
    case FieldKind::kNumber: {
      double number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return Status::Error(flag + ": expected a number, got '" + std::string(text) + "'");
      *value = number;
      break;
    }
    case FieldKind::kBoolean: *value = !field.default_boolean; break;
    case FieldKind::kString: *value = std::string(text); break;
    case FieldKind::kArray:
    case FieldKind::kObject:
      return Status::Error(flag +
                           ": not a command-line value; write the task line itself (or use "
                           "farm exec)");
  }
  try {
    nlohmann::json task = {{std::string(field.name), *value}};
    switch (field.kind) {
      case FieldKind::kInteger: ReadInteger(task, field); break;
      case FieldKind::kNumber: ReadNumber(task, field); break;
      case FieldKind::kBoolean: ReadBoolean(task, field); break;
      case FieldKind::kString: ReadString(task, field); break;
      case FieldKind::kArray:
      case FieldKind::kObject: break;
    }
  } catch (const TaskFailure& failure) {
    return Status::Error(flag + ": " + failure.what());
  }
  return Status::Ok();
}

// What the flag's value is called in the help: the choices, or the name.
std::string ValueName(const TaskField& field) {
  if (field.kind == FieldKind::kBoolean) return "";
  std::string value;
  for (std::string_view allowed : field.allowed)
    value += (value.empty() ? "" : "|") + std::string(allowed);
  if (!value.empty()) return value;
  for (char c : TaskFlagName(field).substr(2))
    value += static_cast<char>(c == '-' ? '_' : toupper(c));
  return value;
}

// "which Fibonacci number (between 0 and 100000000; default: 1000)": a flag
// left out takes a required field's example, as Build() does.
std::string FlagHelp(const TaskField& field) {
  const std::string name(field.name), description(field.description);
  if (field.kind == FieldKind::kBoolean && field.default_boolean)
    return "set " + name + " to false; " + name + ": " + description;
  std::string value = field.required ? std::string(field.example) : DefaultValue(field);
  if (field.kind == FieldKind::kString && !field.required)
    value = field.default_string;  // unquoted, as typed
  std::string limits = field.allowed.empty() ? DescribeLimits(field) : "";
  std::string presence = !value.empty() ? "default: " + value : field.required ? "required" : "";
  std::string parts = limits + (limits.empty() || presence.empty() ? "" : "; ") + presence;
  return parts.empty() ? description : description + " (" + parts + ")";
}

}  // namespace

std::string DefaultValue(const TaskField& field) {
  if (field.required) return "";
  std::string value;
  switch (field.kind) {
    case FieldKind::kInteger: return std::to_string(field.default_integer);
    case FieldKind::kNumber: {
      char text[32];
      snprintf(text, sizeof text, "%g", field.default_number);
      return text;
    }
    case FieldKind::kBoolean: return field.default_boolean ? "true" : "false";
    case FieldKind::kString: AppendJsonString(field.default_string, &value); return value;
    case FieldKind::kArray:
    case FieldKind::kObject: return "";
  }
  return "";
}

std::string TaskFlagsSynopsis(const TaskType& type) {
  std::string synopsis;
  for (const TaskField& field : type.fields) {
    std::string flag = TaskFlagName(field);
    if (field.kind != FieldKind::kBoolean) flag += " " + ValueName(field);
    bool optional = !field.required || !field.example.empty();
    synopsis += (synopsis.empty() ? "" : " ") + (optional ? "[" + flag + "]" : flag);
  }
  return synopsis;
}

std::string TaskFlagName(const TaskField& field) {
  std::string name(field.flag.empty() ? field.name : field.flag);
  std::replace(name.begin(), name.end(), '_', '-');
  bool negated = field.kind == FieldKind::kBoolean && field.default_boolean;
  return (negated ? "--no-" : "--") + name;
}

TaskFieldFlags::TaskFieldFlags(const TaskType& type) : type_(type), values_(type.fields.size()) {
  for (const TaskField& field : type.fields) names_.push_back(TaskFlagName(field));
  for (size_t i = 0; i < type.fields.size(); ++i) {
    const TaskField& field = type.fields[i];
    flags_.push_back(
        {names_[i], 0, ValueName(field), FlagHelp(field), [this, i](std::string_view v) {
           values_[i].emplace();
           return FieldValue(type_.fields[i], v, &*values_[i]);
         }});
  }
}

bool TaskFieldFlags::any_given() const {
  return std::any_of(values_.begin(), values_.end(), [](const auto& v) { return v.has_value(); });
}

Status TaskFieldFlags::Build(const nlohmann::json& defaults, nlohmann::ordered_json* task) const {
  *task = {{"type", type_.name}};
  for (size_t i = 0; i < type_.fields.size(); ++i) {
    const TaskField& field = type_.fields[i];
    const std::string name(field.name);
    nlohmann::json value;
    if (values_[i]) {
      value = *values_[i];
    } else if (defaults.contains(name)) {
      value = defaults[name];
    } else if (field.required && field.example.empty()) {
      return Status::Error(names_[i] + " is required");
    } else if (field.required) {
      if (Status s = FieldValue(field, field.example, &value); !s.ok()) return s;
    } else {
      continue;
    }
    (*task)[name] = value;
  }
  return Status::Ok();
}

}  // namespace farm
