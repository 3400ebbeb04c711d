#pragma once

#include "common/exit_status.h"

namespace farm {

// farm's command line: `farm run|gen|bench ...`. Returns the exit status.
ExitStatus Main(int argc, char** argv);

}  // namespace farm
