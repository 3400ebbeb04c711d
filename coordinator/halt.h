// --halt, as GNU parallel means it: stop a run early once enough tasks
// failed (or succeeded). `soon` hands out no new task and lets the running
// ones finish; `now` stops the running ones too. Tasks not run get no result
// line, so a later --resume runs them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace farm {

struct HaltPolicy {
  enum class When { kNever, kSoon, kNow };
  When when = When::kNever;
  bool on_success = false;  // success=..., else fail=...
  uint64_t count = 0;       // =N
  double percent = 0;       // =P%, when count is 0

  // Parses "now,fail=1", "soon,fail=3", "soon,fail=30%", "now,success=1",
  // or "never".
  static Status Parse(std::string_view text, HaltPolicy* policy);

  // Whether the run must halt with these counts of finished tasks. A
  // percentage is of the tasks finished so far, once at least three are.
  bool Triggered(uint64_t ok, uint64_t failed) const;

  // "--halt soon,fail=1", for messages.
  std::string Describe() const;
};

}  // namespace farm
