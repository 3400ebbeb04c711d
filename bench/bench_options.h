// The settings of one `farm bench`, as parsed from its command line.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/help.h"
#include "coordinator/options.h"

namespace farm {

struct BenchOptions {
  std::string file;  // the user's own batch; empty: one generated from --task
  std::string task = "fib";   // the type of a generated batch (any registered type)
  nlohmann::ordered_json task_line;  // its task, with its fields (from --n, --ms, ...)
  int tasks = 0;  // generated: from --tasks or the type's default; FILE: its lines
  std::vector<int> workers;
  std::vector<Mode> modes = {Mode::kSequential, Mode::kThread, Mode::kProcess};
  int repeat = 3;
  int warmup = 0;  // unmeasured runs of each configuration first
  uint64_t seed = 1;
  std::optional<std::string> csv, json, markdown;  // the exports asked for
};

// Parses the arguments of `farm bench` and checks every file they name: the
// batch must be readable, each export writable, and no file named twice.
// Nothing is created. On a usage error prints it with the usage to stderr
// and returns false.
bool ParseBenchOptions(std::span<char* const> args, BenchOptions* options);

inline constexpr std::string_view kBenchUsage = "farm bench [OPTIONS] [FILE]";

// `farm bench --help`.
HelpPage BenchHelp();

}  // namespace farm
