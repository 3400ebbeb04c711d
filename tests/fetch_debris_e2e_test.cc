// End-to-end: a download cut short leaves no file in --out-dir, whoever dies
// — the worker (task timeout, kill -9), the threads (a second Ctrl-C), or the
// coordinator itself (SIGKILL). A real HTTP server on 127.0.0.1 sends half a
// body and stalls, so each kill lands mid-transfer.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/http_test_server.h"
#include "tests/run_farm.h"

namespace farm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FarmChild;
using testing::FinishFarm;
using testing::HttpTestServer;
using testing::StartFarm;
using testing::TempDir;
using testing::WaitFor;

class FetchDebrisE2E : public ::testing::Test {
 protected:
  std::string out_dir() const { return dir_.File("downloads"); }

  // Starts farm on one fetch of a body that stalls halfway.
  FarmChild Start(std::vector<std::string> args) {
    std::string tasks = dir_.File("tasks.jsonl");
    testing::WriteFile(
        tasks, json{{"type", "fetch"}, {"url", server_.Url("/stall/400000/s")}}.dump() + "\n");
    args.insert(args.begin(), {"run", "-j", "1", "--retries", "0", "--out-dir", out_dir()});
    return StartFarm(args, tasks);
  }

  // Whether `pid` holds a file under --out-dir with part of the body in it.
  bool HoldsPartialBody(pid_t pid) const {
    std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(fds, error)) {
      std::string target = fs::read_symlink(entry.path(), error).string();
      struct stat st;
      if (target.starts_with(out_dir() + "/") && stat(entry.path().c_str(), &st) == 0 &&
          st.st_size > 0)
        return true;
    }
    return false;
  }

  // Waits until the worker process (or, in thread mode, farm) is mid-body.
  pid_t WaitForPartialBody(pid_t farm, bool threads = false) {
    pid_t holder = -1;
    EXPECT_TRUE(WaitFor([&] {
      std::vector<pid_t> candidates =
          threads ? std::vector<pid_t>{farm} : testing::WorkerPids(farm);
      for (pid_t pid : candidates)
        if (HoldsPartialBody(pid)) return holder = pid, true;
      return false;
    })) << "no transfer got under way";
    return holder;
  }

  // Every entry in --out-dir, hidden ones included.
  std::vector<std::string> Debris() const {
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(out_dir(), error))
      names.push_back(entry.path().filename());
    return names;
  }

  HttpTestServer server_;
  TempDir dir_;
};

TEST_F(FetchDebrisE2E, TaskTimeoutMidTransferLeavesNoFile) {
  FarmChild child = Start({"--task-timeout", "1"});
  WaitForPartialBody(child.pid);
  auto run = FinishFarm(child);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  ASSERT_EQ(run.results().size(), 1u);
  EXPECT_EQ(run.results()[0]["error"]["code"], "timeout");
  EXPECT_EQ(Debris(), std::vector<std::string>{});
}

TEST_F(FetchDebrisE2E, WorkerKilledMidTransferLeavesNoFile) {
  FarmChild child = Start({});
  pid_t worker = WaitForPartialBody(child.pid);
  ASSERT_GT(worker, 0);
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  auto run = FinishFarm(child);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  ASSERT_EQ(run.results().size(), 1u);
  EXPECT_EQ(run.results()[0]["error"]["code"], "worker_died");
  EXPECT_EQ(Debris(), std::vector<std::string>{});
}

TEST_F(FetchDebrisE2E, SecondCtrlCMidTransferLeavesNoFile) {
  for (const char* mode : {"process", "thread"}) {
    SCOPED_TRACE(mode);
    FarmChild child = Start({"--mode", mode});
    WaitForPartialBody(child.pid, std::string(mode) == "thread");
    kill(child.pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(child.pid, SIGINT);
    auto run = FinishFarm(child);
    EXPECT_EQ(run.exit_code, 130) << run.err;
    EXPECT_EQ(Debris(), std::vector<std::string>{});
  }
}

TEST_F(FetchDebrisE2E, CoordinatorKilledMidTransferLeavesNoFile) {
  FarmChild child = Start({});
  pid_t worker = WaitForPartialBody(child.pid);
  ASSERT_GT(worker, 0);
  ASSERT_EQ(kill(child.pid, SIGKILL), 0);
  FinishFarm(child);
  // The worker dies with its coordinator; its file dies with it.
  EXPECT_TRUE(WaitFor([&] {
    char state = testing::ProcessState(worker);
    return state == 0 || state == 'Z';
  }));
  EXPECT_EQ(Debris(), std::vector<std::string>{});
}

}  // namespace
}  // namespace farm
