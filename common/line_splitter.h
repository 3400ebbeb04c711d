// Splits a byte stream into '\n'-terminated lines. The lines it yields are a
// pure function of the bytes fed, however they were chunked. A line longer
// than the limit is not buffered: its bytes are dropped as they arrive and it
// is reported once, as oversize, when its newline comes, so no input can
// make the splitter hold more than about max_line bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace farm {

class LineSplitter {
 public:
  enum class Event { kNone, kLine, kOversize };

  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}

  // Appends bytes. Views returned by Next() are invalidated.
  void Feed(std::string_view bytes);

  // The next complete line, without its '\n' (a trailing '\r' is kept).
  // kOversize reports a dropped line and leaves *line empty.
  Event Next(std::string_view* line);

  // Call at end of input, after Next() returned kNone: reports the last line
  // if it had no '\n' (kLine or kOversize), then kNone.
  Event Finish(std::string_view* line);

  // Bytes held for a line not yet complete.
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  size_t max_line_;
  std::string buffer_;
  size_t start_ = 0;     // first byte of the current line
  size_t scanned_ = 0;   // bytes before this offset hold no '\n'
  bool dropping_ = false;  // inside an oversize line
};

}  // namespace farm
