// A small success-or-error value. Errors carry a message with context, e.g.
// "open tasks.jsonl: No such file or directory".
#pragma once

#include <string>
#include <utility>

namespace farm {

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }
  // "<what>: strerror(errno)".
  static Status FromErrno(const std::string& what, int error_number);

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}

  bool failed_ = false;
  std::string message_;
};

}  // namespace farm
