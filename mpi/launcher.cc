#include "mpi/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "worker/worker_process_main.h"

namespace farm::mpi {
namespace {

// The launcher's socket once it runs; fds above it are closed.
constexpr int kLauncherSocket = 3;
// How long a Spawn() waits for the launcher's answer.
constexpr int kSpawnTimeoutMs = 10'000;
// A fork that fails is tried this many times, pausing 10, 20, 40 ms between.
constexpr int kForkTries = 4;
constexpr int kFirstForkPauseMs = 10;

enum Op : uint32_t { kSpawn = 1, kSignal = 2, kSpawned = 3, kEnded = 4 };

// Owner -> launcher.
struct Request {
  uint32_t op = 0;
  uint32_t id = 0;
  int32_t signal = 0;
};

// Launcher -> owner. kSpawned carries three fds on success: the write end of
// the task pipe, the read end of the reply pipe, the running-task memfd.
struct Notice {
  uint32_t op = 0;
  uint32_t id = 0;
  int32_t value = 0;  // kSpawned: 0 or an errno; kEnded: the wait status
  int32_t pid = -1;
};

Status SendNotice(int socket, const Notice& notice, const int* fds, int nfds) {
  iovec iov = {const_cast<Notice*>(&notice), sizeof notice};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(int))];
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
  }
  while (sendmsg(socket, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return Status::FromErrno("sendmsg", errno);
  }
  return Status::Ok();
}

// The test hook (launcher.h): how many more workers may be forked; -1 for
// no limit.
long forks_left = -1;

pid_t Fork() {
  if (forks_left == 0) return errno = EAGAIN, -1;
  pid_t pid = fork();
  if (pid > 0 && forks_left > 0) --forks_left;
  return pid;
}

// fork() fails with EAGAIN at a limit on processes (RLIMIT_NPROC, a cgroup's
// pids.max), or ENOMEM, which may pass as other processes end: a few tries,
// some tens of milliseconds in all, then the failure is the owner's to report.
pid_t ForkWithRetries() {
  for (int tries = 1, pause_ms = kFirstForkPauseMs;; ++tries, pause_ms *= 2) {
    pid_t pid = Fork();
    if (pid >= 0 || (errno != EAGAIN && errno != ENOMEM) || tries == kForkTries) return pid;
    const int error = errno;
    usleep(static_cast<useconds_t>(pause_ms) * 1000);
    errno = error;
  }
}

// In the launcher: a worker forked, its pipe ends and page sent to the owner.
void SpawnWorker(int socket, uint32_t id, std::map<uint32_t, pid_t>* children) {
  Notice notice{.op = kSpawned, .id = id};
  Pipe tasks, replies;
  Fd memfd(memfd_create("farm-running", MFD_CLOEXEC));
  SharedRunningTask page;
  Status status = MakePipe(&tasks);
  if (status.ok()) status = MakePipe(&replies);
  if (status.ok() && (!memfd.valid() || ftruncate(memfd.get(), sizeof(RunningTask)) != 0))
    status = Status::FromErrno("memfd", errno);
  if (status.ok()) status = MapSharedRunningTask(memfd.get(), &page);
  pid_t pid = status.ok() ? ForkWithRetries() : -1;
  if (pid == 0) BecomeWorkerProcess(getppid(), tasks.read.get(), replies.write.get(), page.get());
  if (pid < 0) {
    notice.value = errno != 0 ? errno : EAGAIN;
    SendNotice(socket, notice, nullptr, 0);
    return;
  }
  (*children)[id] = pid;
  notice.pid = pid;
  const int fds[3] = {tasks.write.get(), replies.read.get(), memfd.get()};
  SendNotice(socket, notice, fds, 3);
}

// Reaps every ended worker and reports it.
void ReapWorkers(int socket, std::map<uint32_t, pid_t>* children) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (auto it = children->begin(); it != children->end(); ++it) {
      if (it->second != pid) continue;
      SendNotice(socket, {.op = kEnded, .id = it->first, .value = status, .pid = pid}, nullptr, 0);
      children->erase(it);
      break;
    }
  }
}

[[noreturn]] void ServeLauncher(pid_t owner) {
  std::map<uint32_t, pid_t> children;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  Fd reaped(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!reaped.valid()) _exit(1);
  for (;;) {
    pollfd fds[2] = {{kLauncherSocket, POLLIN, 0}, {reaped.get(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (read(reaped.get(), &info, sizeof info) > 0) {
      }
      ReapWorkers(kLauncherSocket, &children);
    }
    if (fds[0].revents == 0) continue;
    Request request;
    ssize_t n = recv(kLauncherSocket, &request, sizeof request, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof request)) break;  // the owner is gone
    if (request.op == kSpawn) SpawnWorker(kLauncherSocket, request.id, &children);
    if (request.op == kSignal && children.count(request.id))
      kill(children[request.id], request.signal);
    if (getppid() != owner) break;
  }
  for (auto& [id, pid] : children) kill(pid, SIGKILL);
  for (auto& [id, pid] : children) waitpid(pid, nullptr, 0);
  _exit(0);
}

// The just-forked launcher: its socket on fd 3, nothing else inherited.
[[noreturn]] void BecomeLauncher(pid_t owner, int socket) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != owner) _exit(1);
  prctl(PR_SET_NAME, "farm-launcher");
  // A group of its own: a signal sent to the rank's process group (mpirun
  // ends a job that way) doesn't reach the workers; the agent decides.
  setpgid(0, 0);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);  // taken through a signalfd
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int moved = fcntl(socket, F_DUPFD_CLOEXEC, 10);
  if (null < 0 || moved < 0 || dup2(null, STDIN_FILENO) < 0 ||
      dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || dup2(moved, kLauncherSocket) < 0)
    _exit(127);
  close_range(kLauncherSocket + 1, ~0U, 0);
  if (const char* forks = getenv(kForkLimitVariable)) forks_left = strtol(forks, nullptr, 10);
  ServeLauncher(owner);
}

}  // namespace

Status Launcher::Start(std::unique_ptr<Launcher>* launcher) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return Status::FromErrno("socketpair", errno);
  Fd ours(sv[0]), theirs(sv[1]);
  pid_t owner = getpid();
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) BecomeLauncher(owner, theirs.get());
  launcher->reset(new Launcher(pid, std::move(ours)));
  return Status::Ok();
}

Launcher::~Launcher() {
  socket_.reset();  // end of requests: the launcher kills its workers and exits
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

bool Launcher::ReadOne(int timeout_ms) {
  pollfd fd = {socket_.get(), POLLIN, 0};
  int ready = poll(&fd, 1, timeout_ms);
  if (ready < 0 && errno == EINTR) return true;  // nothing read; the caller looks again
  if (ready <= 0) return false;
  Notice notice;
  iovec iov = {&notice, sizeof notice};
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(int))];
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(socket_.get(), &msg, MSG_CMSG_CLOEXEC);
  if (n < 0 && errno == EINTR) return true;
  if (n != static_cast<ssize_t>(sizeof notice)) {
    gone_ = true;
    return false;
  }
  Fd fds[3];
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (i < 3) fds[i].reset(fd); else close(fd);
    }
  }
  if (notice.op == kEnded) ended_[notice.id] = notice.value;
  if (notice.op == kSpawned && notice.id == next_id_ - 1) {
    spawned_ = true;
    spawn_errno_ = notice.value;
    spawned_pid_ = notice.pid;
    for (int i = 0; i < 3; ++i) spawned_fds_[i] = std::move(fds[i]);
  }
  return true;
}

Status Launcher::Spawn(Worker* worker) {
  if (gone_) return Status::Error("the worker launcher is gone");
  const uint32_t id = next_id_++;
  Request request{.op = kSpawn, .id = id};
  if (send(socket_.get(), &request, sizeof request, MSG_NOSIGNAL) < 0)
    return Status::FromErrno("the worker launcher", errno);
  spawned_ = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSpawnTimeoutMs);
  while (!spawned_ && !gone_ && std::chrono::steady_clock::now() < deadline) ReadOne(100);
  if (!spawned_) return Status::Error("the worker launcher did not answer");
  if (spawn_errno_ != 0) return Status::FromErrno("launching a worker", spawn_errno_);
  for (const Fd& fd : spawned_fds_)
    if (!fd.valid()) return Status::Error("the worker launcher sent no pipes");
  worker->id = id;
  worker->pid = spawned_pid_;
  worker->to_worker = std::move(spawned_fds_[0]);
  worker->from_worker = std::move(spawned_fds_[1]);
  Fd memfd = std::move(spawned_fds_[2]);
  return MapSharedRunningTask(memfd.get(), &worker->running);
}

Status Launcher::Signal(uint32_t id, int signal) {
  Request request{.op = kSignal, .id = id, .signal = signal};
  if (send(socket_.get(), &request, sizeof request, MSG_NOSIGNAL) < 0)
    return Status::FromErrno("the worker launcher", errno);
  return Status::Ok();
}

bool Launcher::WaitEnded(uint32_t id, int timeout_ms, int* wait_status) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (auto it = ended_.find(id); it != ended_.end()) {
      *wait_status = it->second;
      ended_.erase(it);
      return true;
    }
    if (gone_) {  // its workers died with it
      *wait_status = SIGKILL;
      return true;
    }
    int left = -1;
    if (timeout_ms >= 0) {
      auto rest = deadline - std::chrono::steady_clock::now();
      left = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(rest).count());
      if (left <= 0) return false;
    }
    if (!ReadOne(left) && !gone_) return false;
  }
}

}  // namespace farm::mpi
