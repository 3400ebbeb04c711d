// Your own task types. Register them before anything starts workers (before
// farm::Main, before the first farm::Executor): workers are forks of your
// program, or threads in it, so a type registered first is there in each.
//
//   farm::RegisterTask({
//       .name = "primes",
//       .description = "counts the primes in [lo, hi)",
//       .fields = {{.name = "lo", .required = true, .max = 1e12},
//                  {.name = "hi", .required = true, .max = 1e12}},
//       .run = [](const nlohmann::json& task, farm::Context&) -> nlohmann::json {
//         return {{"count", CountPrimes(task["lo"], task["hi"])}};
//       }});
//   return farm::Main(argc, argv);  // farm run, gen, bench, help tasks: all of it
//
// A long task may watch its deadline and report its progress:
//
//   for (int64_t n = lo; n < hi; ++n) {
//     if (context.expired(std::chrono::milliseconds(500)))
//       return {{"count", count}, {"stopped_at", n}};  // a partial result, not a timeout
//     context.Progress(double(n - lo) / double(hi - lo));
//     count += IsPrime(n);
//   }
//
// A task line {"type":"primes","lo":1,"hi":100} is checked against the
// fields before `run` sees it: unknown fields get "did you mean", missing
// or out-of-range ones a bad_task error naming the field, as built-ins do.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace farm {

// A task's failure, as a result line's "error": {"code", "message"}. Throw
// it from a task function (any other exception is a bad_task); a future's
// Get() throws it for a task that failed.
struct TaskError : std::runtime_error {
  TaskError(std::string code, const std::string& message, std::string result = {})
      : std::runtime_error(message), code(std::move(code)), result(std::move(result)) {}
  std::string code;  // bad_task, worker_died, timeout, ... or your own
  // What the failed task still produced, as a JSON object's text (an exec
  // task's exit status and output); empty for none.
  std::string result;
};

// kArray and kObject are read by their task's function itself (exec's argv,
// env); the table still names them, for the unknown-field check and help.
enum class FieldKind { kInteger, kNumber, kBoolean, kString, kArray, kObject };

// One field of a task type: validated before the task runs, listed by
// `farm help tasks`, and a flag of `farm gen`.
struct Field {
  std::string name = {};
  FieldKind kind = FieldKind::kInteger;
  bool required = false;
  // Integers and numbers: the range allowed (both 0: any value below 2^53
  // in magnitude); `min` itself excluded when `min_excluded`.
  double min = 0;
  double max = 0;
  bool min_excluded = false;
  // An optional field's value when absent (null: zero, false or "").
  nlohmann::json default_value = nullptr;
  // Strings: the values allowed; empty for any.
  std::vector<std::string> allowed = {};
  std::string description = {};
  // A required field's value for `farm gen` when no flag gives one.
  std::string example = {};
};

struct TaskContext;  // farm's own, private

// What a task may use while it runs.
class Context {
 public:
  explicit Context(TaskContext& impl);
  // The task's id as JSON text (7 or "x").
  std::string_view id() const;
  // The worker running it (0-based).
  int worker() const;
  // The task's own seed, from (master seed, task id): the same whatever
  // worker, mode or order runs it. Draw from Random() for results that must
  // not depend on scheduling.
  uint64_t seed() const;
  // The next number of the task's own stream: SplitMix64 from seed().
  uint64_t Random();
  // Uniform in [0, 1) from the same stream.
  double Uniform() { return static_cast<double>(Random() >> 11) * 0x1.0p-53; }

  // When the task is killed (and fails with "timeout"): --task-timeout, or
  // ExecutorOptions::task_timeout_s, after it started; nullopt without one
  // (thread and sequential modes have none). A long task that watches it can
  // stop in time and return what it has.
  std::optional<std::chrono::steady_clock::time_point> deadline() const;
  // Whether less than `margin` is left before deadline(): give the margin
  // your result needs to be made and reach farm before the kill. Always
  // false without a deadline.
  bool expired(std::chrono::steady_clock::duration margin = {}) const;

  // How far the task got, 0 to 1 (clamped), for the Executor's
  // Future::Progress(); `farm run` shows none. Cheap enough for a tight loop:
  // a report within 100 ms of the last one sent is dropped.
  void Progress(double fraction);

 private:
  TaskContext& impl_;
  uint64_t stream_;
};

// A task type's function: its fields (already checked) in, its result out.
using TaskFunction = std::function<nlohmann::json(const nlohmann::json& task, Context& context)>;

// Every member has a default, so that designated initializers may leave
// any out (and build with -Wextra's missing-field-initializers).
struct TaskSpec {
  std::string name = {};  // 1 to 64 of a-z, 0-9, _ and -
  std::string description = {};
  std::vector<Field> fields = {};
  TaskFunction run = {};
};

// Adds a task type. Throws std::invalid_argument for a malformed or taken
// name, or an invalid field, and std::logic_error once an Executor started.
void RegisterTask(TaskSpec spec);

// farm's whole command line (`farm run|gen|bench|help|version`), for your
// task types too. Returns the exit status.
int Main(int argc, char** argv);

}  // namespace farm
