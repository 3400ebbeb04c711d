// A time in seconds, as flags and settings give it, as a steady-clock
// duration: the coordinator's deadlines and the worker's view of them agree.
#pragma once

#include <algorithm>
#include <chrono>

namespace farm {

// Saturated at ten years, so that no flag value can overflow a deadline.
inline std::chrono::steady_clock::duration SecondsDuration(double seconds) {
  constexpr double kMax = 10 * 365 * 24 * 3600.0;
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::clamp(seconds, 0.0, kMax)));
}

}  // namespace farm
