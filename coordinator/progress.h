// The progress line on stderr: done/total, rate, ETA; redrawn a few times a
// second at most.
#pragma once

#include <chrono>
#include <cstdint>

namespace farm {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  // `fraction` is how much of the input is read (-1 if unknown): with the
  // count done it gives the total and the ETA.
  void Update(uint64_t done, uint64_t failed, double fraction, bool force = false);
  // Erases the line before the summary.
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool drawn_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_;
};

}  // namespace farm
