#include "coordinator/result_sink.h"

#include <unistd.h>

namespace farm {
namespace {

constexpr size_t kFlushAt = 256 * 1024;

}  // namespace

ResultSink::ResultSink(Fd fd, bool keep_order) : fd_(std::move(fd)), keep_order_(keep_order) {}

ResultSink::~ResultSink() {
  (void)Flush();
  if (fd_.get() == STDOUT_FILENO) fd_.release();
}

void ResultSink::Emit(std::string_view line) {
  buffer_.append(line);
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushAt) (void)Flush();
}

void ResultSink::Add(uint64_t seq, std::string_view line, bool ok) {
  ok ? ++ok_ : ++failed_;
  if (!keep_order_) return Emit(line);
  if (seq != next_seq_) {
    held_.emplace(seq, line);
    return;
  }
  Emit(line);
  ++next_seq_;
  Release();
}

void ResultSink::Skip(uint64_t seq) {
  if (!keep_order_) return;
  if (seq != next_seq_) {
    held_.emplace(seq, std::string());
    return;
  }
  ++next_seq_;
  Release();
}

void ResultSink::Release() {
  for (auto it = held_.begin(); it != held_.end() && it->first == next_seq_;
       it = held_.erase(it), ++next_seq_) {
    if (!it->second.empty()) Emit(it->second);
  }
}

void ResultSink::ReleaseHeld() {
  for (auto& [seq, line] : held_)
    if (!line.empty()) Emit(line);
  held_.clear();
}

Status ResultSink::Flush() {
  if (!buffer_.empty() && status_.ok()) status_ = WriteAll(fd_.get(), buffer_);
  buffer_.clear();
  return status_;
}

}  // namespace farm
