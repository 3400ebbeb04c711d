// Draws from the worker's own stream: shows that workers never share one.
#include "worker/registry.h"

namespace farm {

ResultJson RunRandom(const nlohmann::json& task, TaskContext& context) {
  int64_t count = RequireInt(task, "count", 1, 10'000);
  ResultJson values = ResultJson::array();
  for (int64_t i = 0; i < count; ++i) values.push_back(context.worker.rng.NextDouble());
  return {{"values", std::move(values)}, {"worker_seed", context.worker.seed}};
}

}  // namespace farm
