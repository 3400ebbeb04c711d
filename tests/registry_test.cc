// The table of task types, and the hint an unknown type gets.
#include "worker/registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

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
            "unknown task type 'download' (known types: fetch fib pi random sleep)");
  // One letter is "close" to every short name; that is no hint.
  EXPECT_EQ(UnknownTaskTypeMessage("x"),
            "unknown task type 'x' (known types: fetch fib pi random sleep)");
  EXPECT_EQ(UnknownTaskTypeMessage(""), "unknown task type '' (known types: fetch fib pi random sleep)");
}

}  // namespace
}  // namespace farm
