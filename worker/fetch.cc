// The fetch task run on its own, to completion: what sequential runs use.
// The worker loop instead keeps many fetches in flight on one engine.
#include "worker/fetch_engine.h"
#include "worker/registry.h"

namespace farm {

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
