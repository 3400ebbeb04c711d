#pragma once

#include <span>
#include <string_view>

#include "common/exit_status.h"
#include "coordinator/help.h"

namespace farm {

// `farm gen TYPE [--count N] [fields]`: prints task lines.
ExitStatus GenCommand(std::span<char* const> args);

inline constexpr std::string_view kGenUsage = "farm gen TYPE [--count C] [FIELD FLAGS]";

// `farm gen --help`: every type's fields as flags.
HelpPage GenHelp();

}  // namespace farm
