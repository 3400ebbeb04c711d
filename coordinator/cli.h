#pragma once

#include "common/exit_status.h"

namespace farm {

// farm's command line: `farm run|gen|bench ...`. Returns the exit status.
int Main(int argc, char** argv);  // include/farm/task.h declares it for users

}  // namespace farm
