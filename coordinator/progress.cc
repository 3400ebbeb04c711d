#include "coordinator/progress.h"

#include <stdio.h>
#include <unistd.h>

#include <string>

#include "coordinator/signals.h"

namespace farm {

void Progress::Update(uint64_t done, uint64_t failed, double fraction, bool force) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  char line[160];
  int n = snprintf(line, sizeof line, "\r\033[Kfarm: %llu done", (unsigned long long)done);
  if (fraction > 0 && done > 0) {
    double total = static_cast<double>(done) / fraction;
    double eta = rate > 0 ? (total - static_cast<double>(done)) / rate : 0;
    n += snprintf(line + n, sizeof line - n, "/~%.0f, %.0f/s, ETA %.0f s", total, rate, eta);
  } else {
    n += snprintf(line + n, sizeof line - n, ", %.0f/s", rate);
  }
  if (failed > 0) n += snprintf(line + n, sizeof line - n, ", %llu failed", (unsigned long long)failed);
  Say(std::string_view(line, static_cast<size_t>(n)));
  drawn_ = true;
}

void Progress::Clear() {
  if (drawn_) Say("\r\033[K");
  drawn_ = false;
}

}  // namespace farm
