#include "tests/run_farm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace farm::testing {

std::vector<std::string> FarmRun::lines() const {
  std::vector<std::string> result;
  std::istringstream stream(out);
  for (std::string line; std::getline(stream, line);) result.push_back(line);
  return result;
}

std::vector<nlohmann::json> FarmRun::results() const {
  std::vector<nlohmann::json> result;
  for (const std::string& line : lines()) result.push_back(nlohmann::json::parse(line));
  return result;
}

namespace {

// Forks and execs `command` (the program's path first) with `stdin_fd` as
// its standard input.
FarmChild SpawnProgram(const std::vector<std::string>& command, int stdin_fd) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::vector<char*> argv;
  std::vector<std::string> copies = command;
  for (std::string& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (dup2(stdin_fd, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) _exit(126);
    signal(SIGPIPE, SIG_DFL);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  FarmChild child;
  child.pid = pid;
  child.out_fd = out[0];
  child.err_fd = err[0];
  return child;
}

// Forks and execs `binary` (farm unless said) with `stdin_fd` as its
// standard input.
FarmChild Spawn(const std::vector<std::string>& args, int stdin_fd,
                const std::string& binary = FARM_BINARY) {
  std::vector<std::string> command = {binary};
  command.insert(command.end(), args.begin(), args.end());
  return SpawnProgram(command, stdin_fd);
}

}  // namespace

FarmChild StartProgram(const std::vector<std::string>& command, const std::string& stdin_path) {
  int in = open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw std::runtime_error("open " + stdin_path);
  FarmChild child = SpawnProgram(command, in);
  close(in);
  return child;
}

FarmChild StartFarm(const std::vector<std::string>& args, const std::string& stdin_path) {
  int in = open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw std::runtime_error("open " + stdin_path);
  FarmChild child = Spawn(args, in);
  close(in);
  return child;
}

FarmRun FinishFarm(FarmChild child) {
  FarmRun run;
  // Standard output, standard error, and the input still to write, if any.
  pollfd fds[3] = {
      {child.out_fd, POLLIN, 0}, {child.err_fd, POLLIN, 0}, {child.in_fd, POLLOUT, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  size_t written = 0;
  char buffer[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (poll(fds, 3, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0) {
      ssize_t n = write(fds[2].fd, child.input.data() + written, child.input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 || written == child.input.size()) {  // done, or farm stopped reading
        close(fds[2].fd);
        fds[2].fd = -1;
      }
    }
  }
  if (fds[2].fd >= 0) close(fds[2].fd);
  int status = 0;
  rusage usage{};
  while (wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  run.max_rss_kb = usage.ru_maxrss;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

FarmRun RunFarmPiped(const std::vector<std::string>& args, const std::string& input) {
  signal(SIGPIPE, SIG_IGN);  // if farm stops reading, the write fails instead
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  FarmChild child = Spawn(args, in[0]);
  close(in[0]);
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  child.in_fd = in[1];
  child.input = input;
  return FinishFarm(std::move(child));
}

FarmChild StartFarmInShell(const std::string& script, const std::vector<std::string>& args) {
  std::vector<std::string> sh_args = {"-c", script, FARM_BINARY};
  sh_args.insert(sh_args.end(), args.begin(), args.end());
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0) throw std::runtime_error("open /dev/null");
  FarmChild child = Spawn(sh_args, in, "/bin/sh");
  close(in);
  return child;
}

FarmRun RunFarmInShell(const std::string& script, const std::vector<std::string>& args) {
  return FinishFarm(StartFarmInShell(script, args));
}

FarmRun RunFarm(const std::vector<std::string>& args, const std::string& input) {
  TempDir dir;
  std::string stdin_path = dir.File("stdin");
  WriteFile(stdin_path, input);
  return FinishFarm(StartFarm(args, stdin_path));
}

namespace {

// Fields of /proc/PID/stat: (comm) state ppid.
bool ReadStat(pid_t pid, std::string* comm, char* state, pid_t* ppid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return false;
  size_t open = text.find('('), close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  *comm = text.substr(open + 1, close - open - 1);
  std::istringstream rest(text.substr(close + 1));
  rest >> *state >> *ppid;
  return static_cast<bool>(rest);
}

// Every process alive (not a zombie): pid, parent and name.
struct LiveProcess {
  pid_t pid, ppid;
  std::string comm;
};
std::vector<LiveProcess> LiveProcesses() {
  std::vector<LiveProcess> processes;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    LiveProcess process{.pid = std::stoi(name), .ppid = 0, .comm = ""};
    char state;
    if (ReadStat(process.pid, &process.comm, &state, &process.ppid) && state != 'Z')
      processes.push_back(std::move(process));
  }
  return processes;
}

}  // namespace

std::vector<pid_t> WorkerPids(pid_t parent) {
  std::vector<pid_t> pids;
  for (const LiveProcess& p : LiveProcesses())
    if (p.ppid == parent && p.comm.rfind("farm-worker", 0) == 0) pids.push_back(p.pid);
  return pids;
}

std::vector<pid_t> DescendantsNamed(pid_t root, const std::string& prefix) {
  std::map<pid_t, std::vector<const LiveProcess*>> children;
  const std::vector<LiveProcess> processes = LiveProcesses();
  for (const LiveProcess& p : processes) children[p.ppid].push_back(&p);
  std::vector<pid_t> found, pending = {root};
  while (!pending.empty()) {
    pid_t pid = pending.back();
    pending.pop_back();
    for (const LiveProcess* child : children[pid]) {
      if (child->comm.rfind(prefix, 0) == 0) found.push_back(child->pid);
      pending.push_back(child->pid);
    }
  }
  return found;
}

char ProcessState(pid_t pid) {
  std::string comm;
  char state;
  pid_t ppid;
  return ReadStat(pid, &comm, &state, &ppid) ? state : 0;
}

bool WaitFor(const std::function<bool()>& condition, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "farm-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace farm::testing
