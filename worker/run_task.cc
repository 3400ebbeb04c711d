#include "worker/run_task.h"

#include <chrono>
#include <string_view>

#include "common/canonical_id.h"
#include "common/json_writer.h"
#include "common/result_line.h"
#include "common/wire.h"
#include "worker/registry.h"

namespace farm {

std::string TaskIdJson(const nlohmann::json& task, uint64_t seq) {
  std::string id_json;
  if (!CanonicalId(task, seq, &id_json))
    throw TaskFailure("bad_task", "field 'id' must be a string or an integer, got " +
                                      DescribeValue(task.at("id")));
  return id_json;
}

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

bool RunTask(uint64_t seq, int attempt, const nlohmann::json& task, Clock::time_point started,
             WorkerContext& worker, std::string* out) {
  std::string id_json = std::to_string(seq);
  std::string type_json = "null";
  std::string error_code, error_message;
  ResultJson result;  // on failure, what the task still produced (may be empty)
  try {
    if (!task.is_object()) throw TaskFailure("bad_task", "a task must be a JSON object");
    if (auto it = task.find("type"); it != task.end() && it->is_string()) {
      type_json.clear();
      AppendJsonString(it->get_ref<const std::string&>(), &type_json);
    }
    id_json = TaskIdJson(task, seq);
    const TaskType& type = CheckedTaskType(task);
    TaskContext context{.worker = worker, .id_json = id_json, .seq = seq, .started = started};
    result = type.run(task, context);
  } catch (const TaskFailure& failure) {
    error_code = failure.code;
    error_message = failure.what();
    result = failure.result;
  } catch (const std::exception& error) {
    error_code = "bad_task";
    error_message = error.what();
  }
  ResultHeader header{
      .id_json = id_json,
      .type_json = type_json,
      .worker = worker.index,
      .attempts = attempt,
      .elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count()};
  const size_t start = out->size();
  if (error_code.empty()) {
    AppendSuccessLine(header, result, out);
  } else {
    AppendErrorLine(header, error_code, error_message, out, result);
  }
  // Past the wire's limit the coordinator would take the reply for a broken
  // worker's and run the task again: it fails here, once, saying why.
  if (const size_t size = out->size() - start; size > wire::kMaxResultLine) {
    out->resize(start);
    AppendErrorLine(header, "bad_task",
                    "its result line would be " + std::to_string(size) + " bytes, over the " +
                        std::to_string(wire::kMaxResultLine) + " a result may have",
                    out);
    return false;
  }
  return error_code.empty();
}

}  // namespace farm
