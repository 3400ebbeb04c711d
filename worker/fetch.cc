// The fetch task: its fields, and one fetch run to completion, as sequential
// runs use it. The worker loop instead keeps many in flight on one engine.
#include <cmath>

#include "worker/fetch_engine.h"
#include "worker/registry.h"

namespace farm {

FetchRequest ParseFetchRequest(const nlohmann::json& task) {
  FetchRequest request;
  if (!task.contains("url")) throw TaskFailure("bad_task", "field 'url' is missing");
  request.url = OptionalString(task, "url", "");
  if (request.url.empty()) throw TaskFailure("bad_task", "field 'url' must not be empty");
  if (auto it = task.find("timeout_s"); it != task.end()) {
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() <= 0 ||
        it->get<double>() > 86400)
      throw TaskFailure("bad_task",
                        "field 'timeout_s' must be a number of seconds above 0 "
                        "and at most 86400, got " +
                            it->dump());
    request.timeout_s = it->get<double>();
  }
  request.save = OptionalBool(task, "save", true);
  request.max_bytes = static_cast<uint64_t>(
      OptionalInt(task, "max_bytes", 0, int64_t{1} << 40, static_cast<int64_t>(request.max_bytes)));
  return request;
}

FetchEngine& WorkerFetchEngine(WorkerContext& worker) {
  if (worker.fetch_engine == nullptr)
    worker.fetch_engine = std::make_shared<FetchEngine>(worker.fetch, worker.rng);
  return *worker.fetch_engine;
}

ResultJson RunFetch(const nlohmann::json& task, TaskContext& context) {
  FetchRequest request = ParseFetchRequest(task);
  // Borrow the worker's engine, and its open connections, unless it has
  // transfers of its own whose outcomes must not be taken here.
  std::unique_ptr<FetchEngine> own;
  FetchEngine* engine = &WorkerFetchEngine(context.worker);
  if (!engine->idle()) {
    own = std::make_unique<FetchEngine>(context.worker.fetch, context.worker.rng);
    engine = own.get();
  }
  engine->Add(0, std::move(request));
  std::vector<FetchOutcome> outcomes;
  while (outcomes.empty()) {
    bool unused;
    engine->Wait(-1, &unused);
    engine->TakeFinished(&outcomes);
  }
  if (!outcomes[0].ok) throw TaskFailure("fetch_failed", outcomes[0].error);
  return std::move(outcomes[0].result);
}

}  // namespace farm
