// farm run's flags: the one table that parses them and that the help prints,
// in sections. farm exec takes the shared section too; a command that runs a
// batch builds its table from these sections and adds its own.
#pragma once

#include <string_view>
#include <vector>

#include "coordinator/flags.h"
#include "coordinator/help.h"
#include "coordinator/options.h"

namespace farm {

inline constexpr std::string_view kRunUsage = "farm run [OPTIONS] [FILE]";

// The defaults that depend on the machine: a worker per online CPU, a
// progress line when stderr is a terminal, a seed drawn from the OS.
void SetRunDefaults(RunOptions* options);

// -j, --mode, --seed, --retries, --resume, --halt, --db...: every flag of a
// batch, whatever makes its tasks (farm run and farm exec).
FlagSection SharedRunFlags(RunOptions* options);
// --out-dir, --concurrency, --delay...: how fetch tasks download.
FlagSection FetchFlags(RunOptions* options);
// farm run's whole table: its input and output, the shared flags, fetch's.
std::vector<FlagSection> RunFlags(RunOptions* options);

// Fills what the flags leave to defaults: the User-Agent, and the name
// robots.txt knows us by. CheckRunOptions calls it.
void FinishFetchOptions(RunOptions* options);

// What no single flag can check: combinations (--resume needs an output,
// --task-timeout needs processes). Run after the flags, before the run.
Status CheckRunOptions(RunOptions* options);

// `farm run --help`.
HelpPage RunHelp();

}  // namespace farm
