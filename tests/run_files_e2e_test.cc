// End-to-end: what `farm run` promises about the files it reads and writes.
// No file written is a file read, or another file written (by device and
// inode, not by name); a run refused (exit 2) leaves every file as it was;
// no path flag takes an empty path.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FarmRun;
using testing::ReadFile;
using testing::RunFarm;
using testing::RunFarmInShell;
using testing::TempDir;
using testing::WriteFile;

const std::string kTasks = "{\"type\":\"fib\",\"n\":10}\n{\"type\":\"fib\",\"n\":20}\n";

std::set<std::string> Listing(const TempDir& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.insert(entry.path().filename().string());
  return names;
}

bool Mentions(const FarmRun& run, const std::string& text) {
  return run.err.find(text) != std::string::npos;
}

TEST(RunFiles, OutputThatIsTheInputIsRefusedAndTheInputKept) {
  TempDir dir;
  const std::string tasks = dir.File("a.jsonl");
  WriteFile(tasks, kTasks);
  auto run = RunFarm({"run", tasks, "-o", tasks});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Mentions(run, "--output '" + tasks + "' is the same file as the input '" + tasks))
      << run.err;
  EXPECT_EQ(ReadFile(tasks), kTasks);
}

// The same file under another name: a hard link, a symlink, "./".
TEST(RunFiles, SameFileIsFoundByInodeNotByName) {
  TempDir dir;
  const std::string tasks = dir.File("a.jsonl");
  WriteFile(tasks, kTasks);
  ASSERT_EQ(link(tasks.c_str(), dir.File("hard").c_str()), 0);
  ASSERT_EQ(symlink(tasks.c_str(), dir.File("soft").c_str()), 0);
  for (const std::string& output :
       {dir.File("hard"), dir.File("soft"), dir.path() + "/./a.jsonl"}) {
    auto run = RunFarm({"run", tasks, "-o", output});
    EXPECT_EQ(run.exit_code, 2) << output << ": " << run.err;
    EXPECT_EQ(ReadFile(tasks), kTasks) << output;
  }
}

// With --resume the old farm read its own results back as tasks, appended
// their failures and read those again, until the disk was full. The file
// size limit only bounds that loop, were it to come back.
TEST(RunFiles, ResumeIntoTheInputIsRefusedInsteadOfLooping) {
  TempDir dir;
  const std::string tasks = dir.File("a.jsonl");
  WriteFile(tasks, kTasks);
  auto run = RunFarmInShell("ulimit -f 2048; exec \"$0\" run --resume \"$1\" -o \"$1\"", {tasks});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Mentions(run, "is the same file as the input")) << run.err;
  EXPECT_EQ(ReadFile(tasks), kTasks);
}

TEST(RunFiles, OutputThatIsTheUrlListIsRefused) {
  TempDir dir;
  const std::string urls = dir.File("urls.txt");
  WriteFile(urls, "http://127.0.0.1:1/a\n");
  auto run = RunFarm({"run", "--urls", urls, "--summary-json", urls});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Mentions(run, "--summary-json '" + urls + "' is the same file as --urls '" + urls))
      << run.err;
  EXPECT_EQ(ReadFile(urls), "http://127.0.0.1:1/a\n");
}

// `farm run a.jsonl > a.jsonl` is emptied by the shell before farm starts;
// appending to the file standard input reads is what farm can see, and
// refuse, as for any other pair.
TEST(RunFiles, StandardOutputAppendedToStandardInputIsRefused) {
  TempDir dir;
  const std::string tasks = dir.File("a.jsonl");
  WriteFile(tasks, kTasks);
  auto run = RunFarmInShell("\"$0\" run < \"$1\" >> \"$1\"", {tasks});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Mentions(run, "standard output is the same file as standard input")) << run.err;
  EXPECT_EQ(ReadFile(tasks), kTasks);

  run = RunFarmInShell("\"$0\" run \"$1\" >> \"$1\"", {tasks});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(ReadFile(tasks), kTasks);
}

TEST(RunFiles, TwoOutputsThatAreOneFileAreRefusedBeforeEitherExists) {
  TempDir dir;
  auto run = RunFarm({"run", "-o", dir.File("r.out"), "--summary-json", dir.path() + "/./r.out"},
                     kTasks);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Mentions(run, "are the same file")) << run.err;
  EXPECT_TRUE(Listing(dir).empty());
}

// Only regular files and FIFOs count: /dev/null may be read and written twice.
TEST(RunFiles, DevicesMayBeBothReadAndWritten) {
  auto run = RunFarmInShell(
      "\"$0\" run -o /dev/null --summary-json /dev/null < /dev/null && "
      "\"$0\" run < /dev/null > /dev/null");
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

// Every check comes before any file is created or truncated.
TEST(RunFiles, RefusedRunLeavesEveryFileAsItWas) {
  TempDir dir;
  const std::string tasks = dir.File("t.jsonl"), output = dir.File("r.out");
  WriteFile(tasks, kTasks);
  const std::vector<std::vector<std::string>> refused = {
      {"--summary-json", "/nonexistent/s.json"},
      {"--summary-json", dir.path()},
      {"--summary-json", dir.File("no/such/folder/s.json")},
      {"--summary-json", tasks},
      {"--memory-limit", "1"},
      {"--retries", "lots"},
      {"--out-dir", ""},
      {"--urls", dir.File("missing.txt")},
  };
  for (const auto& extra : refused) {
    WriteFile(output, "old\n");
    std::set<std::string> before = Listing(dir);
    std::vector<std::string> args = {"run", tasks, "-o", output};
    args.insert(args.end(), extra.begin(), extra.end());
    if (extra[0] == "--urls") args.erase(args.begin() + 1);
    auto run = RunFarm(args);
    EXPECT_EQ(run.exit_code, 2) << extra[0] << " " << extra[1] << ": " << run.err;
    EXPECT_EQ(ReadFile(output), "old\n") << extra[0] << " " << extra[1];
    EXPECT_EQ(Listing(dir), before) << extra[0] << " " << extra[1];
  }
}

// Runs farm, killing it if it has not ended after `seconds`: for what used
// to block forever. *ended says whether it ended on its own.
FarmRun RunBounded(const std::vector<std::string>& args, double seconds, bool* ended) {
  auto child = testing::StartFarm(args);
  *ended = testing::WaitFor([&] { return testing::ProcessState(child.pid) == 'Z'; }, seconds);
  if (!*ended) kill(child.pid, SIGKILL);
  return testing::FinishFarm(child);
}

// --resume reads the output back: a FIFO or a pipe would block forever on
// farm's own write end.
TEST(RunFiles, ResumeIntoAFifoOrPipeIsRefused) {
  TempDir dir;
  const std::string fifo = dir.File("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& output : {fifo, std::string("/dev/stdout")}) {  // stdout: a pipe
    bool ended;
    auto run = RunBounded({"run", "--resume", "-o", output}, 20, &ended);
    EXPECT_TRUE(ended) << output << ": farm blocked reading its own output";
    EXPECT_EQ(run.exit_code, 2) << output << ": " << run.err;
    EXPECT_TRUE(Mentions(run, "--resume needs --output to be a regular file")) << run.err;
  }
}

// Started with stdin or stdout closed (`>&-`), farm's own files took fds 0
// and 1: farm exec's arguments file was both its input and its jobs'
// output (hundreds of results from 3 arguments), and farm run's input was
// "the same file as standard output". Closed, they are /dev/null instead.
TEST(RunFiles, ClosedStandardStreamsAreNotTakenByFarmsOwnFiles) {
  TempDir dir;
  WriteFile(dir.File("t.jsonl"), kTasks);
  for (const std::string closed : {">&-", ">&- <&-"}) {
    auto exec = RunFarmInShell("\"$0\" exec -o \"$1\" -- echo ::: 1 2 3 " + closed,
                               {dir.File("x")});
    EXPECT_EQ(exec.exit_code, 0) << closed << ": " << exec.err;
    FarmRun written;
    written.out = ReadFile(dir.File("x"));
    std::multiset<int> ids;
    for (const auto& result : written.results()) ids.insert(result["id"].get<int>());
    EXPECT_EQ(ids, (std::multiset<int>{1, 2, 3})) << closed << ": " << written.out.substr(0, 500);

    auto run = RunFarmInShell("\"$0\" run \"$1\" -o \"$2\" " + closed,
                              {dir.File("t.jsonl"), dir.File("out")});
    EXPECT_EQ(run.exit_code, 0) << closed << ": " << run.err;
    EXPECT_TRUE(Mentions(run, "farm: 2 tasks, 2 ok")) << closed << ": " << run.err;
    EXPECT_EQ(ReadFile(dir.File("t.jsonl")), kTasks);
  }
}

// What is meant for a closed stream would go nowhere, or come from nothing:
// refused before anything runs, nothing touched.
TEST(RunFiles, ResultsForAClosedStreamAreRefused) {
  TempDir dir;
  WriteFile(dir.File("t.jsonl"), kTasks);
  auto run = RunFarmInShell("\"$0\" run \"$1\" >&-", {dir.File("t.jsonl")});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(Mentions(run, "standard output is closed: give -o FILE")) << run.err;
  auto jobs = RunFarmInShell("\"$0\" exec --output stdout -o \"$1\" -- echo ::: 1 >&-",
                             {dir.File("x")});
  EXPECT_EQ(jobs.exit_code, 2) << jobs.err;
  EXPECT_TRUE(Mentions(jobs, "standard output is closed")) << jobs.err;
  auto tasks = RunFarmInShell("\"$0\" run -o \"$1\" <&-", {dir.File("out")});
  EXPECT_EQ(tasks.exit_code, 2) << tasks.err;
  EXPECT_TRUE(Mentions(tasks, "standard input is closed")) << tasks.err;
  EXPECT_EQ(Listing(dir), (std::set<std::string>{"t.jsonl"}));
}

TEST(RunFiles, EmptyPathIsRefusedForEveryPathFlag) {
  for (const std::string flag : {"-o", "--output", "--urls", "--out-dir", "--summary-json"}) {
    auto run = RunFarm({"run", flag, ""}, kTasks);
    EXPECT_EQ(run.exit_code, 2) << flag << ": " << run.err;
    EXPECT_TRUE(Mentions(run, "expected a path, got ''")) << flag << ": " << run.err;
    EXPECT_TRUE(run.out.empty()) << flag;
  }
  auto run = RunFarm({"run", ""}, kTasks);
  EXPECT_EQ(run.exit_code, 2) << run.err;
}

}  // namespace
}  // namespace farm
