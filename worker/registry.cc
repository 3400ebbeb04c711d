#include "worker/registry.h"

#include "common/edit_distance.h"

namespace farm {
namespace {

constexpr TaskType kTaskTypes[] = {
    {"fetch", "downloads a URL with libcurl (fields: url, timeout_s, save, max_bytes)", RunFetch},
    {"fib", "F(n) with GMP (fields: n, method, full)", RunFib},
    {"pi", "Monte Carlo estimate of pi (fields: samples)", RunPi},
    {"random", "uniform doubles from the worker's RNG (fields: count)", RunRandom},
    {"sleep", "waits, standing in for I/O (fields: ms)", RunSleep},
};

}  // namespace

std::span<const TaskType> TaskTypes() { return kTaskTypes; }

const TaskType* FindTaskType(std::string_view name) {
  for (const TaskType& type : kTaskTypes)
    if (type.name == name) return &type;
  return nullptr;
}

std::string UnknownTaskTypeMessage(std::string_view name) {
  std::string message = "unknown task type '" + std::string(name) + "'";
  const TaskType* closest = nullptr;
  size_t best = 3;  // suggest only near misses, as ninja does
  for (const TaskType& type : kTaskTypes) {
    size_t distance = EditDistance(name, type.name);
    if (distance < best && distance < name.size()) best = distance, closest = &type;
  }
  if (closest != nullptr) return message + " (did you mean '" + std::string(closest->name) + "'?)";
  message += " (known types:";
  for (const TaskType& type : kTaskTypes) message += " " + std::string(type.name);
  return message + ")";
}

}  // namespace farm
