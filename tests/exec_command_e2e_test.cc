// farm exec's front end on the real binary: the words after --, and what
// --output stdout prints of each job.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FarmRun;
using testing::RunFarm;
using testing::TempDir;

bool SaysOnStderr(const FarmRun& run, const std::string& text) {
  return run.err.find(text) != std::string::npos;
}

// GNU parallel combines `::: a b ::: 1 2` into a 1, a 2, b 1, b 2; farm,
// which has no {1} {2}, once ran `touch :::` instead. Every other separator
// of parallel's is refused as well, before anything runs or is created.
TEST(ExecCommandE2E, SecondArgumentListOrArgumentFileIsAUsageError) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{":::", "a", "b", ":::", "1", "2"}, "several ::: lists"},
      {{":::", "a", "b", ":::+", "1", "2"}, "several ::: lists"},
      {{"::::", "args.txt"}, "arguments from a file with :::: are not supported"},
      {{":::", "a", "::::+", "args.txt"}, "arguments from a file with :::: are not supported"},
  };
  for (const auto& [words, message] : cases) {
    TempDir dir;
    std::vector<std::string> args = {"exec", "-o", dir.File("out.jsonl"), "--", "touch",
                                     dir.File("{}")};
    args.insert(args.end(), words.begin(), words.end());
    const std::string label = ::testing::PrintToString(words);
    FarmRun run = RunFarm(args);
    EXPECT_EQ(run.exit_code, 2) << label;
    EXPECT_TRUE(SaysOnStderr(run, "farm exec: " + message)) << label << "\n" << run.err;
    EXPECT_TRUE(SaysOnStderr(run, "with -a FILE")) << label << ": says what to do instead";
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << label << ": a file was touched";
  }
}

// A job's result keeps the first max_output_bytes (1 MiB) of its stdout:
// --output stdout printed that much of 1.5 MB as if it were all, and exited 0.
TEST(ExecCommandE2E, OutputCutAtTheLimitIsSaidAndTheJobCountsAsFailed) {
  FarmRun run = RunFarm({"exec", "-k", "--output", "stdout", "--", "sh", "-c",
                         "yes 0123456789 | head -c $1", "sh", "{}", ":::", "1500000", "10"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.out.size(), (1u << 20) + 10);
  EXPECT_TRUE(SaysOnStderr(run, "farm exec: task 1: its stdout was cut at 1048576 bytes, of "
                                "1500000 (farm exec keeps at most max_output_bytes of a job's "
                                "output), so the job counts as failed"))
      << run.err;
  EXPECT_FALSE(SaysOnStderr(run, "task 2:")) << run.err;
  EXPECT_TRUE(SaysOnStderr(run, "farm: 2 tasks, 1 ok, 1 failed")) << run.err;
}

std::vector<std::string> Numbers(int count) {
  std::vector<std::string> numbers;
  for (int i = 1; i <= count; ++i) numbers.push_back(std::to_string(i));
  return numbers;
}

// --output stdout once let every write fail unseen: on /dev/full it ran
// every job and exited 0. Now the run ends as when the JSON output fails:
// exit 3, with the error, and -o's file still has the line of every job
// that ended, the one whose output failed first.
TEST(ExecCommandE2E, JobOutputOnAFullDeviceEndsTheRunWithExitThree) {
  TempDir dir;
  std::string script =
      "\"$0\" exec -j 1 --output stdout -o \"$1\" -- sh -c 'echo $1; sleep 0.05' sh {} :::";
  for (const std::string& n : Numbers(40)) script += " " + n;
  FarmRun run = testing::RunFarmInShell(script + " > /dev/full", {dir.File("out.jsonl")});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_TRUE(SaysOnStderr(run, "farm exec: cannot write the jobs' output to standard output: "
                                "No space left on device"))
      << run.err;
  FarmRun written;
  written.out = testing::ReadFile(dir.File("out.jsonl"));
  auto results = written.results();
  ASSERT_FALSE(results.empty()) << "the line of the job whose output failed was lost";
  EXPECT_EQ(results[0]["id"], 1);
  EXPECT_LT(results.size(), 40u) << "the run went on after the write failed";
}

// `farm exec --output stdout ... | head -1`: once the reader is gone, farm
// stops, silently, as farm run does when the reader of its JSON goes.
TEST(ExecCommandE2E, JobOutputReaderThatGoesAwayEndsTheRunQuietly) {
  TempDir dir;
  std::vector<std::string> args = {"exec", "-j", "2", "--output", "stdout", "-o",
                                   dir.File("out.jsonl"), "--", "sh", "-c",
                                   "echo $1; sleep 0.05", "sh", "{}", ":::"};
  for (const std::string& n : Numbers(100)) args.push_back(n);
  auto child = testing::StartFarm(args);
  char c = 0;
  while (read(child.out_fd, &c, 1) == 1 && c != '\n') {
  }
  close(child.out_fd);
  child.out_fd = -1;
  FarmRun run = testing::FinishFarm(child);
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.err, "");
  FarmRun written;
  written.out = testing::ReadFile(dir.File("out.jsonl"));
  EXPECT_LT(written.lines().size(), 100u) << "the run went on after its reader went";
}

}  // namespace
}  // namespace farm
