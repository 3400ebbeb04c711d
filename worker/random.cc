// Draws from the worker's own stream: shows that workers never share one.
#include <vector>

#include "common/json_writer.h"
#include "worker/registry.h"

namespace farm {

ResultJson RunRandom(const nlohmann::json& task, TaskContext& context) {
  static const TaskField& kCount = TaskFieldOf("random", "count");
  int64_t count = ReadInteger(task, kCount);
  std::vector<double> values(static_cast<size_t>(count));
  for (double& value : values) value = context.worker.rng.NextDouble();
  return JsonObjectWriter()
      .Add("values", std::span<const double>(values))
      .Add("worker_seed", context.worker.seed)
      .Finish();
}

}  // namespace farm
