#include "coordinator/task_help.h"

#include <stdio.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "coordinator/run.h"
#include "coordinator/task_flags.h"
#include "worker/registry.h"

namespace farm {
namespace {

constexpr const char* kUsage = "usage: farm help tasks [--names]\n";

constexpr const char* kEveryTask =
    "Every task may also hold \"id\" (a string or an integer; default: its line number)\n"
    "and fields of your own whose names start with \"_\" or \"x-\", which farm ignores.\n"
    "Any other field is a bad_task error.\n";

std::string_view KindName(FieldKind kind) {
  switch (kind) {
    case FieldKind::kInteger: return "integer";
    case FieldKind::kNumber: return "number";
    case FieldKind::kBoolean: return "boolean";
    case FieldKind::kString: return "string";
    case FieldKind::kArray: return "array";
    case FieldKind::kObject: return "object";
  }
  return "?";
}

std::string Presence(const TaskField& field) {
  if (field.required) return "required";
  std::string value = DefaultValue(field);
  return value.empty() ? "optional" : "default " + value;
}

// One row per field: name, kind, required or default, limits, description.
using Row = std::vector<std::string>;

Row FieldRow(const TaskField& field) {
  return {std::string(field.name), std::string(KindName(field.kind)), Presence(field),
          DescribeLimits(field), std::string(field.description)};
}

std::string FormatRow(const Row& row, const std::vector<size_t>& widths) {
  std::string line;
  size_t column = 2;
  for (size_t i = 0; i < row.size(); ++i) {
    line.resize(column, ' ');  // an empty cell keeps its column
    line += row[i];
    column += widths[i] + 2;
  }
  return line + "\n";
}

}  // namespace

std::string TaskTypesHelp() {
  // Columns line up across every type's fields.
  std::vector<size_t> widths;
  for (const TaskType& type : TaskTypes())
    for (const TaskField& field : type.fields) {
      Row row = FieldRow(field);
      widths.resize(row.size());
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
  std::string out;
  for (const TaskType& type : TaskTypes()) {
    out += std::string(type.name) + ": " + std::string(type.description) + "\n";
    for (const TaskField& field : type.fields) out += FormatRow(FieldRow(field), widths);
    out += "\n";
  }
  return out + kEveryTask;
}

ExitStatus HelpTasksCommand(std::span<char* const> args) {
  bool names = false;
  for (std::string_view arg : args) {
    if (arg == "--names") {
      names = true;
    } else if (arg == "--help" || arg == "-h") {
      fputs(kUsage, stdout);
      return kExitOk;
    } else {
      fprintf(stderr, "farm help tasks: unexpected argument '%.*s'\n%s",
              static_cast<int>(arg.size()), arg.data(), kUsage);
      return kExitUsage;
    }
  }
  std::string out;
  if (names) {
    for (const TaskType& type : TaskTypes()) out += std::string(type.name) + "\n";
  } else {
    out = TaskTypesHelp();
  }
  fwrite(out.data(), 1, out.size(), stdout);
  return fflush(stdout) == 0 ? kExitOk : kExitCannotComplete;
}

}  // namespace farm
