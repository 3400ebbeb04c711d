#include "coordinator/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "coordinator/signals.h"

namespace farm {
namespace {

constexpr size_t kCountChunk = 4 << 20;  // bytes counted per redraw: a few ms
constexpr int kBarWidth = 20;

std::string HoursMinutesSeconds(double seconds) {
  long s = std::lround(std::max(0.0, std::min(seconds, 359999.0)));
  char text[32];
  snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

}  // namespace

std::string FormatProgress(uint64_t done, uint64_t failed, uint64_t total, bool exact,
                           double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const char* about = exact ? "" : "\xe2\x89\x88";  // ≈
  char text[256];
  int n;
  if (total > 0) {
    total = std::max(total, done);
    double fraction = static_cast<double>(done) / static_cast<double>(total);
    int filled = static_cast<int>(fraction * kBarWidth);
    std::string bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
    n = snprintf(text, sizeof text, "farm: %llu/%s%llu (%d%%) [%s] %.*f/s",
                 (unsigned long long)done, about, (unsigned long long)total,
                 static_cast<int>(fraction * 100), bar.c_str(), rate < 10 ? 1 : 0, rate);
    if (rate > 0)
      n += snprintf(text + n, sizeof text - n, ", ETA %s%s", about,
                    HoursMinutesSeconds(static_cast<double>(total - done) / rate).c_str());
  } else {
    n = snprintf(text, sizeof text, "farm: %llu done, %.*f/s", (unsigned long long)done,
                 rate < 10 ? 1 : 0, rate);
  }
  if (failed > 0) snprintf(text + n, sizeof text - n, ", %llu failed", (unsigned long long)failed);
  return text;
}

Progress::Progress(const RunOptions& options) : enabled_(options.progress) {
  if (!enabled_ || options.resume || !options.urls.empty()) return;
  // Our own descriptor: the run's reads keep their offset. "-" may be a file.
  const char* path = options.input == "-" ? "/dev/stdin" : options.input.c_str();
  Fd fd(open(path, O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd.valid() && fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) input_ = std::move(fd);
}

void Progress::CountSomeLines() {
  if (!input_.valid()) return;
  std::vector<char> chunk(kCountChunk);
  ssize_t n;
  do {
    n = pread(input_.get(), chunk.data(), chunk.size(), static_cast<off_t>(counted_offset_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {  // no total then; the estimate stays
    input_.reset();
    return;
  }
  if (n == 0) {
    lines_ += ends_with_newline_ ? 0 : 1;  // a last line without '\n' is a task too
    lines_counted_ = true;
    input_.reset();
    return;
  }
  lines_ += static_cast<uint64_t>(std::count(chunk.data(), chunk.data() + n, '\n'));
  ends_with_newline_ = chunk[static_cast<size_t>(n) - 1] == '\n';
  counted_offset_ += static_cast<uint64_t>(n);
}

void Progress::Update(uint64_t done, uint64_t failed, double fraction, bool force) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  CountSomeLines();
  uint64_t total = 0;
  if (lines_counted_)
    total = lines_;
  else if (fraction > 0 && done > 0)
    total = static_cast<uint64_t>(std::llround(static_cast<double>(done) / fraction));
  double seconds = std::chrono::duration<double>(now - start_).count();
  std::string line = "\r\033[K" + FormatProgress(done, failed, total, lines_counted_, seconds);
  Say(line);
  drawn_ = true;
}

void Progress::Clear() {
  if (drawn_) Say("\r\033[K");
  drawn_ = false;
}

}  // namespace farm
