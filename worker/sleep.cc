// Waits: a stand-in for I/O that holds a worker without using a core.
#include <errno.h>
#include <time.h>

#include "common/json_writer.h"
#include "worker/registry.h"

namespace farm {

ResultJson RunSleep(const nlohmann::json& task, TaskContext&) {
  static const TaskField& kMs = TaskFieldOf("sleep", "ms");
  int64_t ms = ReadInteger(task, kMs);
  if (ms == 0) return JsonObjectWriter().Add("ms", ms).Finish();  // nanosleep(0) still costs timer slack
  timespec remaining = {static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1'000'000};
  while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
  }
  return JsonObjectWriter().Add("ms", ms).Finish();
}

}  // namespace farm
