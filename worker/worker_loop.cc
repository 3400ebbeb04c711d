#include "worker/worker_loop.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <chrono>

#include "common/fd.h"
#include "common/line_splitter.h"
#include "common/wire.h"
#include "worker/task_server.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Replies of quick tasks are batched into one write; none waits longer than
// this behind later tasks, so the coordinator sees progress promptly.
constexpr auto kMaxReplyDelay = std::chrono::milliseconds(1);
constexpr size_t kReadChunk = 256 * 1024;

// Tasks run one after another as their messages arrive, except fetches,
// which finish later. While transfers are in flight the loop waits on the
// network and the channel at once; otherwise it blocks in Receive() as a
// plain CPU worker would.
class WorkerLoop {
 public:
  WorkerLoop(WorkerChannel& channel, TaskServer::Options options)
      : channel_(channel), server_(WithFlush(std::move(options))) {}

  int Run();

 private:
  TaskServer::Options WithFlush(TaskServer::Options options) {
    options.flush = [this](std::string* out) { return Flush(out); };
    return options;
  }
  bool Flush(std::string* out) { return out->empty() || channel_.Send(out).ok(); }
  bool HandleBytes(std::string_view bytes);
  int Fail(const std::string& why) {
    fprintf(stderr, "farm worker %d: %s\n", server_.index(), why.c_str());
    return 1;
  }

  WorkerChannel& channel_;
  TaskServer server_;
  LineSplitter splitter_{wire::kMaxMessageLine};
  std::string replies_;
};

int WorkerLoop::Run() {
  bool input_open = true;
  for (;;) {
    if (server_.fetching()) {
      bool readable = false;
      server_.WaitForTransfers(input_open ? channel_.ready_fd() : -1, &readable, &replies_);
      if (!readable) {
        if (!Flush(&replies_)) return 1;  // the coordinator is gone
        continue;
      }
    } else if (!input_open) {
      return Flush(&replies_) ? 0 : 1;  // the last replies, then a clean exit
    }
    std::string_view bytes;
    if (Status s = channel_.Receive(&bytes); !s.ok()) return Fail(s.message());
    if (bytes.empty()) {
      if (splitter_.buffered() != 0) return Fail("input ended inside a message");
      input_open = false;  // finish the transfers in flight, then exit
      continue;
    }
    if (!HandleBytes(bytes)) return 1;
  }
}

bool WorkerLoop::HandleBytes(std::string_view bytes) {
  splitter_.Feed(bytes);
  Clock::time_point last_flush = Clock::now();
  std::string_view line;
  for (;;) {
    LineSplitter::Event event = splitter_.Next(&line);
    if (event == LineSplitter::Event::kNone) break;
    if (event == LineSplitter::Event::kOversize) return Fail("a message over the size limit"), false;
    if (Status s = server_.Handle(line, &replies_); !s.ok()) return Fail(s.message()), false;
    if (Clock::now() - last_flush >= kMaxReplyDelay) {
      if (!Flush(&replies_)) return false;
      last_flush = Clock::now();
    }
  }
  return Flush(&replies_);
}

}  // namespace

int ServeChannel(WorkerChannel& channel, TaskServer::Options options) {
  return WorkerLoop(channel, std::move(options)).Run();
}

PipeChannel::PipeChannel(int in_fd, int out_fd)
    : in_fd_(in_fd), out_fd_(out_fd), chunk_(kReadChunk, '\0') {}

Status PipeChannel::Receive(std::string_view* bytes) {
  for (;;) {
    ssize_t n = ::read(in_fd_, chunk_.data(), chunk_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read", errno);
    *bytes = std::string_view(chunk_.data(), static_cast<size_t>(n));
    return Status::Ok();
  }
}

Status PipeChannel::Send(std::string* messages) {
  Status status = WriteAll(out_fd_, *messages);
  messages->clear();
  return status;
}

}  // namespace farm
