#pragma once

namespace farm {

// farm's command line: `farm run|gen|bench ...`. Returns the exit status.
int Main(int argc, char** argv);

}  // namespace farm
