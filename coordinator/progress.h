// The progress line on stderr: done/total, percentage, a bar, rate, ETA and
// failures; redrawn a few times a second at most.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/fd.h"
#include "coordinator/options.h"

namespace farm {

// One progress line, without the leading "\r\033[K". `total` is 0 when
// unknown; `exact` false marks it an estimate ("≈").
std::string FormatProgress(uint64_t done, uint64_t failed, uint64_t total, bool exact,
                           double seconds);

class Progress {
 public:
  // When the run's input is a regular file read whole (no --urls, no
  // --resume), its lines are the tasks: they are counted a few MiB per
  // redraw, so the total is exact once counted and estimated until then.
  explicit Progress(const RunOptions& options);
  // `fraction` is how much of the input is read (-1 if unknown): with the
  // count done it estimates the total while the lines are being counted.
  void Update(uint64_t done, uint64_t failed, double fraction, bool force = false);
  // Erases the line before the summary.
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  // Counts the next chunk of the input's lines; sets lines_counted_ at the end.
  void CountSomeLines();

  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_;
  Fd input_;  // our own descriptor of a regular input file, while counting
  uint64_t counted_offset_ = 0;
  uint64_t lines_ = 0;
  bool ends_with_newline_ = true;
  bool lines_counted_ = false;
};

}  // namespace farm
