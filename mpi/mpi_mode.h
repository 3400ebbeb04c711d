// farm run --mode mpi: the entry points the rest of farm sees. Built with
// MPI from mpi_mode.cc, without it from mpi_mode_stub.cc (then --mode mpi
// says farm was built without MPI).
#pragma once

#include <functional>
#include <memory>

#include "common/exit_status.h"
#include "common/status.h"
#include "coordinator/options.h"
#include "coordinator/transport.h"

namespace farm {

// Runs `farm run` under MPI. On rank 0, `coordinate` is the whole run (the
// scheduler, input, output, summary) and its exit status is returned, or 3
// if an MPI rank was lost. Every other rank serves as a node agent. Started
// without mpirun or srun: a message saying how, and exit status 2.
ExitStatus RunUnderMpi(const RunOptions& options, const std::function<ExitStatus()>& coordinate);

// Rank 0's transport, with `workers_per_agent` slots on each node agent;
// only inside RunUnderMpi's `coordinate`.
Status MakeMpiTransport(int workers_per_agent, std::unique_ptr<Transport>* transport);

}  // namespace farm
