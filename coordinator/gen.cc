#include "coordinator/gen.h"

#include <errno.h>
#include <stdio.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/flags.h"
#include "coordinator/run.h"
#include "worker/registry.h"

namespace farm {
namespace {

// Every type's flags come from its fields in the registry: --NAME VALUE, with
// '_' written '-'; a boolean is a bare --NAME (or --no-NAME when it defaults
// to true).
std::string FlagName(const TaskField& field) {
  std::string name(field.flag.empty() ? field.name : field.flag);
  for (char& c : name)
    if (c == '_') c = '-';
  bool negated = field.kind == FieldKind::kBoolean && field.default_boolean;
  return (negated ? "--no-" : "--") + name;
}

std::string Usage() {
  std::string usage;
  for (const TaskType& type : TaskTypes()) {
    usage += usage.empty() ? "usage: farm gen " : "       farm gen ";
    usage += std::string(type.name) + std::string(7 - std::min<size_t>(type.name.size(), 6), ' ');
    usage += "[--count C]";
    for (const TaskField& field : type.fields) {
      std::string flag = FlagName(field);
      if (field.kind != FieldKind::kBoolean) {
        std::string value;
        for (std::string_view allowed : field.allowed)
          value += (value.empty() ? "" : "|") + std::string(allowed);
        if (value.empty())
          for (char c : flag.substr(2)) value += static_cast<char>(c == '-' ? '_' : toupper(c));
        flag += " " + value;
      }
      bool optional = !field.required || !field.example.empty();
      usage += optional ? " [" + flag + "]" : " " + flag;
    }
    usage += "\n";
  }
  return usage + "(fields, their defaults and limits: farm help tasks)\n";
}

// The JSON value of `field` given as `text` on the command line, checked by
// the same reader the worker uses.
Status FieldValue(const TaskField& field, std::string_view text, nlohmann::json* value) {
  std::string flag = FlagName(field);
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

Status ParseGenArgs(const TaskType& type, std::span<char* const> args, int* count,
                    nlohmann::ordered_json* task) {
  std::vector<std::optional<nlohmann::json>> values(type.fields.size());
  std::vector<std::string> names;  // the flags' names outlive the parse
  for (const TaskField& field : type.fields) names.push_back(FlagName(field));
  std::vector<Flag> flags = {{"--count", 0, true, IntInto("--count", 0, 1'000'000'000, count)}};
  for (size_t i = 0; i < type.fields.size(); ++i) {
    const TaskField& field = type.fields[i];
    flags.push_back({names[i], 0, field.kind != FieldKind::kBoolean, [&, i](std::string_view v) {
                       values[i].emplace();
                       return FieldValue(field, v, &*values[i]);
                     }});
  }
  std::vector<std::string> positional;
  Status status = ParseFlags(args, flags, &positional);
  if (status.ok() && !positional.empty())
    status = Status::Error("unexpected argument '" + positional[0] + "'");
  for (size_t i = 0; status.ok() && i < type.fields.size(); ++i) {
    const TaskField& field = type.fields[i];
    if (!values[i] && field.required && field.example.empty())
      status = Status::Error(names[i] + " is required");
    else if (!values[i] && field.required)
      status = FieldValue(field, field.example, &values[i].emplace());
    if (values[i]) (*task)[std::string(field.name)] = *values[i];
  }
  return status;
}

}  // namespace

ExitStatus GenCommand(std::span<char* const> args) {
  if (args.empty()) {
    fputs(Usage().c_str(), stderr);
    return kExitUsage;
  }
  const TaskType* type = FindTaskType(args[0]);
  if (type == nullptr) {
    fprintf(stderr, "farm gen: %s\n%s", UnknownTaskTypeMessage(args[0]).c_str(), Usage().c_str());
    return kExitUsage;
  }
  int count = 1;
  nlohmann::ordered_json task = {{"type", type->name}};
  Status status = ParseGenArgs(*type, args.subspan(1), &count, &task);
  if (!status.ok()) {
    fprintf(stderr, "farm gen: %s\n%s", status.message().c_str(), Usage().c_str());
    return kExitUsage;
  }
  std::string line = task.dump() + "\n";
  for (int i = 0; i < count && !ferror(stdout); ++i) fwrite(line.data(), 1, line.size(), stdout);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    perror("farm gen: cannot write to standard output");
    return kExitCannotComplete;
  }
  return kExitOk;
}

}  // namespace farm
