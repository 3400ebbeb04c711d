// Many downloads at once in one thread, with libcurl's multi interface.
// Transfers share connections (keep-alive) and DNS lookups. The engine keeps
// at most `concurrency` transfers in flight, sends the run's User-Agent and
// headers on every request, streams each body through SHA-256 into a
// temporary file, and for a crawl keeps the page to find its links in.
// Politeness (per-host limits, pauses, retries) is the coordinator's: it sees
// every worker's requests, where one engine sees only its own.
//
// One engine per thread; it owns no globals besides libcurl's one-time
// initialisation, which it runs on first use (in a worker, after fork).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/fetch_settings.h"
#include "worker/task.h"

typedef void CURLM;
typedef void CURL;
struct curl_slist;

namespace farm {

// A fetch task's own fields; their defaults and limits are the registry's.
struct FetchRequest {
  std::string url;
  double timeout_s = 0;
  bool save = false;
  uint64_t max_bytes = 0;
  int max_redirects = 10;  // 0: a 3xx is the result, its Location a link
  bool links = false;      // an HTML page's title and links into the result
  bool body = false;       // the body itself into the result
  bool truncate = false;   // a longer body is cut at the limit, not a failure
};

// Reads a fetch task's fields; throws TaskFailure("bad_task", ...) naming
// the field. Field names are not checked here: see CheckFieldNames.
FetchRequest ParseFetchRequest(const nlohmann::json& task);

// A finished transfer: its result object, or why it failed (fetch_failed).
struct FetchOutcome {
  uint64_t token = 0;
  bool ok = false;
  ResultJson result;
  std::string error;
  // A failure a later try may not meet: HTTP 5xx or 429, a refused or
  // reset connection, a timeout.
  bool transient = false;
  int64_t retry_after_ms = -1;  // the server's Retry-After; -1: none
};

class FetchEngine {
 public:
  explicit FetchEngine(const FetchSettings& settings);
  ~FetchEngine();
  FetchEngine(const FetchEngine&) = delete;
  FetchEngine& operator=(const FetchEngine&) = delete;

  // Queues a download; its outcome comes back from TakeFinished() with `token`.
  void Add(uint64_t token, FetchRequest request);

  // Moves transfers along and waits until one finishes or `extra_fd` (if
  // not -1) is readable, which sets *extra_ready.
  void Wait(int extra_fd, bool* extra_ready);

  // Outcomes of transfers finished since the last call, appended to *out.
  void TakeFinished(std::vector<FetchOutcome>* out);

  // Nothing queued, in flight, or finished and not yet taken.
  bool idle() const { return queued_.empty() && active_.empty() && finished_.empty(); }

 private:
  struct Transfer;

  void Advance();
  void StartQueued();
  void Launch(Transfer& transfer);
  void CollectDone();
  void Complete(Transfer& transfer, int curl_code);
  ResultJson SuccessResult(Transfer& transfer, long status, const std::string& path);
  void Fail(Transfer& transfer, std::string error, bool transient = false);
  void Finish(Transfer& transfer, bool ok, ResultJson result, std::string error);
  CURL* TakeEasy();

  FetchSettings settings_;
  CURLM* multi_;
  curl_slist* headers_ = nullptr;                  // settings_.headers, built once
  std::deque<std::unique_ptr<Transfer>> queued_;   // waiting for a free slot
  std::vector<std::unique_ptr<Transfer>> active_;  // transferring
  std::vector<FetchOutcome> finished_;
  std::vector<CURL*> spare_easy_;  // handles to reuse
};

// The worker's own engine, made on first use from its settings.
FetchEngine& WorkerFetchEngine(WorkerContext& worker);

}  // namespace farm
