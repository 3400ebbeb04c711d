// Every rank but 0 in --mode mpi: a node agent. It runs J local workers
// through a ProcessTransport whose workers its launcher forks, and forwards
// lines both ways between them and rank 0 (mpi/frames.h). It holds no
// policy: rank 0's scheduler decides what runs where, retries and blames.
// It reports a worker's end, with the task it was running read from the
// worker's page, and, when --task-timeout needs it, which task each worker
// runs since when.
#pragma once

#include "common/exit_status.h"
#include "coordinator/options.h"
#include "mpi/launcher.h"

namespace farm::mpi {

// Serves rank 0 until it says stop; returns the process's exit status.
ExitStatus RunNodeAgent(const RunOptions& options, Launcher& launcher);

}  // namespace farm::mpi
