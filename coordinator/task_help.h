// `farm help tasks`: every task type with its fields, printed from the
// registry's table, so the help can never disagree with what a worker checks.
#pragma once

#include <span>

#include "common/exit_status.h"
#include <string>

namespace farm {

// The whole listing, as `farm help tasks` prints it.
std::string TaskTypesHelp();

// `farm help tasks [--names]`; `args` are the words after "tasks". With
// --names, only the type names, one a line (for shell completion).
ExitStatus HelpTasksCommand(std::span<char* const> args);

}  // namespace farm
