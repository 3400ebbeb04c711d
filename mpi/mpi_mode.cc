#include "mpi/mpi_mode.h"

#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/exit_status.h"
#include "mpi/launcher.h"
#include "mpi/mpi_transport.h"
#include "mpi/node_agent.h"

namespace farm {
namespace {

// Rank 0's view of the job while RunUnderMpi runs; MPI itself is one per
// process, and so is this.
mpi::MpiWorld* g_world = nullptr;

// mpirun and srun name the rank in the environment (Open MPI's own
// variables, or PMI's and PMIx's).
bool StartedByMpiLauncher() {
  return getenv("OMPI_COMM_WORLD_SIZE") != nullptr || getenv("PMI_RANK") != nullptr ||
         getenv("PMIX_RANK") != nullptr;
}

// mpirun's exit status is not always rank 0's: Open MPI 4's mpirun
// --enable-recovery records no exit status of a recoverable job's ranks (not
// an exit code, a signal or an MPI_Abort code) and exits 0. So rank 0 says
// its own after the summary, for scripts, whenever it is not 0.
void SayExitStatus(ExitStatus status) {
  fprintf(stderr, "farm: exit status %d (mpirun's may differ: --enable-recovery makes it 0)\n",
          static_cast<int>(status));
}

ExitStatus AgentRank(const RunOptions& options, std::unique_ptr<mpi::Launcher> launcher) {
  // The coordinator decides when the run ends: a signal mpirun sends every
  // rank (it turns Ctrl-C into SIGTERM for all) is rank 0's to act on.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);  // a write to a dead worker is EPIPE
  ExitStatus status = mpi::RunNodeAgent(options, *launcher);
  launcher.reset();  // its workers are gone; so is it
  return status;
}

ExitStatus CoordinatorRank(const RunOptions& options, int ranks,
                           const std::function<ExitStatus()>& coordinate) {
  mpi::MpiWorld world{.agents = ranks - 1};
  g_world = &world;
  ExitStatus status = coordinate();
  // A run that ended before its transport started (a usage error) still
  // owes the agents their stop.
  if (!world.agents_stopped) mpi::MpiTransport(world, options.workers).Stop(/*now=*/true);
  g_world = nullptr;
  if (world.lost_rank != 0) status = kExitCannotComplete;
  return status;
}

}  // namespace

ExitStatus RunUnderMpi(const RunOptions& options, const std::function<ExitStatus()>& coordinate) {
  if (!StartedByMpiLauncher()) {
    fputs("farm run: --mode mpi runs under an MPI launcher; start it as\n"
          "  mpirun -n R farm run --mode mpi -j J [OPTIONS] [FILE]\n"
          "(or srun under Slurm): rank 0 coordinates, every other rank runs J workers\n",
          stderr);
    return kExitUsage;
  }
  // Stop signals blocked before MPI starts its threads, so that they inherit
  // the mask and only the loop's ppoll() takes a Ctrl-C.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  // Forked now, while this process has one thread: after MPI_Init it must
  // not fork, so workers come from the launcher.
  std::unique_ptr<mpi::Launcher> launcher;
  if (Status s = mpi::Launcher::Start(&launcher); !s.ok()) {
    fprintf(stderr, "farm run: cannot start the worker launcher: %s\n", s.message().c_str());
    return kExitCannotComplete;
  }
  // MPI is called from the main thread only.
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, ranks = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  ExitStatus status;
  if (provided < MPI_THREAD_FUNNELED) {
    if (rank == 0) fputs("farm run: --mode mpi: this MPI lacks MPI_THREAD_FUNNELED\n", stderr);
    status = kExitUsage;
  } else if (ranks < 2) {
    fputs("farm run: --mode mpi needs at least 2 ranks: rank 0 coordinates, the others run "
          "workers (mpirun -n 2 or more)\n",
          stderr);
    status = kExitUsage;
  } else if (rank != 0) {
    status = AgentRank(options, std::move(launcher));
  } else {
    launcher.reset();  // rank 0 runs no workers
    status = CoordinatorRank(options, ranks, coordinate);
    if (status != kExitOk) SayExitStatus(status);
  }
  MPI_Finalize();
  return status;
}

Status MakeMpiTransport(int workers_per_agent, std::unique_ptr<Transport>* transport) {
  if (g_world == nullptr) return Status::Error("--mode mpi runs only under RunUnderMpi");
  *transport = std::make_unique<mpi::MpiTransport>(*g_world, workers_per_agent);
  return Status::Ok();
}

}  // namespace farm
