#include "worker/fetch_engine.h"

#include <curl/curl.h>
#include <errno.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/json_writer.h"
#include "worker/fetch_file.h"
#include "worker/redact_url.h"
#include "worker/sha256.h"

namespace farm {
namespace {

constexpr long kMaxRedirects = 10;
constexpr long kBufferSize = 128 * 1024;
// An error response's body is read and dropped, so the connection can be
// reused; past this much it is cheaper to drop the connection instead.
constexpr uint64_t kMaxDiscardedBody = 1 << 20;
constexpr int kMaxWaitMs = 1000;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool HasAllowedScheme(std::string_view url) {
  auto starts_with = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    return true;
  };
  return starts_with("http://") || starts_with("https://");
}

// The URL's host, lowercase, for --max-per-host.
std::string HostOf(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::string_view authority = url.substr(start, url.find_first_of("/?#", start) - start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  std::string host(authority.substr(0, authority.rfind(':')));
  if (authority.starts_with('[')) host = authority.substr(0, authority.find(']') + 1);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

std::string FormatSeconds(double seconds) {
  char text[32];
  snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

// Why a transfer failed, in words, from libcurl's code and error text.
std::string DescribeFailure(CURLcode code, CURL* easy, const char* error_buffer,
                            const FetchRequest& request, const std::string& shown_url) {
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  std::string what;
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
      what = "scheme not allowed (http and https only)";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      what = "DNS lookup failed";
      break;
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
      what = os_errno == ECONNREFUSED ? "connection refused" : "cannot connect";
      break;
    }
    case CURLE_OPERATION_TIMEDOUT:
      what = "timeout after " + FormatSeconds(request.timeout_s);
      break;
    case CURLE_TOO_MANY_REDIRECTS:
      what = "too many redirects (more than " + std::to_string(kMaxRedirects) + ")";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      what = "TLS error";
      break;
    default:
      what = "transfer failed";
      break;
  }
  return what + " (" + detail + ") for " + shown_url;
}

}  // namespace

struct FetchEngine::Transfer {
  uint64_t token = 0;
  FetchRequest request;
  std::string shown_url;  // the URL as farm writes it: no password
  std::string host;
  CURL* easy = nullptr;
  BodyFile file;
  Sha256 hash;
  uint64_t bytes = 0;
  uint64_t discarded = 0;
  bool response_started = false;  // body bytes of the current response seen
  bool discard_body = false;      // an error response: its body is not the result
  bool too_large = false;
  Status write_error;
  bool running = false;  // in the multi handle; else pausing
  bool deadline_set = false;
  Clock::time_point deadline;
  Clock::time_point resume_at;  // end of the current pause
  char error_buffer[CURL_ERROR_SIZE] = {};

  // A new response begins (after a redirect or a retry): its body starts over.
  void RestartBody() {
    if (bytes > 0) {
      hash.Reset();
      if (file.is_open()) write_error = file.Truncate();
    }
    bytes = 0;
    discarded = 0;
    response_started = false;
    discard_body = false;
  }

  static size_t OnHeader(char* data, size_t, size_t size, void* self) {
    // Every response, redirects included, opens with its status line.
    if (std::string_view(data, size).starts_with("HTTP/"))
      static_cast<Transfer*>(self)->RestartBody();
    return size;
  }

  static size_t OnBody(char* data, size_t, size_t size, void* self) {
    Transfer& t = *static_cast<Transfer*>(self);
    if (!t.response_started) {
      t.response_started = true;
      long status = 0;
      curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
      t.discard_body = status >= 400;
    }
    if (t.discard_body) {
      t.discarded += size;
      return t.discarded <= kMaxDiscardedBody ? size : 0;
    }
    // Enforced as the body streams: a huge body stops here, not at its end.
    if (t.bytes + size > t.request.max_bytes) {
      t.too_large = true;
      return 0;
    }
    t.bytes += size;
    std::string_view piece(data, size);
    t.hash.Update(piece);
    if (t.file.is_open()) {
      t.write_error = t.file.Write(piece);
      if (!t.write_error.ok()) return 0;
    }
    return size;
  }
};

FetchEngine::FetchEngine(const FetchSettings& settings, Rng& rng) : settings_(settings), rng_(rng) {
  InitCurlOnce();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  settings_.concurrency = std::max(settings_.concurrency, 1);
}

FetchEngine::~FetchEngine() {
  for (auto& transfer : active_) {
    if (transfer->running) curl_multi_remove_handle(multi_, transfer->easy);
    if (transfer->easy != nullptr) curl_easy_cleanup(transfer->easy);
  }
  for (CURL* easy : spare_easy_) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi_);
}

void FetchEngine::Add(uint64_t token, FetchRequest request) {
  auto transfer = std::make_unique<Transfer>();
  transfer->token = token;
  transfer->request = std::move(request);
  transfer->shown_url = RedactPassword(transfer->request.url);
  if (settings_.max_per_host > 0) transfer->host = HostOf(transfer->request.url);
  queued_.push_back(std::move(transfer));
}

void FetchEngine::TakeFinished(std::vector<FetchOutcome>* out) {
  for (FetchOutcome& outcome : finished_) out->push_back(std::move(outcome));
  finished_.clear();
}

void FetchEngine::Wait(int extra_fd, bool* extra_ready) {
  Advance();
  int timeout_ms = finished_.empty() ? MillisecondsToNextPause() : 0;
  curl_waitfd extra = {extra_fd, CURL_WAIT_POLLIN, 0};
  curl_multi_poll(multi_, extra_fd >= 0 ? &extra : nullptr, extra_fd >= 0 ? 1 : 0, timeout_ms,
                  nullptr);
  *extra_ready = extra_fd >= 0 && extra.revents != 0;
  Advance();
}

void FetchEngine::Advance() {
  StartPaused();
  StartQueued();
  int running = 0;
  curl_multi_perform(multi_, &running);
  CollectDone();
  StartQueued();  // into the slots just freed; curl starts them on the next round
}

// Queued transfers take free slots in order, skipping hosts at their limit.
void FetchEngine::StartQueued() {
  for (auto it = queued_.begin();
       it != queued_.end() && active_.size() < static_cast<size_t>(settings_.concurrency);) {
    Transfer& transfer = **it;
    if (settings_.max_per_host > 0) {
      int& count = per_host_[transfer.host];
      if (count >= settings_.max_per_host) {
        ++it;
        continue;
      }
      ++count;
    }
    active_.push_back(std::move(*it));
    it = queued_.erase(it);
    int delay_ms = settings_.delay_min_ms;
    if (settings_.delay_max_ms > delay_ms)  // draw only when there is a choice to make
      delay_ms = static_cast<int>(rng_.Between(static_cast<uint64_t>(settings_.delay_min_ms),
                                               static_cast<uint64_t>(settings_.delay_max_ms)));
    if (delay_ms > 0) {
      transfer.resume_at = Clock::now() + std::chrono::milliseconds(delay_ms);
    } else {
      Launch(transfer);
    }
  }
}

void FetchEngine::StartPaused() {
  Clock::time_point now = Clock::now();
  // Launch may finish a transfer at once and reorder active_: index, don't iterate.
  for (size_t i = 0; i < active_.size(); ++i) {
    Transfer& transfer = *active_[i];
    if (!transfer.running && transfer.resume_at <= now) {
      size_t before = active_.size();
      Launch(transfer);
      if (active_.size() < before) --i;
    }
  }
}

int FetchEngine::MillisecondsToNextPause() const {
  Clock::time_point now = Clock::now();
  int wait_ms = kMaxWaitMs;
  for (const auto& transfer : active_) {
    if (transfer->running) continue;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(transfer->resume_at - now).count();
    wait_ms = std::min<int>(wait_ms, static_cast<int>(std::max<int64_t>(left, 0)));
  }
  return wait_ms;
}

CURL* FetchEngine::TakeEasy() {
  if (spare_easy_.empty()) return curl_easy_init();
  CURL* easy = spare_easy_.back();
  spare_easy_.pop_back();
  curl_easy_reset(easy);
  return easy;
}

// Starts (or restarts, after Retry-After) one request.
void FetchEngine::Launch(Transfer& t) {
  const FetchRequest& request = t.request;
  Clock::time_point now = Clock::now();
  if (!t.deadline_set) {
    t.deadline_set = true;
    t.deadline = now + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(request.timeout_s));
  }
  if (!HasAllowedScheme(request.url))
    return Finish(t, false, {}, "scheme not allowed (http and https only) for " + t.shown_url);
  auto left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.deadline - now).count();
  if (left_ms <= 0)
    return Finish(t, false, {},
                  "timeout after " + FormatSeconds(request.timeout_s) + " for " + t.shown_url);
  if (request.save && !t.file.is_open()) {
    if (Status s = t.file.Open(settings_.out_dir); !s.ok())
      return Finish(t, false, {}, "cannot save the body: " + s.message());
  }
  t.RestartBody();
  t.too_large = false;
  t.error_buffer[0] = '\0';
  if (t.easy == nullptr) t.easy = TakeEasy();
  CURL* easy = t.easy;
  if (easy == nullptr) return Finish(t, false, {}, "curl_easy_init failed for " + t.shown_url);
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error_buffer);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(left_ms));
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kBufferSize);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "farm/1");
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK)
    return Finish(t, false, {}, "curl_multi_add_handle failed for " + t.shown_url);
  t.running = true;
}

void FetchEngine::CollectDone() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* transfer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
    CURLcode code = message->data.result;  // read before the message is freed
    curl_multi_remove_handle(multi_, message->easy_handle);
    transfer->running = false;
    Complete(*transfer, code);
  }
}

// A request ended: retry it after Retry-After, or finish it.
void FetchEngine::Complete(Transfer& t, int curl_code) {
  CURLcode code = static_cast<CURLcode>(curl_code);
  const FetchRequest& request = t.request;
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  char* effective = nullptr;
  curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &effective);
  std::string effective_url = RedactPassword(effective != nullptr ? effective : request.url);
  std::string redirected =
      effective_url == t.shown_url ? "" : " (redirected to " + effective_url + ")";

  if (t.too_large)
    return Finish(
        t, false, {},
        "body over max_bytes (" + std::to_string(request.max_bytes) + " bytes) for " + t.shown_url);
  if (!t.write_error.ok())
    return Finish(t, false, {}, "cannot save the body: " + t.write_error.message());
  if (code == CURLE_WRITE_ERROR && t.discard_body) code = CURLE_OK;  // dropped an error body
  if (code != CURLE_OK)
    return Finish(t, false, {},
                  DescribeFailure(code, t.easy, t.error_buffer, request, t.shown_url));

  if (status == 429 || status == 503) {
    curl_off_t retry_after_s = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RETRY_AFTER, &retry_after_s);
    if (retry_after_s > 0) {
      // Compared before adding, so that no Retry-After can overflow a time point.
      auto left = std::chrono::duration<double>(t.deadline - Clock::now()).count();
      if (static_cast<double>(retry_after_s) < left) {
        t.resume_at = Clock::now() + std::chrono::seconds(retry_after_s);  // keeps its slot
        return;
      }
      return Finish(t, false, {},
                    "HTTP " + std::to_string(status) + " for " + t.shown_url + redirected +
                        ", and its Retry-After of " + std::to_string(retry_after_s) +
                        " s ends past timeout_s " + FormatSeconds(request.timeout_s));
    }
  }
  if (status >= 400)
    return Finish(t, false, {},
                  "HTTP " + std::to_string(status) + " for " + t.shown_url + redirected);

  std::string name_path;
  if (request.save) {
    // Named after the URL as written, so no hash of a password is either.
    name_path = settings_.out_dir + "/" + SavedFileName(t.shown_url);
    if (Status s = t.file.Commit(name_path); !s.ok())
      return Finish(t, false, {}, "cannot save the body: " + s.message());
  }
  long redirects = 0;
  curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_COUNT, &redirects);
  char* content_type = nullptr;
  curl_easy_getinfo(t.easy, CURLINFO_CONTENT_TYPE, &content_type);
  // A server's bytes (its content type, a redirect target) may be invalid
  // UTF-8: the writer replaces them.
  JsonObjectWriter result;
  result.Add("url", t.shown_url).Add("effective_url", effective_url).Add("status", status);
  result.Add("bytes", t.bytes).Add("sha256", t.hash.HexDigest());
  content_type != nullptr ? result.Add("content_type", content_type) : result.AddNull("content_type");
  request.save ? result.Add("path", name_path) : result.AddNull("path");
  result.Add("redirects", redirects);
  Finish(t, true, result.Finish(), "");
}

// Frees the transfer's slot and hands its outcome out.
void FetchEngine::Finish(Transfer& t, bool ok, ResultJson result, std::string error) {
  t.file.Discard();  // no-op once committed
  if (t.easy != nullptr) spare_easy_.push_back(std::exchange(t.easy, nullptr));
  if (settings_.max_per_host > 0) {
    auto it = per_host_.find(t.host);
    if (it != per_host_.end() && --it->second == 0) per_host_.erase(it);
  }
  finished_.push_back({t.token, ok, std::move(result), std::move(error)});
  auto it = std::find_if(active_.begin(), active_.end(),
                         [&](const auto& owned) { return owned.get() == &t; });
  if (it != active_.end()) {
    std::swap(*it, active_.back());
    active_.pop_back();
  }
}

}  // namespace farm
