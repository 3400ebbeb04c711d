// How a farm command ends, as its exit status. The one list of them: the
// README and `farm help` describe these values.
#pragma once

namespace farm {

enum ExitStatus : int {
  kExitOk = 0,
  // The run finished and some task failed (its line says why), or --halt
  // stopped it.
  kExitTasksFailed = 1,
  // Bad flag, unreadable file, a file both read and written, workers that
  // cannot start: nothing ran and no file was created or changed.
  kExitUsage = 2,
  // The run could not complete through no fault of a task (the output is
  // unwritable, the disk is full), after writing every result it could.
  kExitCannotComplete = 3,
  // SIGINT or SIGTERM, after writing every result already received.
  kExitInterrupted = 130,
};

}  // namespace farm
