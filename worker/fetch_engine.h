// Many downloads at once in one thread, with libcurl's multi interface.
// Transfers share connections (keep-alive) and DNS lookups. The engine keeps
// at most `concurrency` transfers in flight and `max_per_host` to one host,
// pauses before each request as --delay asks, waits out a 429 or 503 with
// Retry-After, and streams each body through SHA-256 into a temporary file.
//
// One engine per thread; it owns no globals besides libcurl's one-time
// initialisation, which it runs on first use (in a worker, after fork).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/fetch_settings.h"
#include "common/rng.h"
#include "worker/task.h"

typedef void CURLM;
typedef void CURL;

namespace farm {

// A fetch task's own fields.
// A fetch task's own fields; their defaults and limits are the registry's.
struct FetchRequest {
  std::string url;
  double timeout_s = 0;
  bool save = false;
  uint64_t max_bytes = 0;
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
};

class FetchEngine {
 public:
  // `rng` draws the politeness pauses; it must outlive the engine.
  FetchEngine(const FetchSettings& settings, Rng& rng);
  ~FetchEngine();
  FetchEngine(const FetchEngine&) = delete;
  FetchEngine& operator=(const FetchEngine&) = delete;

  // Queues a download; its outcome comes back from TakeFinished() with `token`.
  void Add(uint64_t token, FetchRequest request);

  // Moves transfers along and waits until one finishes, a pause ends, or
  // `extra_fd` (if not -1) is readable, which sets *extra_ready.
  void Wait(int extra_fd, bool* extra_ready);

  // Outcomes of transfers finished since the last call, appended to *out.
  void TakeFinished(std::vector<FetchOutcome>* out);

  // Nothing queued, in flight, or finished and not yet taken.
  bool idle() const { return queued_.empty() && active_.empty() && finished_.empty(); }

 private:
  struct Transfer;
  using Clock = std::chrono::steady_clock;

  void Advance();
  void StartQueued();
  void StartPaused();
  void Launch(Transfer& transfer);
  void CollectDone();
  void Complete(Transfer& transfer, int curl_code);
  void Finish(Transfer& transfer, bool ok, ResultJson result, std::string error);
  int MillisecondsToNextPause() const;
  CURL* TakeEasy();

  FetchSettings settings_;
  Rng& rng_;
  CURLM* multi_;
  std::deque<std::unique_ptr<Transfer>> queued_;   // waiting for a free slot
  std::vector<std::unique_ptr<Transfer>> active_;  // pausing or transferring
  std::unordered_map<std::string, int> per_host_;  // active transfers by host
  std::vector<FetchOutcome> finished_;
  std::vector<CURL*> spare_easy_;  // handles to reuse
};

// The worker's own engine, made on first use from its settings and RNG.
FetchEngine& WorkerFetchEngine(WorkerContext& worker);

}  // namespace farm
