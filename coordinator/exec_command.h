// `farm exec [OPTIONS] -- CMD ARGS... [::: ARGS...]`: GNU parallel's front
// end over farm run's machinery, one exec task per argument.
#pragma once

#include <span>

#include "common/exit_status.h"

namespace farm {

ExitStatus ExecCommand(std::span<char* const> args);

// `farm exec --help`, which `farm help` shows too.
const char* ExecHelp();

}  // namespace farm
