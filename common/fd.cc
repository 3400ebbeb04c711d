#include "common/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace farm {

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Status MakePipe(Pipe* pipe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno("pipe2", errno);
  pipe->read.reset(fds[0]);
  pipe->write.reset(fds[1]);
  return Status::Ok();
}

Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    return Status::FromErrno("fcntl O_NONBLOCK", errno);
  return Status::Ok();
}

namespace {
bool closed_at_start[3] = {};
}  // namespace

Status OpenClosedStandardFds() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    closed_at_start[fd] = true;
    Fd null(::open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY));
    if (!null.valid()) return Status::FromErrno("cannot open /dev/null", errno);
    // open() takes the lowest free number, `fd`, as those below are open by
    // now; if another thread took `fd` meanwhile, the file is its.
    if (null.get() == fd) null.release();
  }
  return Status::Ok();
}

bool StandardFdWasClosed(int fd) {
  return fd >= STDIN_FILENO && fd <= STDERR_FILENO && closed_at_start[fd];
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

long WriteSome(int fd, std::string_view data) {
  for (;;) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

}  // namespace farm
