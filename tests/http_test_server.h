// The test HTTP server (tests/fetch_test_server.py) as a child process on
// an ephemeral port of 127.0.0.1, killed and reaped when destroyed.
#pragma once

#include <sys/types.h>

#include <string>

namespace farm::testing {

class HttpTestServer {
 public:
  enum class Scheme { kHttp, kHttpsSelfSigned };
  // Throws std::runtime_error if it cannot start. kHttpsSelfSigned serves
  // https with a certificate no CA signed (tests/data).
  explicit HttpTestServer(Scheme scheme = Scheme::kHttp);
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

// A port on 127.0.0.1 where nothing listens (bound, then released).
int UnusedPort();

}  // namespace farm::testing
