// How farm runs tasks: the mode of `farm run --mode` and of farm::Executor.
#pragma once

namespace farm {

enum class Mode {
  kProcess,     // forked worker processes, over pipes
  kThread,      // threads in this process
  kSequential,  // one at a time, in the scheduler's own thread
  kMpi,         // `farm run` under mpirun only
};

}  // namespace farm
