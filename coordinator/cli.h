#pragma once

#include <span>
#include <string_view>

#include "common/exit_status.h"
#include "coordinator/help.h"

namespace farm {

// One of farm's subcommands: a row of the table that dispatches them and
// that `farm help` lists. Adding a subcommand is adding a row.
struct Command {
  std::string_view name;     // "run"
  std::string_view usage;    // "farm run [OPTIONS] [FILE]": the overview's line
  std::string_view summary;  // what it does, in a few words
  ExitStatus (*run)(std::span<char* const> args);  // the words after the name
  HelpPage (*help)();  // `farm NAME --help`; nullptr: the overview says it all
};

std::span<const Command> Commands();

// farm's command line: `farm run|gen|bench ...`. Returns the exit status.
int Main(int argc, char** argv);  // include/farm/task.h declares it for users

}  // namespace farm
