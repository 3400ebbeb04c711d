// End-to-end: `farm help`, `farm help COMMAND` and `farm COMMAND --help`, and
// the usage errors, as a user sees them.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FarmRun;
using testing::RunFarm;
using testing::TempDir;

const char* const kCommands[] = {"run", "exec", "gen", "export", "bench"};

// The flags in a help's option lines ("  -j, --workers N   ..."), each with
// the section it is under ("farm gen fib"), as the completion reads them.
std::vector<std::pair<std::string, std::string>> OptionFlags(const std::string& help) {
  std::vector<std::pair<std::string, std::string>> flags;
  std::istringstream lines(help);
  std::string section;
  std::regex option(R"(^ +(-[A-Za-z], )?(--[A-Za-z][A-Za-z-]*)( [^ ]+)?( .*)?$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (!line.empty() && line.back() == ':' && line[0] != ' ') section = line;
    if (std::regex_match(line, match, option)) flags.emplace_back(section, match[2]);
  }
  return flags;
}

TEST(HelpE2E, EachCommandsHelpIsUsageFlagsAndExamplesOnStdout) {
  for (const char* command : kCommands) {
    FarmRun run = RunFarm({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err;
    EXPECT_EQ(run.err, "") << command;
    EXPECT_EQ(run.out.rfind(std::string("usage: farm ") + command, 0), 0u) << run.out;
    size_t examples = run.out.find("\nexamples:\n");
    ASSERT_NE(examples, std::string::npos) << run.out;
    int count = 0;
    for (size_t at = run.out.find("\n  $ farm", examples); at != std::string::npos;
         at = run.out.find("\n  $ ", at + 1))
      ++count;
    EXPECT_GE(count, 2) << command;
    EXPECT_LE(count, 3) << command;
    EXPECT_GT(OptionFlags(run.out).size(), 3u) << command;
  }
}

TEST(HelpE2E, HelpCommandIsTheSameAsCommandDashDashHelp) {
  for (const char* command : kCommands) {
    FarmRun help = RunFarm({"help", command});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_EQ(help.out, RunFarm({command, "--help"}).out) << command;
    EXPECT_EQ(help.out, RunFarm({command, "-h"}).out) << command;
  }
  EXPECT_EQ(RunFarm({"gen", "fib", "--help"}).out, RunFarm({"help", "gen"}).out);
}

// `farm help`: the overview, then every command's page (the man page is made
// of it), then the exit statuses.
TEST(HelpE2E, FullHelpHoldsTheOverviewEveryPageAndTheExitStatuses) {
  FarmRun run = RunFarm({"help"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, RunFarm({"--help"}).out);
  size_t at = 0;
  for (const char* command : kCommands) {
    std::string overview_line = std::string("farm ") + command + " ";
    EXPECT_NE(run.out.find(overview_line), std::string::npos) << command;
    std::string page = RunFarm({command, "--help"}).out;
    size_t page_at = run.out.find(page);
    EXPECT_NE(page_at, std::string::npos) << command;
    EXPECT_GT(page_at, at) << command << ": the pages in the overview's order";
    at = page_at;
  }
  std::string statuses = run.out.substr(run.out.find("\nexit status:\n"));
  for (const char* code : {"\n  0 ", "\n  1 ", "\n  2 ", "\n  3 ", "\n  130 "})
    EXPECT_NE(statuses.find(code), std::string::npos) << code;
}

// The other side of "the help cannot drift": every flag a help shows is one
// its command parses (a wrong one would be "unknown option").
TEST(HelpE2E, EveryFlagInAHelpIsParsedByItsCommand) {
  int checked = 0;
  for (const char* command : kCommands) {
    for (const auto& [section, flag] : OptionFlags(RunFarm({command, "--help"}).out)) {
      std::vector<std::string> args = {command};
      if (std::string(command) == "gen") {  // under "farm gen TYPE:", TYPE's
        args.push_back(section.rfind("farm gen ", 0) == 0 ? section.substr(9, section.size() - 10)
                                                          : "sleep");
      }
      args.push_back(flag);
      if (std::string(command) == "exec") args.insert(args.end(), {"--", "true"});
      FarmRun run = RunFarm(args);  // a value missing, or a run of no task
      EXPECT_EQ(run.err.find("unknown option"), std::string::npos) << command << " " << flag;
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(HelpE2E, UnknownFlagIsAUsageErrorWithDidYouMeanAndTheUsageLine) {
  FarmRun run = RunFarm({"run", "--worker", "2"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "farm run: unknown option '--worker' (did you mean '--workers'?)\n"
            "usage: farm run [OPTIONS] [FILE]   (farm help run for more)\n");
  struct Case {
    std::vector<std::string> args;
    std::string flag;
  };
  for (const Case& c : {Case{{"exec", "--keep-ordr", "--", "true"}, "--keep-ordr"},
                        Case{{"gen", "fib", "--metod", "iterative"}, "--metod"},
                        Case{{"export", "--fromat", "csv"}, "--fromat"},
                        Case{{"bench", "--warmpu", "1"}, "--warmpu"}}) {
    const std::string& command = c.args[0];
    FarmRun bad = RunFarm(c.args);
    EXPECT_EQ(bad.exit_code, 2) << command;
    EXPECT_EQ(bad.out, "") << command;
    EXPECT_EQ(
        bad.err.rfind("farm " + command + ": unknown option '" + c.flag + "' (did you mean '--", 0),
        0u)
        << bad.err;
    EXPECT_NE(bad.err.find("\nusage: farm " + command), std::string::npos) << bad.err;
  }
}

TEST(HelpE2E, UnknownCommandGetsDidYouMean) {
  FarmRun run = RunFarm({"rnu"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err.rfind("farm: unknown command 'rnu' (did you mean 'run'?)\n", 0), 0u) << run.err;
  EXPECT_EQ(RunFarm({"help", "rnu"}).exit_code, 2);
}

// exec's --output=FILE is its --output FILE (it once made a file named
// "--output=FILE"), and -k is GNU parallel's --keep-order, as the help says.
TEST(HelpE2E, ExecTakesOutputWithEqualsAndDashK) {
  TempDir dir;
  std::string out = dir.File("out.jsonl");
  FarmRun run =
      RunFarm({"exec", "-j", "2", "-k", "--output=" + out, "--", "echo", "{}"}, "a\nb\nc\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  std::vector<std::string> ids;
  for (const std::string& line : testing::FarmRun{.out = testing::ReadFile(out)}.lines())
    ids.push_back(nlohmann::json::parse(line)["id"].dump());
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3"}));
}

}  // namespace
}  // namespace farm
