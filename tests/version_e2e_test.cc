// End-to-end: `farm --version` and `farm version`.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::RunFarm;

TEST(VersionE2E, BothSpellingsPrintTheProjectVersionAndTheCommit) {
  for (const char* spelling : {"--version", "version"}) {
    auto run = RunFarm({spelling});
    EXPECT_EQ(run.exit_code, 0) << spelling << ": " << run.err;
    EXPECT_EQ(run.err, "");
    // The commit is there when built from a checkout, as the tests are.
    std::regex expected("farm " + std::regex_replace(FARM_VERSION, std::regex("\\."), "\\.") +
                        "( \\(commit [0-9a-f]{12}\\))?\n");
    EXPECT_TRUE(std::regex_match(run.out, expected)) << spelling << ": " << run.out;
  }
}

TEST(VersionE2E, HelpNamesTheVersionCommand) {
  auto run = RunFarm({"help"});
  EXPECT_NE(run.out.find("farm --version"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace farm
