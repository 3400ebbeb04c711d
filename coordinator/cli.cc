#include "coordinator/cli.h"

#include <stdio.h>

#include <span>
#include <string>
#include <string_view>

#include "bench/bench.h"
#include "bench/bench_options.h"
#include "common/edit_distance.h"
#include "common/fd.h"
#include "coordinator/crawl.h"
#include "coordinator/exec_command.h"
#include "coordinator/export.h"
#include "coordinator/gen.h"
#include "coordinator/help.h"
#include "coordinator/run.h"
#include "coordinator/run_flags.h"
#include "coordinator/task_help.h"
#include "coordinator/version.h"

namespace farm {
namespace {

ExitStatus HelpCommand(std::span<char* const> args);
ExitStatus VersionCommand(std::span<char* const> args);

// farm's subcommands: the one list that dispatches them, and that the
// overview, `farm help` and the man page are printed from.
constexpr Command kCommands[] = {
    {"run", kRunUsage, "run JSON-lines tasks from FILE or stdin", RunCommand, RunHelp},
    {"exec", kExecUsage, "run a command per argument, like parallel", ExecCommand, ExecHelp},
    {"crawl", kCrawlUsage, "fetch pages and follow their links, politely", CrawlCommand,
     CrawlHelp},
    {"gen", kGenUsage, "print task lines of any type", GenCommand, GenHelp},
    {"export", kExportUsage, "a --db run's results, as lines or CSV", ExportCommand, ExportHelp},
    {"bench", kBenchUsage, "compare sequential, thread and process modes", BenchCommand, BenchHelp},
    {"help", "farm help [COMMAND|tasks]", "this help, a command's, or the task types", HelpCommand,
     nullptr},
    {"version", "farm version", "print the version (also farm --version)", VersionCommand, nullptr},
};

constexpr const char* kTitle = "farm: run a batch of tasks on a pool of worker processes\n";

// What each exit status means; the values are common/exit_status.h's.
constexpr std::pair<ExitStatus, const char*> kExitStatuses[] = {
    {kExitOk, "every task ok"},
    {kExitTasksFailed, "the run finished and some tasks failed, or --halt stopped it"},
    {kExitUsage, "usage error: bad flag, unreadable file...; nothing run, no file touched"},
    {kExitCannotComplete, "the results could not all be written (output unwritable, disk full)"},
    {kExitInterrupted, "interrupted by SIGINT or SIGTERM, after writing every result received"},
};

const Command* FindCommand(std::string_view name) {
  for (const Command& command : kCommands)
    if (command.name == name) return &command;
  return nullptr;
}

// "usage: farm run [OPTIONS] [FILE]     run JSON-lines tasks...", one line a
// command, the summary on a line of its own after a long usage.
std::string Overview() {
  constexpr size_t kColumn = 36;
  std::string out = std::string(kTitle) + "\n";
  for (const Command& command : kCommands) {
    std::string usage =
        (&command == kCommands ? "usage: " : "       ") + std::string(command.usage);
    out += TwoColumns(usage, command.summary, kColumn);
  }
  return out + "\nEvery COMMAND takes --help. The task types and their fields: farm help tasks.\n";
}

std::string ExitStatusHelp() {
  std::string out = "exit status:\n";
  for (const auto& [status, meaning] : kExitStatuses) {
    std::string code = std::to_string(static_cast<int>(status));
    out += "  " + code + std::string(5 - code.size(), ' ') + meaning + "\n";
  }
  return out;
}

// `farm help`: the overview, every command's page, the exit statuses. The
// man page is made from it.
std::string FullHelp() {
  std::string out = Overview();
  for (const Command& command : kCommands)
    if (command.help) out += "\n" + FormatHelp(command.help());
  return out + "\n" + ExitStatusHelp();
}

// `farm help [COMMAND|tasks]`.
ExitStatus HelpCommand(std::span<char* const> args) {
  std::string text;
  if (!args.empty() &&
      (args[0] == std::string_view("--help") || args[0] == std::string_view("-h"))) {
    text = Overview();
  } else if (args.empty()) {
    text = FullHelp();
  } else if (std::string_view(args[0]) == "tasks") {
    return HelpTasksCommand(args.subspan(1));
  } else if (const Command* command = FindCommand(args[0]); command && command->help) {
    text = FormatHelp(command->help());
  } else if (command) {
    text = Overview();
  } else {
    fprintf(stderr, "farm help: unknown command '%s'\nusage: farm help [COMMAND|tasks]\n", args[0]);
    return kExitUsage;
  }
  fwrite(text.data(), 1, text.size(), stdout);
  return fflush(stdout) == 0 ? kExitOk : kExitCannotComplete;
}

// "farm 1.0.0 (commit 0123456789ab)"; no commit when built outside git.
ExitStatus VersionCommand(std::span<char* const>) {
  if (*Commit() != '\0')
    printf("farm %s (commit %s)\n", Version(), Commit());
  else
    printf("farm %s\n", Version());
  return kExitOk;
}

// "farm: unknown command 'rnu' (did you mean 'run'?)", then the overview.
ExitStatus UnknownCommand(std::string_view name) {
  NearMiss hint(name);
  for (const Command& command : kCommands) hint.Consider(command.name);
  std::string message = "farm: unknown command '" + std::string(name) + "'";
  if (!hint.best().empty()) message += " (did you mean '" + std::string(hint.best()) + "'?)";
  fprintf(stderr, "%s\n\n%s", message.c_str(), Overview().c_str());
  return kExitUsage;
}

}  // namespace

std::span<const Command> Commands() { return kCommands; }

int Main(int argc, char** argv) {
  if (Status s = OpenClosedStandardFds(); !s.ok()) {
    fprintf(stderr, "farm: %s for a closed standard stream\n", s.message().c_str());
    return kExitCannotComplete;
  }
  std::span<char* const> args(argv + 1, argc > 0 ? argc - 1 : 0);
  if (args.empty()) {
    fputs(Overview().c_str(), stderr);
    return kExitUsage;
  }
  std::string_view name = args[0];
  if (name == "--version") return VersionCommand({});
  if (name == "--help" || name == "-h") return HelpCommand({});
  const Command* command = FindCommand(name);
  if (command == nullptr) return UnknownCommand(name);
  // `farm COMMAND --help`, as GNU tools take it: the same as `farm help COMMAND`.
  for (std::string_view arg : args.subspan(1)) {
    if (arg == "--") break;
    if ((arg == "--help" || arg == "-h") && command->name != "help") return HelpCommand(args);
  }
  return command->run(args.subspan(1));
}

}  // namespace farm
