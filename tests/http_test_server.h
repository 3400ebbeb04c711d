// The test HTTP server (tests/fetch_test_server.py) as a child process on
// an ephemeral port of 127.0.0.1, killed and reaped when destroyed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace farm::testing {

class HttpTestServer {
 public:
  enum class Scheme { kHttp, kHttpsSelfSigned };
  // Throws std::runtime_error if it cannot start. kHttpsSelfSigned serves
  // https with a certificate no CA signed (tests/data). With a `root`
  // directory, a path naming a file below it is that file, as a web server
  // would serve it (see --root in the script).
  explicit HttpTestServer(Scheme scheme = Scheme::kHttp, const std::string& root = "");
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https for kHttpsSelfSigned).
  std::string Url(const std::string& path) const;
  // The body of GET path, fetched with a plain socket (no farm code involved).
  std::string Get(const std::string& path) const;

 private:
  Scheme scheme_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// tests/crawl_site.py serve: a generated site on two hosts of 127.0.0.1
// (ports a and b), killed and reaped when destroyed.
class CrawlSite {
 public:
  // `args`: crawl_site.py's options (--pages N, --flaky K, ...). Throws
  // std::runtime_error if it cannot start.
  explicit CrawlSite(const std::vector<std::string>& args = {});
  ~CrawlSite();
  CrawlSite(const CrawlSite&) = delete;
  CrawlSite& operator=(const CrawlSite&) = delete;

  std::string A(const std::string& path) const;  // "http://127.0.0.1:PORT_A" + path
  std::string B(const std::string& path) const;
  // GET path on host a, parsed: /__stats, /__expected?...
  nlohmann::json Json(const std::string& path) const;

 private:
  pid_t pid_ = -1;
  int in_fd_ = -1;  // its stdin: it ends when this closes
  int port_a_ = 0;
  int port_b_ = 0;
};

// A port on 127.0.0.1 where nothing listens (bound, then released).
int UnusedPort();

}  // namespace farm::testing
