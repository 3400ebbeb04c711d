#include "library/executor_core.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

namespace farm {

TaskFeed::Next ExecutorFeed::TakeRunnable(ResultOutput& /*output*/, InputTask* task) {
  for (;;) {
    if (taken_.empty()) {
      std::lock_guard lock(core_->mu);
      if (queue_.tasks.empty()) {
        if (queue_.closed) return Next::kEnd;
        queue_.hungry = true;
        return Next::kNeedInput;
      }
      taken_.swap(queue_.tasks);
    }
    std::shared_ptr<FutureState> state = std::move(taken_.front());
    taken_.pop_front();
    Phase queued = Phase::kQueued;
    if (!state->phase.compare_exchange_strong(queued, Phase::kSent)) continue;  // cancelled
    current_ = std::move(state->task);
    task->seq = state->seq;
    task->json = current_;
    task->error_line.clear();
    task->done = task->no_task = false;
    task->fetch = state->fetch;
    sent_.emplace(state->seq, std::move(state));
    return Next::kTask;
  }
}

void ExecutorFeed::ReadMore() {
  uint64_t count;
  while (::read(wake_.get(), &count, sizeof count) < 0 && errno == EINTR) {
  }
}

void ExecutorFeed::Wake() const {
  const uint64_t one = 1;
  while (::write(wake_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void ExecutorOutput::Add(uint64_t seq, std::string_view line, bool ok) {
  auto it = sent_.find(seq);
  if (it == sent_.end()) return;  // cannot happen: every seq sent is there
  it->second->line.assign(line);
  it->second->ok = ok;
  ++(ok ? ok_ : failed_);
  resolved_.push_back(std::move(it->second));
  sent_.erase(it);
}

Status ExecutorOutput::Flush() {
  if (resolved_.empty()) return Status::Ok();
  {
    std::lock_guard lock(core_->mu);
    for (const auto& state : resolved_) state->phase.store(Phase::kDone);
  }
  core_->cv.notify_all();
  resolved_.clear();
  return Status::Ok();
}

}  // namespace farm
