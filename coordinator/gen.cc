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
#include "coordinator/task_flags.h"
#include "worker/registry.h"

namespace farm {
namespace {

std::string Usage() {
  std::string usage;
  for (const TaskType& type : TaskTypes()) {
    usage += usage.empty() ? "usage: farm gen " : "       farm gen ";
    usage += std::string(type.name) + std::string(7 - std::min<size_t>(type.name.size(), 6), ' ');
    usage += "[--count C]";
    for (const TaskField& field : type.fields) {
      std::string flag = TaskFlagName(field);
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

Status ParseGenArgs(const TaskType& type, std::span<char* const> args, int* count,
                    nlohmann::ordered_json* task) {
  TaskFieldFlags fields(type);
  std::vector<Flag> flags = {{"--count", 0, true, IntInto("--count", 0, 1'000'000'000, count)}};
  flags.insert(flags.end(), fields.flags().begin(), fields.flags().end());
  std::vector<std::string> positional;
  Status status = ParseFlags(args, flags, &positional);
  if (status.ok() && !positional.empty())
    status = Status::Error("unexpected argument '" + positional[0] + "'");
  if (status.ok()) status = fields.Build(nlohmann::json::object(), task);
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
  nlohmann::ordered_json task;
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
