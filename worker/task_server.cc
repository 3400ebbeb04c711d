#include "worker/task_server.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "worker/fetch_tasks.h"
#include "worker/run_task.h"
#include "worker/task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

int64_t Nanoseconds(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

}  // namespace

TaskServer::TaskServer(Options options) : options_(std::move(options)) {}

TaskServer::~TaskServer() = default;

int TaskServer::index() const { return worker_ ? worker_->index : -1; }

bool TaskServer::fetching() const { return fetches_ && fetches_->in_flight() > 0; }

Status TaskServer::Configure(std::string_view line) {
  if (worker_) return Status::Error("a second settings message");
  wire::WorkerSettings settings;
  if (Status s = wire::DecodeSettings(line, &settings); !s.ok()) return s;
  if (options_.own_process) {
    std::string name = "farm-worker-" + std::to_string(settings.index);
    prctl(PR_SET_NAME, name.c_str());
    if (settings.memory_limit_mb > 0) {
      rlim_t bytes = static_cast<rlim_t>(settings.memory_limit_mb) << 20;
      rlimit limit = {bytes, bytes};
      if (setrlimit(RLIMIT_AS, &limit) != 0) return Status::FromErrno("setrlimit", errno);
    }
  }
  worker_ = std::make_unique<WorkerContext>();
  worker_->index = settings.index;
  worker_->master_seed = settings.master_seed;
  worker_->seed = WorkerSeed(settings.master_seed, static_cast<uint64_t>(settings.index),
                             settings.generation);
  worker_->rng = Rng(worker_->seed);
  worker_->fetch = std::move(settings.fetch);
  worker_->allow_exec = settings.allow_exec;
  worker_->memory_limit_mb = settings.memory_limit_mb;
  worker_->task_timeout_s = settings.task_timeout_s;
  if (options_.flush) {
    worker_->send_progress = [this](uint64_t seq, double fraction) {
      if (task_out_ == nullptr) return;
      wire::AppendProgress(seq, fraction, task_out_);
      (void)options_.flush(task_out_);  // a coordinator gone is seen at the reply
    };
  }
  worker_->running = options_.commands != nullptr ? options_.commands : options_.running;
  fetches_ = std::make_unique<FetchTasks>(*worker_);
  return Status::Ok();
}

// A task run here is noted as running from before its JSON is parsed until
// its reply is queued, so whatever ends the worker in between is blamed on it.
Status TaskServer::Handle(std::string_view line, std::string* out) {
  wire::TaskMessage message;
  if (!wire::DecodeTask(line, &message)) {
    if (wire::IsSettings(line)) return Configure(line);
    return Status::Error("malformed task message");
  }
  if (!worker_) return Status::Error("a task before the settings");
  if (options_.announce_starts) {
    wire::AppendStarted(message.seq, out);
    if (!options_.flush(out)) return Status::Error("the coordinator is gone");
  }
  RunningTask* running = options_.running;
  const Clock::time_point started = Clock::now();
  if (running != nullptr) running->Begin(message.seq, Nanoseconds(started));
  nlohmann::json task = ParseJson(message.task_json);
  if (task.is_discarded()) return Status::Error("a task that is not JSON");
  if (fetches_->Start(message.seq, message.attempt, task)) {
    if (options_.overlap_transfers) {
      if (running != nullptr) running->End();  // in flight, not running here
      return Status::Ok();
    }
    // One at a time: the transfer ends before the next task starts.
    for (bool unused; fetches_->in_flight() > 0;) WaitForTransfers(-1, &unused, out);
    if (running != nullptr) running->End();
    return Status::Ok();
  }
  scratch_.clear();
  task_out_ = out;  // its progress reports go after the replies before it
  bool ok = RunTask(message.seq, message.attempt, task, started, *worker_, &scratch_);
  task_out_ = nullptr;
  wire::AppendReply(message.seq, ok, scratch_, out);
  if (running != nullptr) running->End();
  return Status::Ok();
}

void TaskServer::WaitForTransfers(int extra_fd, bool* extra_ready, std::string* out) {
  fetches_->Wait(extra_fd, extra_ready);
  CollectTransfers(out);
}

void TaskServer::CollectTransfers(std::string* out) {
  fetches_->TakeFinished([out](const FetchTasks::Finished& finished) {
    if (finished.transient_after_ms)  // first, so the coordinator has it with the reply
      wire::AppendTransient(finished.seq, *finished.transient_after_ms, out);
    wire::AppendReply(finished.seq, finished.ok, finished.result_line, out);
  });
}

}  // namespace farm
