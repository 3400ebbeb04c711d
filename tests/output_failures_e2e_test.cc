// End-to-end: when the results cannot be written. A full disk or a failing
// device ends the run with exit 3, naming the file and the error, and the
// summary counts what was written; a reader that goes away (`| head -1`)
// ends it silently; a reader that does not read leaves Ctrl-C working.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FarmRun;
using testing::ReadFile;
using testing::RunFarm;
using testing::RunFarmInShell;
using testing::TempDir;
using testing::WriteFile;

std::string Lines(int count, const std::string& line) {
  std::string text;
  for (int i = 0; i < count; ++i) text += line + "\n";
  return text;
}

bool Mentions(const FarmRun& run, const std::string& text) {
  return run.err.find(text) != std::string::npos;
}

TEST(OutputFailures, FullDeviceIsExitThreeWithTheErrorAndNothingCountedAsWritten) {
  auto run = RunFarm({"run", "-j", "2", "-o", "/dev/full"}, Lines(3, R"({"type":"fib","n":10})"));
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_TRUE(Mentions(run, "cannot write results to '/dev/full': No space left on device"))
      << run.err;
  EXPECT_TRUE(Mentions(run, "farm: 0 tasks, 0 ok, 0 failed")) << run.err;
  EXPECT_TRUE(Mentions(run, "could not be written")) << run.err;
}

TEST(OutputFailures, StandardOutputOnAFullDeviceInEveryMode) {
  for (const std::string mode : {"process", "thread", "sequential"}) {
    auto run = RunFarmInShell("printf '%s\\n' '{\"type\":\"sleep\",\"ms\":0}' | \"$0\" run "
                              "--mode \"$1\" > /dev/full",
                              {mode});
    EXPECT_EQ(run.exit_code, 3) << mode << ": " << run.err;
    EXPECT_TRUE(Mentions(run, "cannot write results to standard output: No space left on device"))
        << mode << ": " << run.err;
  }
}

// With -k, lines wait for the ones before them. When the reader goes while
// some wait behind a task the run then abandons, they are counted as not
// written: every result farm received is written or counted.
TEST(OutputFailures, HeldLinesOfAKeptOrderAreCountedWhenTheReaderGoes) {
  TempDir dir;
  std::string input = R"({"type":"sleep","ms":1})" "\n" R"({"type":"sleep","ms":1000})" "\n"
                      R"({"type":"sleep","ms":1})" "\n" R"({"type":"sleep","ms":3000})" "\n";
  input += Lines(20, R"({"type":"sleep","ms":5})");
  WriteFile(dir.File("in.jsonl"), input);
  auto run = RunFarmInShell(
      "\"$0\" run -j 3 -k --summary-json \"$1\" \"$2\" | "
      "(head -1 > /dev/null; sleep 0.5)",
      {dir.File("summary.json"), dir.File("in.jsonl")});
  nlohmann::json summary = nlohmann::json::parse(ReadFile(dir.File("summary.json")));
  uint64_t received = 0;
  for (uint64_t n : summary["tasks_per_worker"]) received += n;
  EXPECT_GT(received, 3u) << summary;
  EXPECT_EQ(summary["tasks"].get<uint64_t>() + summary["unwritten"].get<uint64_t>(), received)
      << summary;
}

TEST(OutputFailures, UnwritableSummaryIsExitThreeWithTheError) {
  TempDir dir;
  auto run = RunFarm({"run", "-o", dir.File("r.out"), "--summary-json", "/dev/full"},
                     R"({"type":"fib","n":10})");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_TRUE(Mentions(run, "'/dev/full'")) << run.err;
  EXPECT_TRUE(Mentions(run, "No space left on device")) << run.err;
  EXPECT_NE(ReadFile(dir.File("r.out")).find("\"ok\":true"), std::string::npos);
}

TEST(OutputFailures, GenOnAFullDeviceSaysSo) {
  auto run = RunFarmInShell("\"$0\" gen fib --count 100000 > /dev/full");
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_TRUE(Mentions(run, "No space left on device")) << run.err;
}

// `farm run | head -1`: the reader takes one line and goes. farm ends
// without a word, as other tools do, and leaves no worker behind; within a
// minute, or the test fails.
void ExpectEndsQuietlyWhenTheReaderGoes(const std::string& mode, const std::string& tasks) {
  auto child = testing::StartFarm({"run", "-j", "2", "--mode", mode}, tasks);
  char c = 0;
  while (read(child.out_fd, &c, 1) == 1 && c != '\n') {
  }
  close(child.out_fd);
  child.out_fd = -1;
  bool ended = testing::WaitFor([&] { return testing::ProcessState(child.pid) == 'Z'; }, 60);
  if (!ended) kill(child.pid, SIGKILL);
  auto run = testing::FinishFarm(child);
  EXPECT_TRUE(ended) << mode << ": still running a minute after its reader went";
  EXPECT_EQ(run.exit_code, 3) << mode << ": " << run.err;
  EXPECT_EQ(run.err, "") << mode;
  EXPECT_TRUE(testing::WorkerPids(child.pid).empty()) << mode;
}

TEST(OutputFailures, ReaderThatGoesAwayEndsTheRunQuietly) {
  TempDir dir;
  WriteFile(dir.File("t.jsonl"), Lines(200000, R"({"type":"fib","n":30})"));
  for (const std::string mode : {"process", "thread", "sequential"})
    ExpectEndsQuietlyWhenTheReaderGoes(mode, dir.File("t.jsonl"));
}

// The run stops at once and abandons its worker threads, which finish the
// batch they hold while the process exits: they once read the task table
// after exit had destroyed it (under AddressSanitizer a use after free, whose
// report then deadlocked with LeakSanitizer's check at exit). A race, so
// run a few times.
TEST(OutputFailures, WorkerThreadsAbandonedAsTheReaderGoesOutliveNothingTheyUse) {
  TempDir dir;
  WriteFile(dir.File("t.jsonl"), Lines(200000, R"({"type":"fib","n":30})"));
  for (int i = 0; i < 10; ++i) ExpectEndsQuietlyWhenTheReaderGoes("thread", dir.File("t.jsonl"));
}

// Results go to a pipe nobody reads: farm blocks writing them. Ctrl-C must
// still reach it: the first lets the tasks in flight finish, the second
// gives up on the reader, and farm exits 130. With `2>&1` its messages go
// to that pipe too.
// Gives back what went to $3, a file the command may write.
std::string ExpectStopsWithAReaderThatDoesNotRead(
    const std::string& mode, int signal_number, bool stderr_too = false,
    const std::string& command = "run -j 2 --mode \"$1\" \"$2\"") {
  TempDir dir;
  WriteFile(dir.File("t.jsonl"), Lines(200000, R"({"type":"fib","n":1000})"));
  auto child = testing::StartFarmInShell("exec \"$0\" " + command + (stderr_too ? " 2>&1" : ""),
                                         {mode, dir.File("t.jsonl"), dir.File("out")});
  // Enough results to fill the pipe come within a fraction of a second; a
  // farm that is not blocked yet is stopped all the same.
  usleep(500'000);
  int status = 0;
  bool ended = false;
  for (int sent = 0; sent < 2 && !ended; ++sent) {
    kill(child.pid, signal_number);
    ended = testing::WaitFor([&] { return waitpid(child.pid, &status, WNOHANG) == child.pid; }, 2);
  }
  if (!ended)
    ended = testing::WaitFor([&] { return waitpid(child.pid, &status, WNOHANG) == child.pid; }, 20);
  if (!ended) {
    kill(child.pid, SIGKILL);
    waitpid(child.pid, &status, 0);
  }
  EXPECT_TRUE(ended) << mode << ": deaf to signal " << signal_number << " while blocked on output";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << mode << ": status " << status;
  close(child.out_fd);
  close(child.err_fd);
  return ReadFile(dir.File("out"));
}

TEST(OutputFailures, CtrlCWorksWhenNobodyReadsTheOutputProcessMode) {
  ExpectStopsWithAReaderThatDoesNotRead("process", SIGINT);
}

TEST(OutputFailures, CtrlCWorksWhenNobodyReadsTheOutputThreadMode) {
  ExpectStopsWithAReaderThatDoesNotRead("thread", SIGINT);
}

TEST(OutputFailures, CtrlCWorksWhenNobodyReadsTheOutputSequentialMode) {
  ExpectStopsWithAReaderThatDoesNotRead("sequential", SIGINT);
}

TEST(OutputFailures, SigtermWorksWhenNobodyReadsTheOutput) {
  ExpectStopsWithAReaderThatDoesNotRead("process", SIGTERM);
}

// farm exec --output stdout writes each job's output itself: 1.3 MB a job.
// Given up, it still leaves the result lines of the jobs that ended.
TEST(OutputFailures, CtrlCWorksWhenNobodyReadsTheJobsOutput) {
  const std::string results = ExpectStopsWithAReaderThatDoesNotRead(
      "process", SIGINT, false,
      "exec -j 2 --output stdout -o \"$3\" -a \"$2\" -- sh -c 'seq 1 200000' sh");
  EXPECT_NE(results.find("\"exit_code\":0"), std::string::npos) << results.substr(0, 300);
}

TEST(OutputFailures, CtrlCWorksWhenNobodyReadsTheOutputNorItsMessages) {
  for (const std::string mode : {"process", "thread", "sequential"})
    ExpectStopsWithAReaderThatDoesNotRead(mode, SIGINT, /*stderr_too=*/true);
}

// An output FIFO waits for its reader in open(): Ctrl-C works there too.
TEST(OutputFailures, CtrlCWorksWhileWaitingForTheReaderOfAFifo) {
  TempDir dir;
  ASSERT_EQ(mkfifo(dir.File("fifo").c_str(), 0600), 0);
  WriteFile(dir.File("t.jsonl"), R"({"type":"fib","n":10})");
  auto child = testing::StartFarm({"run", dir.File("t.jsonl"), "-o", dir.File("fifo")});
  usleep(300'000);
  kill(child.pid, SIGINT);
  bool ended = testing::WaitFor([&] { return testing::ProcessState(child.pid) == 'Z'; }, 20);
  if (!ended) kill(child.pid, SIGKILL);
  auto run = testing::FinishFarm(child);
  EXPECT_TRUE(ended);
  EXPECT_EQ(run.exit_code, 130) << run.err;
}

}  // namespace
}  // namespace farm
