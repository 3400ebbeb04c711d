// How a run under mpirun ends: mpirun exits with rank 0's status, or, where
// Open MPI hides it (--enable-recovery), farm says it on stderr.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/mpi/run_mpi.h"

namespace farm {
namespace {

using testing::Lines;
using testing::RunMpi;
using testing::TempDir;

// Rank 0's own status, said after the summary whenever it is not 0.
bool SaysExitStatus(const testing::FarmRun& run, int status) {
  return run.err.find("farm: exit status " + std::to_string(status) + " ") != std::string::npos;
}

struct Outcome {
  std::vector<std::string> farm_args;
  int status;
};

// All ok, a task failed, a missing input, an output that cannot be written.
std::vector<Outcome> Outcomes(const TempDir& dir) {
  testing::WriteFile(dir.File("ok"), Lines(6, R"({"type":"sleep","ms":1})"));
  testing::WriteFile(dir.File("bad"),
                     Lines(6, R"({"type":"sleep","ms":1})") + "{\"type\":\"x\"}\n");
  return {{{"-j", "1", dir.File("ok")}, 0},
          {{"-j", "1", dir.File("bad")}, 1},
          {{"-j", "1", dir.File("missing")}, 2},
          {{"-j", "1", "-o", "/dev/full", dir.File("ok")}, 3}};
}

TEST(MpiExit, MpirunExitsWithRankZerosStatus) {
  TempDir dir;
  for (const Outcome& outcome : Outcomes(dir)) {
    auto run = RunMpi(3, {}, outcome.farm_args);
    EXPECT_EQ(run.exit_code, outcome.status) << run.err;
    EXPECT_EQ(SaysExitStatus(run, outcome.status), outcome.status != 0) << run.err;
  }
}

// Open MPI 4's mpirun --enable-recovery exits 0 whatever its ranks return
// (it records no exit status of a recoverable job): farm's own is on stderr.
TEST(MpiExit, UnderEnableRecoveryFarmSaysItsExitStatusOnStderr) {
  TempDir dir;
  for (const Outcome& outcome : Outcomes(dir)) {
    auto run = RunMpi(3, {"--enable-recovery"}, outcome.farm_args);
    if (outcome.status == 0) {
      EXPECT_EQ(run.exit_code, 0) << run.err;
      EXPECT_EQ(run.err.find("farm: exit status"), std::string::npos) << run.err;
    } else {
      EXPECT_TRUE(SaysExitStatus(run, outcome.status)) << run.err;
    }
  }
}

}  // namespace
}  // namespace farm
