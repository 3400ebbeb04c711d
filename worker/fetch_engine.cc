#include "worker/fetch_engine.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>

#include "common/json_writer.h"
#include "common/url.h"
#include "worker/fetch_failure.h"
#include "worker/fetch_file.h"
#include "worker/html_links.h"
#include "worker/redact_url.h"
#include "worker/sha256.h"

namespace farm {
namespace {

constexpr long kBufferSize = 128 * 1024;
// An error response's body is read and dropped, so the connection can be
// reused; past this much it is cheaper to drop the connection instead.
constexpr uint64_t kMaxDiscardedBody = 1 << 20;
constexpr int kMaxWaitMs = 1000;
// The most of a body put in a result.
constexpr uint64_t kMaxResultBody = 1 << 20;
// A Retry-After of more than this many seconds (a few decades) is read as this.
constexpr curl_off_t kMaxRetryAfterS = 1'000'000'000;

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

// Whether a header line (as libcurl hands it over, with its CRLF) is `name`.
bool IsHeader(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

// text/html or application/xhtml+xml, whatever the case and parameters.
bool IsHtml(const char* content_type) {
  if (content_type == nullptr) return false;
  std::string type(content_type, strcspn(content_type, ";"));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "text/html" || type == "application/xhtml+xml";
}

void AppendLinks(const std::vector<std::string>& links, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < links.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(RedactPassword(links[i]), out);  // farm writes no password
  }
  out->push_back(']');
}

}  // namespace

struct FetchEngine::Transfer {
  uint64_t token = 0;
  FetchRequest request;
  std::string shown_url;  // the URL as farm writes it: no password
  CURL* easy = nullptr;
  BodyFile file;
  Sha256 hash;
  uint64_t bytes = 0;
  uint64_t discarded = 0;
  uint64_t max_body = 0;          // more fails the transfer as too large
  uint64_t max_kept = 0;          // how much of a body `kept` may hold
  std::string kept;               // the start of a body wanted in memory
  bool keep = false;              // the current response's body is wanted
  bool response_started = false;  // body bytes of the current response seen
  bool discard_body = false;      // an error response: its body is not the result
  bool retry_after = false;       // the current response has a Retry-After
  bool too_large = false;
  bool truncated = false;         // cut at max_body, as the request allows
  Status write_error;
  char error_buffer[CURL_ERROR_SIZE] = {};

  // A new response begins (after a redirect): its body starts over.
  void RestartBody() {
    if (bytes > 0) {
      hash.Reset();
      if (file.is_open()) write_error = file.Truncate();
    }
    bytes = 0;
    discarded = 0;
    kept.clear();
    response_started = false;
    discard_body = false;
    keep = false;
    retry_after = false;
  }

  static size_t OnHeader(char* data, size_t, size_t size, void* self) {
    Transfer& t = *static_cast<Transfer*>(self);
    std::string_view line(data, size);
    // Every response, redirects included, opens with its status line.
    if (line.starts_with("HTTP/")) t.RestartBody();
    if (IsHeader(line, "retry-after")) t.retry_after = true;
    return size;
  }

  static size_t OnBody(char* data, size_t, size_t size, void* self) {
    Transfer& t = *static_cast<Transfer*>(self);
    if (!t.response_started) {
      t.response_started = true;
      long status = 0;
      curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
      t.discard_body = status >= 400;
      // A page is kept for its links only if it is one: not an image, say.
      char* content_type = nullptr;
      curl_easy_getinfo(t.easy, CURLINFO_CONTENT_TYPE, &content_type);
      t.keep = t.request.body || (t.request.links && status < 300 && IsHtml(content_type));
    }
    if (t.discard_body) {
      t.discarded += size;
      return t.discarded <= kMaxDiscardedBody ? size : 0;
    }
    // Enforced as the body streams: a huge body stops here, not at its end.
    const bool over = t.bytes + size > t.max_body;
    if (over && !t.request.truncate) {
      t.too_large = true;
      return 0;
    }
    std::string_view piece(data, over ? static_cast<size_t>(t.max_body - t.bytes) : size);
    t.bytes += piece.size();
    t.hash.Update(piece);
    if (t.keep && t.kept.size() < t.max_kept)
      t.kept.append(piece.substr(0, static_cast<size_t>(t.max_kept - t.kept.size())));
    if (t.file.is_open()) {
      t.write_error = t.file.Write(piece);
      if (!t.write_error.ok()) return 0;
    }
    t.truncated = over;
    return over ? 0 : size;  // 0 stops the transfer: the rest is not wanted
  }
};

FetchEngine::FetchEngine(const FetchSettings& settings) : settings_(settings) {
  InitCurlOnce();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  settings_.concurrency = std::max(settings_.concurrency, 1);
  for (const std::string& header : settings_.headers) {
    curl_slist* longer = curl_slist_append(headers_, header.c_str());
    if (longer == nullptr) {
      curl_slist_free_all(headers_);
      curl_multi_cleanup(multi_);
      throw std::runtime_error("curl_slist_append failed");
    }
    headers_ = longer;
  }
}

FetchEngine::~FetchEngine() {
  for (auto& transfer : active_) {
    curl_multi_remove_handle(multi_, transfer->easy);
    curl_easy_cleanup(transfer->easy);
  }
  for (CURL* easy : spare_easy_) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi_);
  curl_slist_free_all(headers_);
}

void FetchEngine::Add(uint64_t token, FetchRequest request) {
  auto transfer = std::make_unique<Transfer>();
  transfer->token = token;
  transfer->request = std::move(request);
  transfer->shown_url = RedactPassword(transfer->request.url);
  const FetchRequest& r = transfer->request;
  transfer->max_body = r.body ? std::min(r.max_bytes, kMaxResultBody) : r.max_bytes;
  transfer->max_kept = r.body ? transfer->max_body : r.links ? kMaxParsedBytes : 0;
  queued_.push_back(std::move(transfer));
}

void FetchEngine::TakeFinished(std::vector<FetchOutcome>* out) {
  for (FetchOutcome& outcome : finished_) out->push_back(std::move(outcome));
  finished_.clear();
}

void FetchEngine::Wait(int extra_fd, bool* extra_ready) {
  Advance();
  // libcurl shortens the wait to its own next timeout.
  int timeout_ms = finished_.empty() ? kMaxWaitMs : 0;
  curl_waitfd extra = {extra_fd, CURL_WAIT_POLLIN, 0};
  curl_multi_poll(multi_, extra_fd >= 0 ? &extra : nullptr, extra_fd >= 0 ? 1 : 0, timeout_ms,
                  nullptr);
  *extra_ready = extra_fd >= 0 && extra.revents != 0;
  Advance();
}

void FetchEngine::Advance() {
  StartQueued();
  int running = 0;
  curl_multi_perform(multi_, &running);
  CollectDone();
  StartQueued();  // into the slots just freed; curl starts them on the next round
}

void FetchEngine::StartQueued() {
  while (!queued_.empty() && active_.size() < static_cast<size_t>(settings_.concurrency)) {
    active_.push_back(std::move(queued_.front()));
    queued_.pop_front();
    Launch(*active_.back());
  }
}

CURL* FetchEngine::TakeEasy() {
  if (spare_easy_.empty()) return curl_easy_init();
  CURL* easy = spare_easy_.back();
  spare_easy_.pop_back();
  curl_easy_reset(easy);
  return easy;
}

void FetchEngine::Launch(Transfer& t) {
  const FetchRequest& request = t.request;
  if (!HasAllowedScheme(request.url))
    return Fail(t, "scheme not allowed (http and https only) for " + t.shown_url);
  if (request.save) {
    if (Status s = t.file.Open(settings_.out_dir); !s.ok())
      return Fail(t, "cannot save the body: " + s.message());
  }
  t.easy = TakeEasy();
  CURL* easy = t.easy;
  if (easy == nullptr) return Fail(t, "curl_easy_init failed for " + t.shown_url);
  const double timeout_ms = std::ceil(request.timeout_s * 1000);
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error_buffer);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.max_redirects > 0 ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(request.max_redirects));
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(timeout_ms, 1.0)));
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kBufferSize);
  // curl_easy_reset() dropped the last transfer's: none unless the run has one.
  if (!settings_.user_agent.empty())
    curl_easy_setopt(easy, CURLOPT_USERAGENT, settings_.user_agent.c_str());
  if (headers_ != nullptr) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK)
    return Fail(t, "curl_multi_add_handle failed for " + t.shown_url);
}

void FetchEngine::CollectDone() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    Transfer* transfer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
    CURLcode code = message->data.result;  // read before the message is freed
    curl_multi_remove_handle(multi_, message->easy_handle);
    Complete(*transfer, code);
  }
}

void FetchEngine::Complete(Transfer& t, int curl_code) {
  CURLcode code = static_cast<CURLcode>(curl_code);
  const FetchRequest& request = t.request;
  if (t.too_large) {
    const bool result_limit = t.max_body < request.max_bytes;
    return Fail(t, result_limit
                       ? "body over " + std::to_string(t.max_body) +
                             " bytes, the most a result holds (body true), for " + t.shown_url
                       : "body over max_bytes (" + std::to_string(request.max_bytes) +
                             " bytes) for " + t.shown_url);
  }
  if (!t.write_error.ok()) return Fail(t, "cannot save the body: " + t.write_error.message());
  if (code == CURLE_WRITE_ERROR && t.discard_body) code = CURLE_OK;  // dropped an error body
  if (code == CURLE_WRITE_ERROR && t.truncated) code = CURLE_OK;     // stopped at the limit
  if (code != CURLE_OK)
    return Fail(t, DescribeCurlFailure(code, t.easy, t.error_buffer, request, t.shown_url),
                IsTransientCurlFailure(code));

  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400) {
    char* effective = nullptr;
    curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &effective);
    std::string effective_url = RedactPassword(effective != nullptr ? effective : request.url);
    std::string redirected =
        effective_url == t.shown_url ? "" : " (redirected to " + effective_url + ")";
    return Fail(t, "HTTP " + std::to_string(status) + " for " + t.shown_url + redirected,
                IsTransientStatus(status));
  }
  std::string path;
  if (request.save) {
    // Named after the URL as written, so no hash of a password is either.
    path = settings_.out_dir + "/" + SavedFileName(t.shown_url);
    if (Status s = t.file.Commit(path); !s.ok())
      return Fail(t, "cannot save the body: " + s.message());
  }
  ResultJson result = SuccessResult(t, status, path);
  Finish(t, true, std::move(result), "");
}

// The result object: the contract's fields, then those the task asked for.
ResultJson FetchEngine::SuccessResult(Transfer& t, long status, const std::string& path) {
  const FetchRequest& request = t.request;
  char* effective = nullptr;
  curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &effective);
  std::string page_url = effective != nullptr ? effective : request.url;
  long redirects = 0;
  curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_COUNT, &redirects);
  char* content_type = nullptr;
  curl_easy_getinfo(t.easy, CURLINFO_CONTENT_TYPE, &content_type);
  // A server's bytes (its content type, a redirect target, a page) may be
  // invalid UTF-8: the writer replaces them.
  JsonObjectWriter result;
  result.Add("url", t.shown_url).Add("effective_url", RedactPassword(page_url));
  result.Add("status", status).Add("bytes", t.bytes).Add("sha256", t.hash.HexDigest());
  content_type != nullptr ? result.Add("content_type", content_type)
                          : result.AddNull("content_type");
  request.save ? result.Add("path", path) : result.AddNull("path");
  result.Add("redirects", redirects);

  // A 3xx not followed (max_redirects 0, or no Location): where it points.
  const bool redirect = status >= 300 && status < 400;
  std::optional<std::string> location;
  if (redirect) {
    char* target = nullptr;
    curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &target);
    if (target != nullptr) location = NormalizeUrl(target);
    location ? result.Add("location", RedactPassword(*location)) : result.AddNull("location");
  }
  if (request.links) {
    HtmlLinks found;
    if (redirect) {
      if (location) found.links.push_back(*location);
    } else if (IsHtml(content_type)) {
      found = ExtractLinks(t.kept, page_url);
    }
    found.title ? result.Add("title", *found.title) : result.AddNull("title");
    std::string links;
    AppendLinks(found.links, &links);
    result.AddRaw("links", links);
  }
  if (request.body) result.Add("body", t.kept);
  if (request.truncate) result.Add("truncated", t.truncated);
  return result.Finish();
}

void FetchEngine::Fail(Transfer& t, std::string error, bool transient) {
  int64_t retry_after_ms = -1;
  if (transient && t.retry_after && t.easy != nullptr) {
    curl_off_t seconds = 0;  // libcurl reads both forms: seconds, and an HTTP date
    curl_easy_getinfo(t.easy, CURLINFO_RETRY_AFTER, &seconds);
    retry_after_ms = std::clamp<curl_off_t>(seconds, 0, kMaxRetryAfterS) * 1000;
  }
  Finish(t, false, {}, std::move(error));
  finished_.back().transient = transient;
  finished_.back().retry_after_ms = retry_after_ms;
}

// Frees the transfer's slot and hands its outcome out.
void FetchEngine::Finish(Transfer& t, bool ok, ResultJson result, std::string error) {
  t.file.Discard();  // no-op once committed
  if (t.easy != nullptr) spare_easy_.push_back(std::exchange(t.easy, nullptr));
  finished_.push_back(
      {.token = t.token, .ok = ok, .result = std::move(result), .error = std::move(error)});
  auto it = std::find_if(active_.begin(), active_.end(),
                         [&](const auto& owned) { return owned.get() == &t; });
  if (it != active_.end()) {
    std::swap(*it, active_.back());
    active_.pop_back();
  }
}

}  // namespace farm
