#include "coordinator/gen.h"

#include <errno.h>
#include <stdio.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/flags.h"
#include "coordinator/run.h"

namespace farm {
namespace {

constexpr const char* kUsage =
    "usage: farm gen fib    [--count C] [--n N] [--method iterative|doubling] [--full]\n"
    "       farm gen pi     [--count C] [--samples S]\n"
    "       farm gen random [--count C] [--values V]\n"
    "       farm gen sleep  [--count C] [--ms MS]\n";

}  // namespace

ExitStatus GenCommand(std::span<char* const> args) {
  if (args.empty()) {
    fputs(kUsage, stderr);
    return kExitUsage;
  }
  std::string type = args[0];
  int count = 1;
  int64_t n = 1000, samples = 1'000'000, values = 10, ms = 100;
  std::string method;
  bool full = false;
  auto int64_into = [](const char* flag, int64_t min, int64_t max, int64_t* target) {
    return [=](std::string_view v) { return ParseInt(flag, v, min, max, target); };
  };
  std::vector<Flag> flags = {{"--count", 0, true, IntInto("--count", 0, 1'000'000'000, &count)}};
  nlohmann::ordered_json task = {{"type", type}};
  if (type == "fib") {
    flags.push_back({"--n", 0, true, int64_into("--n", 0, 100'000'000, &n)});
    flags.push_back({"--method", 0, true, [&](std::string_view v) {
                       if (v != "iterative" && v != "doubling")
                         return Status::Error("--method: expected iterative or doubling");
                       return method = v, Status::Ok();
                     }});
    flags.push_back({"--full", 0, false, [&](std::string_view) { return full = true, Status::Ok(); }});
  } else if (type == "pi") {
    flags.push_back({"--samples", 0, true, int64_into("--samples", 1, 10'000'000'000, &samples)});
  } else if (type == "random") {
    flags.push_back({"--values", 0, true, int64_into("--values", 1, 10'000, &values)});
  } else if (type == "sleep") {
    flags.push_back({"--ms", 0, true, int64_into("--ms", 0, 3'600'000, &ms)});
  } else {
    fprintf(stderr, "farm gen: unknown task type '%s'\n%s", type.c_str(), kUsage);
    return kExitUsage;
  }
  std::vector<std::string> positional;
  Status status = ParseFlags(args.subspan(1), flags, &positional);
  if (status.ok() && !positional.empty())
    status = Status::Error("unexpected argument '" + positional[0] + "'");
  if (!status.ok()) {
    fprintf(stderr, "farm gen: %s\n%s", status.message().c_str(), kUsage);
    return kExitUsage;
  }
  if (type == "fib") {
    task["n"] = n;
    if (!method.empty()) task["method"] = method;
    if (full) task["full"] = true;
  } else if (type == "pi") {
    task["samples"] = samples;
  } else if (type == "random") {
    task["count"] = values;
  } else {
    task["ms"] = ms;
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
