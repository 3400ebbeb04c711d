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

// Starts `python3 script args...` from the tests' folder; returns the first
// line it prints, which it prints once it listens. *in_fd, if not null,
// gets a pipe to its stdin.
std::string StartServer(const std::string& script, const std::vector<std::string>& args,
                        pid_t* pid, int* in_fd = nullptr) {
  int out[2], in[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::vector<std::string> words = {"python3", std::string(FARM_TESTS_DIR) + "/" + script};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  *pid = fork();
  if (*pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(in_fd != nullptr ? in[0] : open("/dev/null", O_RDONLY), STDIN_FILENO);
    execv("/usr/bin/python3", argv.data());
    _exit(127);
  }
  close(out[1]);
  close(in[0]);
  if (in_fd != nullptr) {
    *in_fd = in[1];
  } else {
    close(in[1]);
  }
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(out[0]);
  return line;
}

void Stop(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// The body of GET path from 127.0.0.1:port, with a plain socket (no farm
// code involved).
std::string Get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = Loopback(port);
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

}  // namespace

HttpTestServer::HttpTestServer(Scheme scheme, const std::string& root) : scheme_(scheme) {
  std::vector<std::string> args;
  if (scheme == Scheme::kHttpsSelfSigned)
    args = {"--tls", std::string(FARM_TESTS_DIR) + "/data/self_signed_127.0.0.1.pem"};
  if (!root.empty()) args.insert(args.end(), {"--root", root});
  std::string line = StartServer("fetch_test_server.py", args, &pid_);  // its port
  port_ = line.empty() ? 0 : std::stoi(line);
  if (port_ <= 0) throw std::runtime_error("the test HTTP server did not start");
}

HttpTestServer::~HttpTestServer() { Stop(pid_); }

std::string HttpTestServer::Url(const std::string& path) const {
  const char* scheme = scheme_ == Scheme::kHttp ? "http" : "https";
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string HttpTestServer::Get(const std::string& path) const {
  return testing::Get(port_, path);
}

CrawlSite::CrawlSite(const std::vector<std::string>& args) {
  std::vector<std::string> words = {"serve"};
  words.insert(words.end(), args.begin(), args.end());
  nlohmann::json ports =
      nlohmann::json::parse(StartServer("crawl_site.py", words, &pid_, &in_fd_), nullptr, false);
  if (!ports.is_object()) throw std::runtime_error("the crawl test site did not start");
  port_a_ = ports["a"];
  port_b_ = ports["b"];
}

CrawlSite::~CrawlSite() {
  close(in_fd_);
  Stop(pid_);
}

std::string CrawlSite::A(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_a_) + path;
}

std::string CrawlSite::B(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_b_) + path;
}

nlohmann::json CrawlSite::Json(const std::string& path) const {
  return nlohmann::json::parse(testing::Get(port_a_, path));
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
