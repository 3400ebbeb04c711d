// End-to-end: a worker holds its own two pipe ends and the standard streams,
// nothing else: not its siblings' pipes, not the coordinator's input or output
// file. Read from /proc while a batch of sleeps keeps the workers alive.
#include <dirent.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/run_farm.h"

namespace farm {
namespace {

using testing::FinishFarm;
using testing::StartFarm;
using testing::TempDir;
using testing::WriteFile;

std::vector<pid_t> PidsIn(const std::string& text) {
  std::vector<pid_t> pids;
  std::istringstream stream(text);
  for (pid_t pid; stream >> pid;) pids.push_back(pid);
  return pids;
}

// The children of `parent`: from /proc's children list where the kernel has
// one, else by the parent pid in every /proc/<pid>/stat.
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::string id = std::to_string(parent);
  std::ifstream list("/proc/" + id + "/task/" + id + "/children");
  if (list) return PidsIn(std::string(std::istreambuf_iterator<char>(list), {}));
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = readdir(proc)) {
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string text(std::istreambuf_iterator<char>(stat), {});
    size_t paren = text.rfind(')');  // the command name may hold anything
    if (paren == std::string::npos) continue;
    std::istringstream fields(text.substr(paren + 1));
    std::string state;
    pid_t ppid = 0;
    if (fields >> state >> ppid && ppid == parent) children.push_back(atoi(entry->d_name));
  }
  closedir(proc);
  return children;
}

// fd number -> what it points at, e.g. "pipe:[1234]" or "/dev/null".
std::map<int, std::string> OpenFds(pid_t pid) {
  std::map<int, std::string> fds;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) return fds;
  while (dirent* entry = readdir(listing)) {
    if (entry->d_name[0] == '.') continue;
    char target[4096];
    ssize_t n = readlink((dir + "/" + entry->d_name).c_str(), target, sizeof target);
    fds[atoi(entry->d_name)] = n > 0 ? std::string(target, n) : "?";
  }
  closedir(listing);
  return fds;
}

std::string Describe(const std::map<pid_t, std::map<int, std::string>>& workers) {
  std::string text;
  for (const auto& [pid, fds] : workers) {
    text += "worker " + std::to_string(pid) + ":";
    for (const auto& [fd, target] : fds) text += " " + std::to_string(fd) + "->" + target;
    text += "\n";
  }
  return text;
}

TEST(WorkerFdsE2E, WorkersHoldOnlyTheirOwnPipesAndStandardStreams) {
  constexpr int kWorkers = 3;
  TempDir dir;
  std::string input;
  for (int i = 0; i < kWorkers; ++i) input += "{\"type\":\"sleep\",\"ms\":2500}\n";
  WriteFile(dir.File("tasks.jsonl"), input);
  auto child = StartFarm({"run", "-j", std::to_string(kWorkers), "-o", dir.File("out.jsonl"),
                          dir.File("tasks.jsonl")});

  // Workers set their fds up right after fork: look until every one is done
  // or the sleeps end. A leaked fd would stay for good.
  const std::set<int> wanted = {0, 1, 2, 3, 4};
  std::map<pid_t, std::map<int, std::string>> workers;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(2000);
  bool settled = false;
  while (!settled && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    workers.clear();
    for (pid_t pid : ChildrenOf(child.pid)) workers[pid] = OpenFds(pid);
    settled = workers.size() == kWorkers;
    for (const auto& [pid, fds] : workers) {
      std::set<int> numbers;
      for (const auto& [fd, target] : fds) numbers.insert(fd);
      settled = settled && numbers == wanted;
    }
  }
  ASSERT_TRUE(settled) << "wanted " << kWorkers << " workers with fds 0-4 only, saw:\n"
                       << Describe(workers);

  // Read now, not right after fork: by now the farm has exec'd.
  const std::map<int, std::string> farm_fds = OpenFds(child.pid);
  ASSERT_TRUE(farm_fds.count(2));
  std::set<std::string> pipe_ends;
  for (const auto& [pid, fds] : workers) {
    EXPECT_EQ(fds.at(0), "/dev/null") << "stdin is never the coordinator's input";
    // stdout goes to the coordinator's stderr, so a stray print can't corrupt a result.
    EXPECT_EQ(fds.at(1), farm_fds.at(2));
    EXPECT_EQ(fds.at(2), farm_fds.at(2));
    for (int fd : {3, 4}) {
      EXPECT_EQ(fds.at(fd).rfind("pipe:", 0), 0u) << fds.at(fd);
      EXPECT_TRUE(pipe_ends.insert(fds.at(fd)).second) << fds.at(fd) << " shared by two workers";
    }
  }

  auto run = FinishFarm(child);
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

}  // namespace
}  // namespace farm
