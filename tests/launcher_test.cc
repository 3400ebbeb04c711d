// The launcher that forks an MPI node agent's workers, with real processes:
// a worker it forks serves the wire over the pipes it hands back, its page
// is shared, and its end is reported with its wait status.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/fd.h"
#include "common/wire.h"
#include "coordinator/process_transport.h"
#include "mpi/launched_worker.h"
#include "mpi/launcher.h"
#include "tests/run_farm.h"

namespace farm::mpi {
namespace {

using testing::WaitFor;

std::string SettingsAndTask(uint64_t seq, const std::string& task) {
  std::string messages;
  wire::AppendSettings({.index = 4, .master_seed = 9, .fetch = {}}, &messages);
  wire::AppendTask(seq, 1, task, &messages);
  return messages;
}

// Reads from a blocking fd until a whole line came.
std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

TEST(Launcher, ForkedWorkerServesTheWireOverThePipesItHandsBack) {
  std::unique_ptr<Launcher> launcher;
  ASSERT_TRUE(Launcher::Start(&launcher).ok());
  Launcher::Worker worker;
  ASSERT_TRUE(launcher->Spawn(&worker).ok());
  EXPECT_GT(worker.pid, 0);
  ASSERT_TRUE(WriteAll(worker.to_worker.get(), SettingsAndTask(1, R"({"type":"fib","n":20})")).ok());
  wire::Reply reply;
  std::string line = ReadLine(worker.from_worker.get());
  ASSERT_TRUE(wire::DecodeReply(line, &reply)) << line;
  EXPECT_EQ(reply.seq, 1u);
  EXPECT_NE(line.find("\"worker\":4"), std::string::npos) << line;

  worker.to_worker.reset();  // end of input: it exits cleanly
  int status = -1;
  ASSERT_TRUE(launcher->WaitEnded(worker.id, 10'000, &status));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(Launcher, RunningTaskIsSeenThroughTheSharedPageAndAKillIsReported) {
  std::unique_ptr<Launcher> launcher;
  ASSERT_TRUE(Launcher::Start(&launcher).ok());
  Launcher::Worker worker;
  ASSERT_TRUE(launcher->Spawn(&worker).ok());
  ASSERT_TRUE(
      WriteAll(worker.to_worker.get(), SettingsAndTask(17, R"({"type":"sleep","ms":60000})")).ok());
  EXPECT_TRUE(WaitFor([&] { return worker.running->seq.load() == 17; }));
  ASSERT_TRUE(launcher->Signal(worker.id, SIGKILL).ok());
  int status = -1;
  ASSERT_TRUE(launcher->WaitEnded(worker.id, 10'000, &status));
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
}

TEST(Launcher, ClosingTheLauncherKillsItsWorkers) {
  std::unique_ptr<Launcher> launcher;
  ASSERT_TRUE(Launcher::Start(&launcher).ok());
  Launcher::Worker worker;
  ASSERT_TRUE(launcher->Spawn(&worker).ok());
  ASSERT_TRUE(
      WriteAll(worker.to_worker.get(), SettingsAndTask(1, R"({"type":"sleep","ms":60000})")).ok());
  ASSERT_TRUE(WaitFor([&] { return worker.running->seq.load() == 1; }));
  launcher.reset();
  // Its pipe ends: the worker is gone (a zombie at most, for its new parent).
  EXPECT_EQ(ReadLine(worker.from_worker.get()), "");
  EXPECT_TRUE(WaitFor([&] {
    char state = testing::ProcessState(worker.pid);
    return state == 0 || state == 'Z';
  }));
}

// The test hook of mpi/launcher.h stands in for RLIMIT_NPROC: a fork that
// keeps failing is given up after a few tries, and the launcher serves on.
TEST(Launcher, AForkThatKeepsFailingIsReportedAndTheLauncherServesOn) {
  setenv(kForkLimitVariable, "1", 1);
  std::unique_ptr<Launcher> launcher;
  Status started = Launcher::Start(&launcher);
  unsetenv(kForkLimitVariable);  // read by the launcher as it started
  ASSERT_TRUE(started.ok());
  Launcher::Worker first, second, third;
  ASSERT_TRUE(launcher->Spawn(&first).ok());
  Status failed = launcher->Spawn(&second);
  EXPECT_EQ(failed.message(), "launching a worker: Resource temporarily unavailable");
  EXPECT_FALSE(launcher->Spawn(&third).ok());  // answered, not hung
  ASSERT_TRUE(WriteAll(first.to_worker.get(), SettingsAndTask(1, R"({"type":"fib","n":9})")).ok());
  wire::Reply reply;
  ASSERT_TRUE(wire::DecodeReply(ReadLine(first.from_worker.get()), &reply));
  EXPECT_EQ(reply.seq, 1u);
}

// Records what a transport reports.
class Recorder : public TransportEvents {
 public:
  void OnMessage(int, std::string_view line) override { lines.emplace_back(line); }
  void OnEnded(int, const std::string& how) override { ended = how; }
  std::vector<std::string> lines;
  std::string ended;
};

// A node agent's ProcessTransport over launched workers: a worker killed in
// a task is reported ended, and the task it died in is still named after.
TEST(Launcher, ProcessTransportOverLaunchedWorkersNamesTheTaskAWorkerDiedIn) {
  std::unique_ptr<Launcher> launcher;
  ASSERT_TRUE(Launcher::Start(&launcher).ok());
  ProcessTransport transport(1, [&](std::unique_ptr<WorkerProcess>* worker) {
    return LaunchedWorker::Spawn(*launcher, worker);
  });
  ASSERT_TRUE(transport.Start(0).ok());
  std::string messages = SettingsAndTask(1, R"({"type":"fib","n":10})");
  wire::AppendTask(2, 1, R"({"type":"sleep","ms":60000})", &messages);
  transport.Send(0, &messages);
  Recorder events;
  uint64_t seq = 0;
  Clock::time_point since;
  bool unused;
  ASSERT_TRUE(WaitFor([&] {
    transport.Wait({.until = Clock::now() + std::chrono::milliseconds(10)}, events, &unused);
    return transport.Running(0, &seq, &since) && seq == 2;
  }));
  std::vector<pid_t> workers = testing::DescendantsNamed(getpid(), "farm-worker");
  ASSERT_EQ(workers.size(), 1u);
  kill(workers[0], SIGKILL);
  ASSERT_TRUE(WaitFor([&] {
    transport.Wait({.until = Clock::now() + std::chrono::milliseconds(10)}, events, &unused);
    return !events.ended.empty();
  }));
  EXPECT_EQ(events.ended, "killed by signal 9 (Killed)");
  // Task 1's reply may have died in the worker's buffer: the order of
  // replies can't say which task it died in; its page can, after its end.
  ASSERT_TRUE(transport.Running(0, &seq, &since));
  EXPECT_EQ(seq, 2u);
  EXPECT_LE(since, Clock::now());
}

}  // namespace
}  // namespace farm::mpi
