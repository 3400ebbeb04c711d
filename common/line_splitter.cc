#include "common/line_splitter.h"

#include <cstring>

namespace farm {

void LineSplitter::Feed(std::string_view bytes) {
  // Compact lazily so a burst of short lines costs one move, not one each.
  if (start_ > 0 && start_ * 2 >= buffer_.size()) {
    buffer_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  buffer_.append(bytes);
}

LineSplitter::Event LineSplitter::Next(std::string_view* line) {
  *line = {};
  const char* base = buffer_.data();
  const void* newline = std::memchr(base + scanned_, '\n', buffer_.size() - scanned_);
  if (newline == nullptr) {
    scanned_ = buffer_.size();
    if (dropping_ || buffered() > max_line_) {
      // Drop what we hold of the oversize line; keep looking for its end.
      dropping_ = true;
      buffer_.clear();
      start_ = scanned_ = 0;
    }
    return Event::kNone;
  }
  size_t end = static_cast<const char*>(newline) - base;
  size_t begin = start_;
  start_ = scanned_ = end + 1;
  if (dropping_) {
    dropping_ = false;
    return Event::kOversize;
  }
  if (end - begin > max_line_) return Event::kOversize;
  *line = std::string_view(base + begin, end - begin);
  return Event::kLine;
}

LineSplitter::Event LineSplitter::Finish(std::string_view* line) {
  *line = {};
  Event event = Event::kNone;
  if (dropping_) {
    event = Event::kOversize;
  } else if (buffered() > 0) {
    event = buffered() > max_line_ ? Event::kOversize : Event::kLine;
    if (event == Event::kLine) *line = std::string_view(buffer_).substr(start_);
  }
  dropping_ = false;
  start_ = scanned_ = buffer_.size();
  return event;
}

}  // namespace farm
