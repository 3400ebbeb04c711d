// Futures and the waits over them.
#include <farm/executor.h>

#include <algorithm>
#include <iterator>

#include "common/json_parse.h"
#include "library/executor_core.h"

namespace farm {
namespace {

bool Finished(const FutureState& state) {
  Phase phase = state.phase.load();
  return phase == Phase::kDone || phase == Phase::kCancelled;
}

void Check(const std::shared_ptr<FutureState>& state) {
  if (state == nullptr) throw std::logic_error("farm::Future: no task (default-constructed)");
}

nlohmann::json Outcome(const FutureState& state) {
  if (state.phase.load() == Phase::kCancelled) throw FutureCancelled();
  if (state.ok) {
    // A result line ends with its result (common/result_line.h), after a
    // header whose strings escape every quote: the first ,"result": is it.
    // Parsing only that is most of a tiny task's cost saved.
    constexpr std::string_view kKey = ",\"result\":";
    const size_t at = state.line.find(kKey);
    if (at != std::string::npos && state.line.back() == '}') {
      const size_t begin = at + kKey.size();
      nlohmann::json result =
          ParseJson(std::string_view(state.line).substr(begin, state.line.size() - 1 - begin));
      if (!result.is_discarded()) return result;  // else the whole line's parse throws
    }
  }
  nlohmann::json line = nlohmann::json::parse(state.line);
  if (state.ok) return std::move(line["result"]);
  const nlohmann::json& error = line["error"];
  throw TaskError(error.value("code", "unknown"), error.value("message", ""));
}

}  // namespace

nlohmann::json Future::Get() const {
  Check(state_);
  std::unique_lock lock(state_->core->mu);
  state_->core->cv.wait(lock, [&] { return Finished(*state_); });
  lock.unlock();
  return Outcome(*state_);
}

nlohmann::json Future::Get(std::chrono::duration<double> timeout) const {
  Check(state_);
  std::unique_lock lock(state_->core->mu);
  if (!state_->core->cv.wait_for(lock, timeout, [&] { return Finished(*state_); }))
    throw FutureTimeout();
  lock.unlock();
  return Outcome(*state_);
}

nlohmann::json Future::Line() const {
  Check(state_);
  std::unique_lock lock(state_->core->mu);
  state_->core->cv.wait(lock, [&] { return Finished(*state_); });
  if (state_->phase.load() == Phase::kCancelled) return nullptr;
  return nlohmann::json::parse(state_->line);
}

bool Future::Done() const { return state_ != nullptr && Finished(*state_); }

double Future::Progress() const {
  Check(state_);
  return state_->phase.load() == Phase::kDone ? 1.0 : state_->progress.load();
}

bool Future::Cancel() {
  Check(state_);
  Phase queued = Phase::kQueued;
  if (!state_->phase.compare_exchange_strong(queued, Phase::kCancelled))
    return state_->phase.load() == Phase::kCancelled;
  { std::lock_guard lock(state_->core->mu); }  // a waiter between its check and its wait
  state_->core->cv.notify_all();
  return true;
}

bool Future::Cancelled() const {
  return state_ != nullptr && state_->phase.load() == Phase::kCancelled;
}

uint64_t Future::seq() const { return state_ != nullptr ? state_->seq : 0; }

WaitResult Wait(const std::vector<Future>& futures, WaitFor what,
                std::optional<std::chrono::duration<double>> timeout) {
  WaitResult result;
  if (futures.empty()) return result;
  for (const Future& f : futures) Check(f.state_);
  Core& core = *futures.front().state_->core;
  auto ready = [&] {
    size_t done = std::count_if(futures.begin(), futures.end(),
                                [](const Future& f) { return Finished(*f.state_); });
    return what == WaitFor::kFirstCompleted ? done > 0 : done == futures.size();
  };
  {
    std::unique_lock lock(core.mu);
    if (timeout)
      core.cv.wait_for(lock, *timeout, ready);
    else
      core.cv.wait(lock, ready);
  }
  for (const Future& f : futures) (f.Done() ? result.done : result.not_done).push_back(f);
  return result;
}

Completions::Completions(std::vector<Future> futures) : pending_(std::move(futures)) {
  for (const Future& f : pending_) Check(f.state_);
}

// Each wake-up moves every future done by then to ready_, in one pass: the
// scheduler resolves results in batches, so passes are few.
std::optional<Future> Completions::Next() {
  if (ready_.empty() && !pending_.empty()) {
    Core& core = *pending_.front().state_->core;
    std::unique_lock lock(core.mu);
    for (;;) {
      auto done = std::stable_partition(pending_.begin(), pending_.end(),
                                        [](const Future& f) { return !Finished(*f.state_); });
      std::move(done, pending_.end(), std::back_inserter(ready_));
      pending_.erase(done, pending_.end());
      if (!ready_.empty()) break;
      core.cv.wait(lock);
    }
  }
  if (ready_.empty()) return std::nullopt;
  Future next = std::move(ready_.front());
  ready_.pop_front();
  return next;
}

}  // namespace farm
