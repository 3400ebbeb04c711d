// farm::Context: what a library task sees of farm while it runs.
#include <farm/task.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/rng.h"
#include "common/seconds.h"
#include "worker/task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;

// Progress() may be called in a tight loop; the coordinator hears of it at
// most this often per task, so a report costs a clock read, not a write.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

}  // namespace

Context::Context(TaskContext& impl) : impl_(impl), stream_(seed()) {}

std::string_view Context::id() const { return impl_.id_json; }

int Context::worker() const { return impl_.worker.index; }

uint64_t Context::seed() const { return TaskSeed(impl_.worker.master_seed, impl_.id_json); }

uint64_t Context::Random() {  // SplitMix64
  uint64_t value = Mix64(stream_);
  stream_ += 0x9e3779b97f4a7c15ULL;
  return value;
}

std::optional<Clock::time_point> Context::deadline() const {
  if (impl_.worker.task_timeout_s <= 0) return std::nullopt;
  return impl_.started + SecondsDuration(impl_.worker.task_timeout_s);
}

bool Context::expired(Clock::duration margin) const {
  const std::optional<Clock::time_point> at = deadline();
  return at && Clock::now() + margin >= *at;
}

void Context::Progress(double fraction) {
  if (!impl_.worker.send_progress) return;
  const Clock::time_point now = Clock::now();
  if (impl_.progress_sent && now - *impl_.progress_sent < kProgressInterval) return;
  impl_.progress_sent = now;
  impl_.worker.send_progress(impl_.seq, std::isnan(fraction) ? 0 : std::clamp(fraction, 0.0, 1.0));
}

}  // namespace farm
