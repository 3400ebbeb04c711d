#include "worker/fetch_tasks.h"

#include "common/result_line.h"
#include "worker/registry.h"
#include "worker/run_task.h"

namespace farm {

bool FetchTasks::Start(uint64_t seq, int attempt, const nlohmann::json& task) {
  if (!task.is_object()) return false;
  auto type = task.find("type");
  if (type == task.end() || *type != "fetch") return false;
  Pending pending{.seq = seq, .attempt = attempt, .id_json = "", .start = Clock::now()};
  FetchRequest request;
  try {
    pending.id_json = TaskIdJson(task, seq);
    CheckFieldNames(*FindTaskType("fetch"), task);
    request = ParseFetchRequest(task);
  } catch (const TaskFailure&) {
    return false;
  }
  uint64_t token = next_token_++;
  WorkerFetchEngine(worker_).Add(token, std::move(request));
  pending_.emplace(token, std::move(pending));
  return true;
}

void FetchTasks::Wait(int extra_fd, bool* extra_ready) {
  WorkerFetchEngine(worker_).Wait(extra_fd, extra_ready);
}

void FetchTasks::TakeFinished(const Done& done) {
  outcomes_.clear();
  WorkerFetchEngine(worker_).TakeFinished(&outcomes_);
  for (FetchOutcome& outcome : outcomes_) {
    auto it = pending_.find(outcome.token);
    if (it == pending_.end()) continue;
    const Pending& pending = it->second;
    ResultHeader header{
        .id_json = pending.id_json,
        .type_json = "\"fetch\"",
        .worker = worker_.index,
        .attempts = pending.attempt,
        .elapsed_ms =
            std::chrono::duration<double, std::milli>(Clock::now() - pending.start).count()};
    line_.clear();
    if (outcome.ok) {
      AppendSuccessLine(header, outcome.result, &line_);
    } else {
      AppendErrorLine(header, "fetch_failed", outcome.error, &line_);
    }
    std::optional<int64_t> transient;
    if (outcome.transient) transient = outcome.retry_after_ms;
    done({.seq = pending.seq,
          .ok = outcome.ok,
          .result_line = line_,
          .transient_after_ms = transient});
    pending_.erase(it);
  }
}

}  // namespace farm
