#include "tests/fake_transport.h"

#include <stdexcept>

namespace farm::testing {

void FakeTransport::Reply(TransportEvents& events, int slot, uint64_t seq, bool ok) {
  std::string result = "{\"id\":" + std::to_string(seq) + ",\"ok\":" + (ok ? "true" : "false") + "}";
  ReplyLine(events, slot, seq, ok, result);
}

void FakeTransport::ReplyLine(TransportEvents& events, int slot, uint64_t seq, bool ok,
                              const std::string& result_line) {
  std::string message;
  wire::AppendReply(seq, ok, result_line, &message);
  message.pop_back();  // the '\n'
  events.OnMessage(slot, message);
}

void FakeTransport::Started(TransportEvents& events, int slot, uint64_t seq) {
  std::string message;
  wire::AppendStarted(seq, &message);
  message.pop_back();
  events.OnMessage(slot, message);
}

void FakeTransport::OutOfMemory(TransportEvents& events, int slot, uint64_t seq) {
  std::string message;
  wire::AppendOutOfMemory(seq, &message);
  message.pop_back();
  events.OnMessage(slot, message);
}

void FakeTransport::Die(TransportEvents& events, int slot) {
  worker(slot).alive = false;
  events.OnEnded(slot, "killed by signal 9 (Killed)");
}

Status FakeTransport::Start(int slot) {
  Worker fresh;
  fresh.alive = true;
  worker(slot) = fresh;
  ++starts;
  return Status::Ok();
}

void FakeTransport::Send(int slot, std::string* messages) {
  Worker& w = worker(slot);
  if (!w.alive) throw std::logic_error("a message for a worker that is not running");
  std::string_view text = *messages;
  for (size_t end; (end = text.find('\n')) != std::string_view::npos; text.remove_prefix(end + 1)) {
    std::string_view line = text.substr(0, end);
    wire::TaskMessage task;
    if (wire::DecodeTask(line, &task)) {
      if (!w.configured) throw std::logic_error("a task before the settings");
      w.tasks.push_back({task.seq, task.attempt, std::string(task.task_json)});
    } else if (wire::IsSettings(line)) {
      w.configured = true;
    } else {
      throw std::logic_error("not a message: " + std::string(line));
    }
  }
  messages->clear();
}

std::string FakeTransport::Kill(int slot) {
  worker(slot).alive = false;
  ++kills;
  return "killed by signal 9 (Killed)";
}

Status FakeTransport::Wait(const WaitRequest& request, TransportEvents& events,
                           bool* input_ready) {
  ++waits;
  until = request.until;
  if (waits > 1000) return Status::Error("the scheduler waits forever");
  *input_ready = false;
  if (on_wait) on_wait(*this, events);
  return Status::Ok();
}

bool FakeTransport::Running(int slot, uint64_t* seq, Clock::time_point* since) const {
  const Worker& w = workers_[static_cast<size_t>(slot)];
  *seq = w.running;
  *since = running_since;
  return w.running != 0;
}

}  // namespace farm::testing
