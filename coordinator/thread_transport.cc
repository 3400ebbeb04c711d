#include "coordinator/thread_transport.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include <system_error>

#include "common/running_task.h"
#include "worker/worker_loop.h"

namespace farm {

// A worker thread's end of its channels. Shared between the thread and the
// transport, so a thread abandoned by a second Ctrl-C never outlives what it
// touches.
struct ThreadTransport::Worker : WorkerChannel {
  Worker(int slot, uint64_t generation, std::unique_ptr<MessageQueue> queue,
         std::shared_ptr<ReplyChannel> replies)
      : slot(slot), generation(generation), queue(std::move(queue)), replies(std::move(replies)) {}

  Status Receive(std::string_view* bytes) override {
    *bytes = queue->Pop(&received) ? std::string_view(received) : std::string_view();
    return Status::Ok();
  }
  int ready_fd() const override { return queue->ready_fd(); }
  Status Send(std::string* messages) override {
    replies->Post(slot, generation, messages);
    return Status::Ok();
  }

  const int slot;
  const uint64_t generation;
  std::unique_ptr<MessageQueue> queue;
  std::shared_ptr<ReplyChannel> replies;
  // Written by the thread, on a line of its own (the coordinator reads the
  // members above at every Send); its command's group is read by EndThread.
  alignas(64) RunningTask running;
  std::string received;  // the thread's own
};

Status ThreadTransport::Create(int workers, std::unique_ptr<ThreadTransport>* transport) {
  std::unique_ptr<ReplyChannel> replies;
  if (Status s = ReplyChannel::Create(workers, &replies); !s.ok()) return s;
  transport->reset(new ThreadTransport(workers, std::move(replies)));
  return Status::Ok();
}

ThreadTransport::~ThreadTransport() { Stop(/*now=*/false); }

Status ThreadTransport::Start(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  EndThread(slot, /*abandon=*/true);
  std::unique_ptr<MessageQueue> queue;
  if (Status s = MessageQueue::Create(&queue); !s.ok()) return s;
  slot.worker = std::make_shared<Worker>(index, ++slot.generation, std::move(queue), replies_);
  try {
    slot.thread = std::thread([worker = slot.worker] {
      // The page holds the group of a command it runs, for EndThread to kill.
      if (ServeChannel(*worker, {.commands = &worker->running}) != 0)  // it said why
        worker->replies->PostEnd(worker->slot, worker->generation, "stopped on an error");
    });
  } catch (const std::system_error& e) {
    slot.worker.reset();
    return Status::Error(std::string("cannot start a worker thread: ") + e.what());
  }
  return Status::Ok();
}

void ThreadTransport::EndThread(Slot& slot, bool abandon) {
  if (slot.worker) slot.worker->queue->Close();
  // An abandoned thread's exec command goes, with all it started.
  if (slot.worker && abandon) slot.worker->running.KillCommandGroup();
  if (slot.thread.joinable()) abandon ? slot.thread.detach() : slot.thread.join();
  slot.worker.reset();
}

void ThreadTransport::Send(int index, std::string* messages) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (slot.worker) slot.worker->queue->Push(messages);
  messages->clear();  // sent, or dropped with the worker
}

void ThreadTransport::CloseInput(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (slot.worker) slot.worker->queue->Close();
}

std::string ThreadTransport::Kill(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  EndThread(slot, /*abandon=*/true);
  ++slot.generation;  // whatever it still sends is dropped
  return "abandoned (a thread cannot be killed)";
}

Status ThreadTransport::Wait(const WaitRequest& request, TransportEvents& events,
                             bool* input_ready) {
  pollfd fds[2] = {{replies_->fd(), POLLIN, 0}, {request.input_fd, POLLIN, 0}};
  timespec timeout;
  int ready = ppoll(fds, request.input_fd >= 0 ? 2 : 1, PollTimeout(request.until, &timeout),
                    request.signal_mask);
  if (ready < 0) return errno == EINTR ? Status::Ok() : Status::FromErrno("ppoll", errno);
  *input_ready = request.input_fd >= 0 && fds[1].revents != 0;
  if (fds[0].revents == 0) return Status::Ok();

  replies_->TakeAll(&taken_);
  for (const ReplyChannel::Replies& replies : taken_) {
    Slot& slot = slots_[static_cast<size_t>(replies.slot)];
    if (replies.ended) {  // else the tasks it held would wait for it for ever
      if (slot.generation != replies.generation) continue;
      EndThread(slot, /*abandon=*/false);  // it has returned: the join is at once
      events.OnEnded(replies.slot, replies.messages);
      continue;
    }
    std::string_view text = replies.messages;
    while (!text.empty() && slot.generation == replies.generation) {
      size_t end = text.find('\n');
      events.OnMessage(replies.slot, text.substr(0, end));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
  }
  replies_->Recycle(&taken_);
  return Status::Ok();
}

void ThreadTransport::Stop(bool now) {
  for (Slot& slot : slots_) {
    if (slot.worker) slot.worker->queue->Close();
  }
  for (Slot& slot : slots_) EndThread(slot, /*abandon=*/now);
}

}  // namespace farm
