// Monte Carlo pi from the task's own stream, so the estimate depends only on
// (master seed, task id): the same for any -j, mode or schedule.
#include "common/json_writer.h"
#include "worker/registry.h"

namespace farm {

// Counts draws of (x, y) on a 2^32 x 2^32 grid with x^2 + y^2 < 2^64: exact
// integer arithmetic, one 64-bit draw per sample.
uint64_t CountInsideQuarterCircle(Rng& rng, uint64_t samples) {
  uint64_t inside = 0;
  for (uint64_t i = 0; i < samples; ++i) {
    uint64_t draw = rng.Next();
    uint64_t x = draw >> 32, y = draw & 0xffffffffu, sum;
    inside += !__builtin_add_overflow(x * x, y * y, &sum);
  }
  return inside;
}

ResultJson RunPi(const nlohmann::json& task, TaskContext& context) {
  static const TaskField& kSamples = TaskFieldOf("pi", "samples");
  uint64_t samples = ReadInteger(task, kSamples);
  uint64_t seed = TaskSeed(context.worker.master_seed, context.id_json);
  Rng rng(seed);
  uint64_t inside = CountInsideQuarterCircle(rng, samples);
  return JsonObjectWriter()
      .Add("samples", samples)
      .Add("inside", inside)
      .Add("estimate", 4.0 * static_cast<double>(inside) / static_cast<double>(samples))
      .Add("seed", seed)
      .Finish();
}

}  // namespace farm
