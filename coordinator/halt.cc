#include "coordinator/halt.h"

#include <stdio.h>

#include "coordinator/flags.h"

namespace farm {
namespace {

// A percentage needs a few tasks behind it: one failure of one is not 100%.
constexpr uint64_t kMinTasksForPercent = 3;

Status Usage(std::string_view text) {
  return Status::Error("--halt: expected now|soon,fail=N|fail=P%|success=N|success=P%, or never; got '" +
                       std::string(text) + "'");
}

}  // namespace

Status HaltPolicy::Parse(std::string_view text, HaltPolicy* policy) {
  *policy = HaltPolicy();
  if (text == "never") return Status::Ok();
  size_t comma = text.find(',');
  if (comma == std::string_view::npos) return Usage(text);
  std::string_view when = text.substr(0, comma), condition = text.substr(comma + 1);
  if (when == "now") {
    policy->when = When::kNow;
  } else if (when == "soon") {
    policy->when = When::kSoon;
  } else {
    return Usage(text);
  }
  size_t equals = condition.find('=');
  if (equals == std::string_view::npos) return Usage(text);
  std::string_view what = condition.substr(0, equals), amount = condition.substr(equals + 1);
  if (what == "success") {
    policy->on_success = true;
  } else if (what != "fail") {
    return Usage(text);
  }
  if (amount.ends_with('%')) {
    double percent;
    amount.remove_suffix(1);
    if (!ParseDouble("--halt", amount, 0, &percent).ok() || percent <= 0 || percent > 100)
      return Status::Error("--halt: a percentage above 0 and at most 100, got '" +
                           std::string(amount) + "%'");
    policy->percent = percent;
    return Status::Ok();
  }
  int64_t count;
  if (Status s = ParseInt("--halt", amount, 1, int64_t{1} << 62, &count); !s.ok()) return s;
  policy->count = static_cast<uint64_t>(count);
  return Status::Ok();
}

bool HaltPolicy::Triggered(uint64_t ok, uint64_t failed) const {
  if (when == When::kNever) return false;
  uint64_t counted = on_success ? ok : failed;
  if (count > 0) return counted >= count;
  uint64_t finished = ok + failed;
  return finished >= kMinTasksForPercent &&
         100.0 * static_cast<double>(counted) >= percent * static_cast<double>(finished);
}

std::string HaltPolicy::Describe() const {
  if (when == When::kNever) return "--halt never";
  char amount[32];
  if (count > 0) {
    snprintf(amount, sizeof amount, "%llu", static_cast<unsigned long long>(count));
  } else {
    snprintf(amount, sizeof amount, "%g%%", percent);
  }
  return std::string("--halt ") + (when == When::kNow ? "now" : "soon") + "," +
         (on_success ? "success=" : "fail=") + amount;
}

}  // namespace farm
