// The test HTTP server (tests/fetch_test_server.py) as a child process on
// an ephemeral port of 127.0.0.1, killed and reaped when destroyed.
#pragma once

#include <sys/types.h>

#include <string>

namespace farm::testing {

class HttpTestServer {
 public:
  HttpTestServer();  // throws std::runtime_error if it cannot start
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  // The body of GET path, fetched with a plain socket (no farm code involved).
  std::string Get(const std::string& path) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (bound, then released).
int UnusedPort();

}  // namespace farm::testing
