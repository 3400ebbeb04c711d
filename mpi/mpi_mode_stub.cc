// --mode mpi in a farm built without MPI (CMake found no MPI library).
#include <stdio.h>

#include "common/exit_status.h"
#include "mpi/mpi_mode.h"

namespace farm {

ExitStatus RunUnderMpi(const RunOptions&, const std::function<ExitStatus()>&) {
  fputs("farm run: --mode mpi: this farm was built without MPI; install Open MPI "
        "(scripts/install-deps.sh), rebuild, and start it with mpirun -n R farm run --mode mpi\n",
        stderr);
  return kExitUsage;
}

Status MakeMpiTransport(int, std::unique_ptr<Transport>*) {
  return Status::Error("this farm was built without MPI");
}

}  // namespace farm
