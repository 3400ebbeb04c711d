// `farm exec [OPTIONS] -- CMD ARGS... [::: ARGS...]`: GNU parallel's front
// end over farm run's machinery, one exec task per argument.
#pragma once

#include <span>
#include <string_view>

#include "common/exit_status.h"
#include "coordinator/help.h"

namespace farm {

inline constexpr std::string_view kExecUsage = "farm exec [OPTIONS] -- CMD ARGS... [::: ARG...]";

ExitStatus ExecCommand(std::span<char* const> args);

// `farm exec --help`.
HelpPage ExecHelp();

}  // namespace farm
