// The table of task types and their fields, and the hints an unknown type
// or field gets.
#include "worker/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "worker/run_task.h"

namespace farm {
namespace {

TEST(Registry, EveryTypeOfTheContractIsFound) {
  for (std::string_view name : {"fib", "pi", "random", "sleep"}) {
    const TaskType* type = FindTaskType(name);
    ASSERT_NE(type, nullptr) << name;
    EXPECT_EQ(type->name, name);
    EXPECT_NE(type->run, nullptr);
    EXPECT_FALSE(type->description.empty());
  }
}

TEST(Registry, NamesAreUnique) {
  std::set<std::string_view> names;
  for (const TaskType& type : TaskTypes()) EXPECT_TRUE(names.insert(type.name).second) << type.name;
}

TEST(Registry, LookupIsExact) {
  EXPECT_EQ(FindTaskType("Fib"), nullptr);
  EXPECT_EQ(FindTaskType("fib "), nullptr);
  EXPECT_EQ(FindTaskType(""), nullptr);
  EXPECT_EQ(FindTaskType(std::string_view("fib\0", 4)), nullptr);
}

TEST(Registry, NearMissGetsDidYouMean) {
  EXPECT_EQ(UnknownTaskTypeMessage("fbi"), "unknown task type 'fbi' (did you mean 'fib'?)");
  EXPECT_EQ(UnknownTaskTypeMessage("sleeep"), "unknown task type 'sleeep' (did you mean 'sleep'?)");
  EXPECT_EQ(UnknownTaskTypeMessage("randon"),
            "unknown task type 'randon' (did you mean 'random'?)");
  EXPECT_EQ(UnknownTaskTypeMessage("pie"), "unknown task type 'pie' (did you mean 'pi'?)");
  EXPECT_EQ(UnknownTaskTypeMessage("FIB").find("did you mean"), std::string::npos);
}

TEST(Registry, FarOffNameListsTheKnownTypes) {
  EXPECT_EQ(UnknownTaskTypeMessage("download"),
            "unknown task type 'download' (known types: exec fetch fib pi random sleep)");
  // One letter is "close" to every short name; that is no hint.
  EXPECT_EQ(UnknownTaskTypeMessage("x"),
            "unknown task type 'x' (known types: exec fetch fib pi random sleep)");
  EXPECT_EQ(UnknownTaskTypeMessage(""), "unknown task type '' (known types: exec fetch fib pi random sleep)");
}

}  // namespace
}  // namespace farm

namespace farm {
namespace {

using nlohmann::json;

// The failure RunTask reports for `task`, or "" if it ran.
std::string TaskError(const json& task) {
  WorkerContext worker;
  worker.allow_exec = true;
  std::string line;
  if (RunTask(1, 1, task, std::chrono::steady_clock::now(), worker, &line)) return "";
  return json::parse(line)["error"]["message"];
}

// A task of `type` with every required field at a cheap valid value, so that
// one field at a time can be spoiled.
json ValidTask(const TaskType& type) {
  json task = {{"type", type.name}};
  if (type.name == "exec") task["argv"] = {"true"};  // argv or shell: neither is required alone
  for (const TaskField& field : type.fields) {
    if (!field.required) continue;
    if (field.kind == FieldKind::kInteger) task[field.name] = static_cast<int64_t>(field.min);
    if (field.kind == FieldKind::kString) task[field.name] = "http://127.0.0.1:1/";
  }
  return task;
}

TEST(TaskFields, DefaultsAndLimitsAreConsistent) {
  for (const TaskType& type : TaskTypes()) {
    std::set<std::string_view> names;
    for (const TaskField& field : type.fields) {
      SCOPED_TRACE(std::string(type.name) + "." + std::string(field.name));
      EXPECT_TRUE(names.insert(field.name).second);
      EXPECT_FALSE(IsFieldOfEveryTask(field.name));
      EXPECT_FALSE(field.description.empty());
      if (field.kind == FieldKind::kInteger || field.kind == FieldKind::kNumber) {
        EXPECT_LE(field.min, field.max);
      }
      if (field.kind == FieldKind::kInteger) {
        EXPECT_EQ(field.min, std::floor(field.min));
        EXPECT_EQ(field.max, std::floor(field.max));
        EXPECT_LT(field.max, 0x1p53);
      }
      if (field.required) continue;
      // An optional field's default passes its own reader.
      json task = json::object();
      switch (field.kind) {
        case FieldKind::kInteger: task[field.name] = field.default_integer; break;
        case FieldKind::kNumber: task[field.name] = field.default_number; break;
        case FieldKind::kBoolean: task[field.name] = field.default_boolean; break;
        case FieldKind::kString: task[field.name] = field.default_string; break;
        case FieldKind::kArray:
        case FieldKind::kObject: continue;  // read by their executor, no default
      }
      EXPECT_NO_THROW(field.kind == FieldKind::kInteger  ? (void)ReadInteger(task, field)
                      : field.kind == FieldKind::kNumber ? (void)ReadNumber(task, field)
                      : field.kind == FieldKind::kBoolean ? (void)ReadBoolean(task, field)
                                                          : (void)ReadString(task, field));
    }
  }
}

// Each executor reads every field its row declares, through the row: a value
// just outside the row's limits, or of the wrong kind, is refused naming the
// field, and a missing required field is named too.
TEST(TaskFields, ExecutorsReadTheirFieldsThroughTheTable) {
  for (const TaskType& type : TaskTypes()) {
    json valid = ValidTask(type);
    for (const TaskField& field : type.fields) {
      SCOPED_TRACE(std::string(type.name) + "." + std::string(field.name));
      std::string named = "field '" + std::string(field.name) + "'";
      std::vector<json> spoiled = {json::array()};
      if (field.kind == FieldKind::kInteger) {
        spoiled.push_back(static_cast<int64_t>(field.min) - 1);
        spoiled.push_back(static_cast<int64_t>(field.max) + 1);
      }
      if (field.kind == FieldKind::kNumber) {
        spoiled.push_back(field.min_excluded ? field.min : field.min - 1);
        spoiled.push_back(field.max * 1.5 + 1);
      }
      if (!field.allowed.empty()) spoiled.push_back("none of those allowed");
      for (const json& value : spoiled) {
        json task = valid;
        task[field.name] = value;
        EXPECT_NE(TaskError(task).find(named), std::string::npos) << task.dump();
      }
      if (field.required) {
        json task = valid;
        task.erase(field.name);
        EXPECT_EQ(TaskError(task), named + " is missing");
      }
    }
  }
}

TEST(TaskFields, EveryAllowedValueRuns) {
  const TaskField& method = TaskFieldOf("fib", "method");
  for (std::string_view allowed : method.allowed)
    EXPECT_EQ(TaskError({{"type", "fib"}, {"n", 30}, {"method", allowed}}), "") << allowed;
}

TEST(TaskFields, UnknownFieldMessages) {
  EXPECT_EQ(TaskError({{"type", "fib"}, {"n", 3}, {"ful", true}}),
            "unknown field 'ful' in a fib task (did you mean 'full'?)");
  EXPECT_EQ(TaskError({{"type", "fib"}, {"n", 3}, {"colour", 1}}),
            "unknown field 'colour' in a fib task (its fields: n method full; names starting "
            "with _ or x- are free for your own use)");
  EXPECT_EQ(TaskError({{"type", "fib"}, {"n", 3}, {"_colour", 1}, {"x-colour", 1}}), "");
}

}  // namespace
}  // namespace farm
