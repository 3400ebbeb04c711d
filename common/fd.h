// Owners for file descriptors, and the one write helper every write goes
// through.
#pragma once

#include <string_view>
#include <utility>

#include "common/status.h"

namespace farm {

// A move-only owner of one file descriptor; -1 means empty.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// A close-on-exec pipe.
Status MakePipe(Pipe* pipe);

Status SetNonBlocking(int fd);

// Opens /dev/null on each of fds 0, 1 and 2 that is closed, so that no file
// opened later takes a standard stream's number (`farm ... >&-` would then
// write results or job output into it). Call first thing in main.
Status OpenClosedStandardFds();
// Whether OpenClosedStandardFds() found `fd` closed: output meant for it would
// go nowhere, and input from it would be empty.
bool StandardFdWasClosed(int fd);

// Writes all of `data` to a blocking fd, retrying short writes and EINTR.
Status WriteAll(int fd, std::string_view data);

// One non-blocking write attempt, retried on EINTR. Returns bytes written
// (0 when the fd would block), or -1 with errno set.
long WriteSome(int fd, std::string_view data);

}  // namespace farm
