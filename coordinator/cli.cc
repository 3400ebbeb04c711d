#include "coordinator/cli.h"

#include <stdio.h>

#include <span>
#include <string_view>

#include "bench/bench.h"
#include "coordinator/crawl.h"
#include "coordinator/exec_command.h"
#include "coordinator/export.h"
#include "coordinator/gen.h"
#include "coordinator/run.h"
#include "coordinator/task_help.h"
#include "coordinator/version.h"

namespace farm {
namespace {

constexpr const char* kHelp = R"(farm: run a batch of tasks on a pool of worker processes

usage: farm run [OPTIONS] [FILE]     run JSON-lines tasks from FILE or stdin
       farm exec [OPTIONS] -- CMD ARGS... [::: ARG...]
                                     run your command per argument (farm exec --help)
       farm gen TYPE [OPTIONS]       print task lines of any type
       farm export --db FILE [--run N] [--format jsonl|csv] [-o FILE]
                                     a run's results from a database, as lines or CSV
       farm help tasks [--names]     every task type with its fields, defaults and limits
       farm bench [OPTIONS] [FILE]   compare sequential, thread and process modes
       farm version                  print the version (also farm --version)

farm run options:
  -j, --workers N          workers (default: online CPUs)
  --mode M                 process, thread, sequential or mpi (default process;
                           mpi: mpirun -n R farm run --mode mpi -j J ...)
  -o, --output FILE        result lines go here (default stdout)
  --seed S                 master seed (default: from the OS; printed in the summary)
  --keep-order             results in input order
  --retries R              re-runs of a task whose worker died or hung (default 2)
  --task-timeout SEC       wall-clock limit per task
  --resume                 with -o FILE: skip tasks already ok in FILE, append the rest;
                           with --db FILE: the same from the database
  --urls FILE              plain URLs, one a line, as fetch tasks
  --out-dir DIR            where fetch saves bodies (default downloads)
  --concurrency K          transfers in flight per worker (default 8)
  --delay MIN:MAX          pause before each request, ms, random per worker
  --max-per-host N         transfers in flight per host per worker
  --max-tasks-per-worker K replace a worker after K tasks
  --memory-limit MB        address-space limit per worker
  --progress, --no-progress
  --summary-json FILE      the run's summary as JSON
  --halt WHEN,COND         stop early: now|soon, fail=N|fail=P%|success=N|success=P%
  --db FILE                results also go into this SQLite database (with --resume:
                           skip the ids its newest run has ok, and continue that run)
  --allow-exec             let exec tasks run their commands (a task file is data)

farm bench options (each run is a child `farm run`, interleaved; FILE is your
own batch, else one is made from --task):
  --task T                 any task type, with its fields as farm gen takes them (default fib):
                           fib --n N --method M (default 1000000, iterative), pi --samples S
                           (default 10000000), sleep --ms MS (default 100), fetch --url URL
  --tasks T                tasks in the batch (default 8; sleep 40)
  --workers 1,2,4          worker counts (default 1, 2, 4 ... up to the CPUs)
  --modes M,M              default sequential,thread,process
  --repeat R               runs of each configuration (default 3)
  --warmup N               unmeasured runs of each configuration first (default 0)
  --seed S                 master seed of every run (default 1)
  --csv FILE, --json FILE  every run, and (JSON) the table
  --export-markdown FILE   the table as Markdown

exit status: 0 all ok, 1 some tasks failed, 2 usage error (nothing run, no file touched),
             3 the results could not all be written, 130 interrupted
)";

// "farm 1.0.0 (commit 0123456789ab)"; no commit when built outside git.
ExitStatus VersionCommand() {
  if (*Commit() != '\0')
    printf("farm %s (commit %s)\n", Version(), Commit());
  else
    printf("farm %s\n", Version());
  return kExitOk;
}

}  // namespace

int Main(int argc, char** argv) {
  std::span<char* const> args(argv + 1, argc > 0 ? argc - 1 : 0);
  if (args.empty()) {
    fputs(kHelp, stderr);
    return kExitUsage;
  }
  std::string_view command = args[0];
  // `farm SUBCOMMAND --help`, as GNU tools take it.
  for (std::string_view arg : args.subspan(1)) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") command = "help";
  }
  if (command == "version" || command == "--version") return VersionCommand();
  if (command == "run") return RunCommand(args.subspan(1));
  if (args[0] == std::string_view("exec")) return ExecCommand(args.subspan(1));  // its own --help
  if (command == "crawl") return CrawlCommand(args.subspan(1));
  if (command == "gen") return GenCommand(args.subspan(1));
  if (command == "export") return ExportCommand(args.subspan(1));
  if (command == "bench") return BenchCommand(args.subspan(1));
  if (command == "help" && args.size() > 1 && std::string_view(args[1]) == "tasks")
    return HelpTasksCommand(args.subspan(2));
  if (command == "help" || command == "--help" || command == "-h") {
    printf("%s\n%s", kHelp, ExecHelp());  // every subcommand's flags, for the man page too
    return kExitOk;
  }
  fprintf(stderr, "farm: unknown command '%.*s'\n\n%s", static_cast<int>(command.size()),
          command.data(), kHelp);
  return kExitUsage;
}

}  // namespace farm
