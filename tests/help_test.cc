// The help pages against the tables the commands parse with: every flag of
// every table is in its command's help, with a value name and a line that
// says what it does, and every line fits in 80 columns.
#include "coordinator/help.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "coordinator/cli.h"
#include "coordinator/run_flags.h"
#include "coordinator/task_flags.h"
#include "worker/registry.h"

namespace farm {
namespace {

std::string HelpOf(std::string_view name) {
  for (const Command& command : Commands())
    if (command.name == name && command.help) return FormatHelp(command.help());
  ADD_FAILURE() << "no help page for " << name;
  return "";
}

// "-j, --workers N" or "--mode process|thread|sequential|mpi": the flag as
// its help line starts.
std::string Shown(const Flag& flag) {
  std::string shown = flag.alias ? std::string("-") + flag.alias + ", " : "";
  shown += std::string(flag.name) + (flag.takes_value() ? " " + flag.value : "");
  return shown;
}

TEST(Help, EveryFlagOfEveryPageIsShownWithWhatItDoes) {
  int flags = 0;
  for (const Command& command : Commands()) {
    if (!command.help) continue;
    HelpPage page = command.help();
    std::string text = FormatHelp(page);
    EXPECT_EQ(text.rfind("usage: farm " + std::string(command.name), 0), 0u) << text;
    for (const FlagSection& section : page.sections) {
      for (const Flag& flag : section.flags) {
        bool shown = text.find("  " + Shown(flag) + "  ") != std::string::npos ||
                     text.find("  " + Shown(flag) + "\n") != std::string::npos;
        EXPECT_TRUE(shown) << command.name << ": " << Shown(flag);
        EXPECT_FALSE(flag.help.empty()) << command.name << " " << flag.name;
        ++flags;
      }
    }
  }
  EXPECT_GT(flags, 40);
}

// run's help against the very table ParseRunOptions() parses with.
TEST(Help, RunShowsEveryFlagItParses) {
  RunOptions options;
  std::string help = HelpOf("run");
  for (const Flag& flag : AllFlags(RunFlags(&options)))
    EXPECT_NE(help.find(Shown(flag)), std::string::npos) << flag.name;
}

// exec parses the flags it shares with run: each is in exec's help too.
TEST(Help, ExecShowsTheFlagsItSharesWithRun) {
  RunOptions options;
  std::string help = HelpOf("exec");
  for (const Flag& flag : SharedRunFlags(&options).flags)
    EXPECT_NE(help.find(Shown(flag)), std::string::npos) << flag.name;
  for (const char* own : {"-o, --output json|stdout|FILE", "-a, --arg-file FILE"})
    EXPECT_NE(help.find(own), std::string::npos) << own;
}

// gen and bench parse each task type's fields as flags, from the registry:
// gen shows every one with its description, bench every one in a synopsis.
TEST(Help, GenAndBenchShowEveryTaskTypesFieldFlags) {
  std::string gen = HelpOf("gen");
  std::string bench = HelpOf("bench");
  for (const TaskType& type : TaskTypes()) {
    EXPECT_NE(gen.find("farm gen " + std::string(type.name) + ":\n"), std::string::npos);
    TaskFieldFlags fields(type);
    for (const Flag& flag : fields.flags()) {
      EXPECT_NE(gen.find("      " + Shown(flag)), std::string::npos) << flag.name;
      EXPECT_NE(bench.find(Shown(flag)), std::string::npos) << type.name << " " << flag.name;
    }
  }
}

TEST(Help, LinesFitInEightyColumnsButExampleCommands) {
  for (const Command& command : Commands()) {
    if (!command.help) continue;
    std::istringstream text(FormatHelp(command.help()));
    for (std::string line; std::getline(text, line);)
      if (line.rfind("  $ ", 0) != 0) {
        EXPECT_LE(line.size(), kHelpWidth) << line;
      }
  }
}

TEST(Help, WrapIndentsAndKeepsAFlagWithTheWordBeforeIt) {
  // "with" would fit on the first line, but "-o" would then start the next.
  std::string text = Wrap(std::string(72, 'a') + " with -o FILE, written", 4, 2);
  EXPECT_EQ(text, "  " + std::string(72, 'a') + "\n    with -o FILE, written\n");
  EXPECT_EQ(TwoColumns("  --long-flag-name", "says what", 10),
            "  --long-flag-name\n          says what\n");
  EXPECT_EQ(TwoColumns("  -x", "says what", 10), "  -x      says what\n");
}

TEST(Help, ChoiceNamesTheChoicesInItsError) {
  size_t index = 9;
  EXPECT_TRUE(ParseChoice("--format", "jsonl|csv", "csv", &index).ok());
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(ParseChoice("--mode", "a|b|c", "d", &index).message(),
            "--mode: expected a, b or c, got 'd'");
}

}  // namespace
}  // namespace farm
