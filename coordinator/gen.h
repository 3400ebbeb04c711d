#pragma once

#include <span>

namespace farm {

// `farm gen TYPE [--count N] [fields]`: prints task lines.
int GenCommand(std::span<char* const> args);

}  // namespace farm
