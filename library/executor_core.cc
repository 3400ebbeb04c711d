#include "library/executor_core.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

namespace farm {

void SentTasks::Add(std::shared_ptr<FutureState> state) {
  if (tasks_.empty()) first_ = state->seq;
  while (first_ + tasks_.size() < state->seq) tasks_.emplace_back();  // cancelled ones
  tasks_.push_back(std::move(state));
}

std::shared_ptr<FutureState> SentTasks::Take(uint64_t seq) {
  if (seq < first_ || seq - first_ >= tasks_.size()) return nullptr;
  std::shared_ptr<FutureState> state = std::move(tasks_[seq - first_]);
  while (!tasks_.empty() && tasks_.front() == nullptr) {
    tasks_.pop_front();
    ++first_;
  }
  return state;
}

FutureState* SentTasks::Find(uint64_t seq) const {
  if (seq < first_ || seq - first_ >= tasks_.size()) return nullptr;
  return tasks_[seq - first_].get();
}

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
    task->seq = state->seq;
    task->json = state->task;  // kept, and freed with the future, in the caller's thread
    task->error_line.clear();
    task->done = task->no_task = false;
    task->fetch = state->fetch;
    sent_.Add(std::move(state));
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
  std::shared_ptr<FutureState> state = sent_.Take(seq);
  if (state == nullptr) return;  // cannot happen: every seq sent is there
  state->line.assign(line);
  state->ok = ok;
  ++(ok ? ok_ : failed_);
  resolved_.push_back(std::move(state));
}

void ExecutorOutput::Progress(uint64_t seq, double fraction) {
  if (FutureState* state = sent_.Find(seq)) state->progress.store(fraction);
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
