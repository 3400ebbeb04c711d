#include "coordinator/gen.h"

#include <errno.h>
#include <stdio.h>

#include <algorithm>
#include <memory>
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

// One line per type, "farm gen fib    [--count C] [--n N] ...", for errors.
std::string Usage() {
  std::string usage;
  for (const TaskType& type : TaskTypes()) {
    std::string name(type.name);
    name.resize(std::max<size_t>(name.size(), 6), ' ');
    usage += (usage.empty() ? "usage: " : "       ") + std::string("farm gen ") + name +
             " [--count C] " + TaskFlagsSynopsis(type) + "\n";
  }
  return usage + "(fields, their defaults and limits: farm help gen, farm help tasks)\n";
}

constexpr int kDefaultCount = 1;

// gen's own flags, before the type's fields.
FlagSection GenFlags(int* count) {
  return {"options",
          {{"--count", 0, "C",
            "task lines to print, all the same (default: " + std::to_string(kDefaultCount) + ")",
            IntInto("--count", 0, 1'000'000'000, count)}}};
}

Status ParseGenArgs(const TaskType& type, std::span<char* const> args, int* count,
                    nlohmann::ordered_json* task) {
  TaskFieldFlags fields(type);
  std::vector<Flag> flags = GenFlags(count).flags;
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
  int count = kDefaultCount;
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

HelpPage GenHelp() {
  struct State {
    int count = 0;
    std::vector<std::unique_ptr<TaskFieldFlags>> fields;
  };
  auto state = std::make_shared<State>();
  HelpPage page = {
      .usage = {std::string(kGenUsage)},
      .about = {"Prints C copies of one task line of TYPE, its fields from the flags below, "
                "by type: a field left out takes its default (a required one, its example). "
                "Each line is checked as a worker checks it; farm bench takes the same flags. "
                "The fields as JSON: farm help tasks."},
      .sections = {GenFlags(&state->count)},
      .examples =
          {
              {"farm gen fib --n 1000000 --count 8 > tasks.jsonl",
               "eight tasks of F(1,000,000) in a file"},
              {"farm gen pi --samples 10000000 --count 16 | farm run -j 4",
               "sixteen Monte Carlo estimates of pi, run at once"},
              {"farm gen fetch --url https://example.com/ --no-save",
               "one download, hashed and not saved"},
          },
      .state = state,
  };
  for (const TaskType& type : TaskTypes()) {
    state->fields.push_back(std::make_unique<TaskFieldFlags>(type));
    const auto& flags = state->fields.back()->flags();
    page.sections.push_back({"farm gen " + std::string(type.name), {flags.begin(), flags.end()}});
  }
  return page;
}

}  // namespace farm
