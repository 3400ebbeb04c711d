// The fetch task: its fields, and one fetch run to completion, as sequential
// runs use it. The worker loop instead keeps many in flight on one engine.
#include <stdio.h>

#include "worker/fetch_engine.h"
#include "worker/registry.h"

namespace farm {

FetchRequest ParseFetchRequest(const nlohmann::json& task) {
  static const TaskField& kUrl = TaskFieldOf("fetch", "url");
  static const TaskField& kTimeout = TaskFieldOf("fetch", "timeout_s");
  static const TaskField& kSave = TaskFieldOf("fetch", "save");
  static const TaskField& kMaxBytes = TaskFieldOf("fetch", "max_bytes");
  static const TaskField& kMaxRedirects = TaskFieldOf("fetch", "max_redirects");
  static const TaskField& kLinks = TaskFieldOf("fetch", "links");
  static const TaskField& kBody = TaskFieldOf("fetch", "body");
  static const TaskField& kTruncate = TaskFieldOf("fetch", "truncate");
  FetchRequest request;
  request.url = ReadString(task, kUrl);
  if (request.url.empty()) throw TaskFailure("bad_task", "field 'url' must not be empty");
  // libcurl takes the URL as a C string and would fetch what comes before a
  // NUL: no control character may hide a part of the URL from what is fetched.
  for (size_t i = 0; i < request.url.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(request.url[i]);
    if (c < 0x20 || c == 0x7f) {
      char problem[96];
      snprintf(problem, sizeof problem,
               "field 'url' holds a control character (U+%04X) at byte %zu", c, i);
      throw TaskFailure("bad_task", problem);
    }
  }
  request.timeout_s = ReadNumber(task, kTimeout);
  request.save = ReadBoolean(task, kSave);
  request.max_bytes = static_cast<uint64_t>(ReadInteger(task, kMaxBytes));
  request.max_redirects = static_cast<int>(ReadInteger(task, kMaxRedirects));
  request.links = ReadBoolean(task, kLinks);
  request.body = ReadBoolean(task, kBody);
  request.truncate = ReadBoolean(task, kTruncate);
  return request;
}

FetchEngine& WorkerFetchEngine(WorkerContext& worker) {
  if (worker.fetch_engine == nullptr)
    worker.fetch_engine = std::make_shared<FetchEngine>(worker.fetch);
  return *worker.fetch_engine;
}

ResultJson RunFetch(const nlohmann::json& task, TaskContext& context) {
  FetchRequest request = ParseFetchRequest(task);
  // Borrow the worker's engine, and its open connections, unless it has
  // transfers of its own whose outcomes must not be taken here.
  std::unique_ptr<FetchEngine> own;
  FetchEngine* engine = &WorkerFetchEngine(context.worker);
  if (!engine->idle()) {
    own = std::make_unique<FetchEngine>(context.worker.fetch);
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
