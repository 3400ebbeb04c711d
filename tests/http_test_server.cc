#include "tests/http_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace farm::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

HttpTestServer::HttpTestServer(Scheme scheme) : scheme_(scheme) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::string script = std::string(FARM_TESTS_DIR) + "/fetch_test_server.py";
  std::string pem = std::string(FARM_TESTS_DIR) + "/data/self_signed_127.0.0.1.pem";
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    if (scheme == Scheme::kHttpsSelfSigned) {
      execl("/usr/bin/python3", "python3", script.c_str(), "--tls", pem.c_str(),
            static_cast<char*>(nullptr));
    } else {
      execl("/usr/bin/python3", "python3", script.c_str(), static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  close(out[1]);
  // The server prints its port once it listens.
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(out[0]);
  port_ = line.empty() ? 0 : std::stoi(line);
  if (port_ <= 0) throw std::runtime_error("the test HTTP server did not start");
}

HttpTestServer::~HttpTestServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string HttpTestServer::Url(const std::string& path) const {
  const char* scheme = scheme_ == Scheme::kHttp ? "http" : "https";
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string HttpTestServer::Get(const std::string& path) const {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(port_);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect to the test server");
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
    throw std::runtime_error("cannot send to the test server");
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
  close(fd);
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(0);
  socklen_t size = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error("cannot find a free port");
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace farm::testing
