#pragma once

#include <span>

#include "common/exit_status.h"

namespace farm {

// `farm bench [OPTIONS]`: runs one batch in each mode and worker count as
// child `farm run` processes and prints how they scale. Returns the exit
// status.
ExitStatus BenchCommand(std::span<char* const> args);

}  // namespace farm
