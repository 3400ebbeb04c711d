// Runs farm under mpirun for the --mode mpi end-to-end tests.
#pragma once

#include <stdlib.h>
#include <sys/types.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm::testing {

// mpirun -n `ranks` farm run --mode mpi `farm_args`, with `mpirun_args`
// before the program. Oversubscribed: this machine has fewer cores.
inline std::vector<std::string> MpiCommand(int ranks, const std::vector<std::string>& mpirun_args,
                                           const std::vector<std::string>& farm_args) {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);  // test machines run as root
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  std::vector<std::string> command = {FARM_MPIEXEC, "--oversubscribe", "-n", std::to_string(ranks)};
  command.insert(command.end(), mpirun_args.begin(), mpirun_args.end());
  command.insert(command.end(), {FARM_BINARY, "run", "--mode", "mpi"});
  command.insert(command.end(), farm_args.begin(), farm_args.end());
  return command;
}

inline FarmRun RunMpi(int ranks, const std::vector<std::string>& mpirun_args,
                      const std::vector<std::string>& farm_args) {
  return FinishFarm(StartProgram(MpiCommand(ranks, mpirun_args, farm_args)));
}

// The pid of MPI rank `rank` below `root` (an mpirun), or -1.
inline pid_t RankPid(pid_t root, int rank) {
  for (pid_t pid : DescendantsNamed(root, "farm")) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name != "farm") continue;  // a launcher or a worker
    std::ifstream environ("/proc/" + std::to_string(pid) + "/environ");
    std::string entry;
    while (std::getline(environ, entry, '\0'))
      if (entry == "OMPI_COMM_WORLD_RANK=" + std::to_string(rank)) return pid;
  }
  return -1;
}

// Result lines by id; fails the test if an id repeats.
inline std::map<std::string, nlohmann::json> ById(const std::string& output) {
  std::map<std::string, nlohmann::json> results;
  size_t start = 0;
  for (size_t end; (end = output.find('\n', start)) != std::string::npos; start = end + 1) {
    nlohmann::json line = nlohmann::json::parse(output.substr(start, end - start));
    std::string id = line["id"].dump();
    if (results.count(id) != 0) throw std::runtime_error("id " + id + " twice");
    results[id] = line;
  }
  return results;
}

inline std::string Lines(int count, const std::string& task) {
  std::string text;
  for (int i = 0; i < count; ++i) text += task + "\n";
  return text;
}

}  // namespace farm::testing
