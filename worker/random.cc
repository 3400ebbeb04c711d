// Draws from the worker's own stream: shows that workers never share one.
#include <vector>

#include "common/json_writer.h"
#include "worker/registry.h"

namespace farm {

ResultJson RunRandom(const nlohmann::json& task, TaskContext& context) {
  int64_t count = RequireInt(task, "count", 1, 10'000);
  std::vector<double> values(static_cast<size_t>(count));
  for (double& value : values) value = context.worker.rng.NextDouble();
  return JsonObjectWriter()
      .Add("values", std::span<const double>(values))
      .Add("worker_seed", context.worker.seed)
      .Finish();
}

}  // namespace farm
