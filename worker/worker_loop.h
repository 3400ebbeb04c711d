// A worker's main loop: messages in, replies out, over any channel to the
// coordinator (a pair of pipes, a thread's queues; an MPI agent's pipes).
#pragma once

#include <string>
#include <string_view>

#include "common/running_task.h"
#include "common/status.h"
#include "worker/task_server.h"

namespace farm {

// How a worker exchanges bytes with its coordinator. Messages are lines
// (common/wire.h); a channel may cut them anywhere.
class WorkerChannel {
 public:
  virtual ~WorkerChannel() = default;
  // Waits for bytes from the coordinator; *bytes stays valid until the next
  // call. Empty at end of input.
  virtual Status Receive(std::string_view* bytes) = 0;
  // Readable while Receive() would not block: a worker busy with transfers
  // waits on it together with its sockets.
  virtual int ready_fd() const = 0;
  // Sends the whole messages in *messages and empties it; an error means
  // the coordinator is gone.
  virtual Status Send(std::string* messages) = 0;
};

// Serves messages from `channel` until its input ends, with `options` as
// TaskServer takes them (their `flush` is the channel's). Returns the process
// exit status: 0 at a clean end, 1 when the coordinator is gone or sent
// something malformed.
int ServeChannel(WorkerChannel& channel, TaskServer::Options options);

// A channel over two blocking fds.
class PipeChannel : public WorkerChannel {
 public:
  PipeChannel(int in_fd, int out_fd);
  Status Receive(std::string_view* bytes) override;
  int ready_fd() const override { return in_fd_; }
  Status Send(std::string* messages) override;

 private:
  int in_fd_, out_fd_;
  std::string chunk_;
};

}  // namespace farm
