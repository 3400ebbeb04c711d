#pragma once

#include <span>

#include "common/exit_status.h"

namespace farm {

// `farm gen TYPE [--count N] [fields]`: prints task lines.
ExitStatus GenCommand(std::span<char* const> args);

}  // namespace farm
