// farm exec's replacement strings, as GNU parallel defines them.
#include "coordinator/exec_template.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace farm {
namespace {

std::string Replaced(std::string_view name, std::string_view line) {
  std::string out;
  EXPECT_TRUE(ExecTemplate::Replace(name, line, 7, &out)) << name;
  return out;
}

TEST(ExecTemplate, ReplacementStringsOfPaths) {
  EXPECT_EQ(Replaced("", "dir.x/a.tar.gz"), "dir.x/a.tar.gz");
  EXPECT_EQ(Replaced(".", "dir.x/a.tar.gz"), "dir.x/a.tar");
  EXPECT_EQ(Replaced(".", "dir.x/noext"), "dir.x/noext");  // not the directory's dot
  EXPECT_EQ(Replaced(".", "dir/.bashrc"), "dir/.bashrc");
  EXPECT_EQ(Replaced("/", "dir.x/a.tar.gz"), "a.tar.gz");
  EXPECT_EQ(Replaced("//", "dir.x/a.tar.gz"), "dir.x");
  EXPECT_EQ(Replaced("//", "a"), ".");
  EXPECT_EQ(Replaced("//", "/a"), "/");
  // As GNU parallel 20221122 gives them (POSIX dirname).
  EXPECT_EQ(Replaced("//", "a/b/"), "a");
  EXPECT_EQ(Replaced("//", "a//b"), "a");
  EXPECT_EQ(Replaced("//", "./a"), ".");
  EXPECT_EQ(Replaced("//", "/a/b//"), "/a");
  EXPECT_EQ(Replaced("//", "//a"), "/");
  EXPECT_EQ(Replaced("//", "/"), "/");
  EXPECT_EQ(Replaced("//", ""), ".");
  EXPECT_EQ(Replaced("/.", "dir.x/a.tar.gz"), "a.tar");
  EXPECT_EQ(Replaced("#", "anything"), "7");
  std::string out;
  EXPECT_FALSE(ExecTemplate::Replace("x", "a", 1, &out));
}

TEST(ExecTemplate, SlotIsLeftToTheWorkerAtItsOffsets) {
  ExecTemplate exec;
  ASSERT_TRUE(ExecTemplate::Parse({"cp", "{}", "out{%}/{/}.{%}"}, &exec).ok());
  std::string task;
  ASSERT_TRUE(exec.AppendTask("in/a{%}b", 3, &task));
  nlohmann::json parsed = nlohmann::json::parse(task);
  EXPECT_EQ(parsed["argv"], nlohmann::json({"cp", "in/a{%}b", "out/a{%}b."}))
      << "data is never scanned for replacement strings";
  EXPECT_EQ(parsed["slot_at"], nlohmann::json({{2, 3}, {2, 10}}));
}

TEST(ExecTemplate, WithoutReplacementStringsTheArgumentIsAppended) {
  ExecTemplate exec;
  ASSERT_TRUE(ExecTemplate::Parse({"gzip", "-9", "{x}"}, &exec).ok());
  std::string task;
  ASSERT_TRUE(exec.AppendTask("f.txt", 1, &task));
  EXPECT_EQ(task, R"({"type":"exec","argv":["gzip","-9","{x}","f.txt"]})");
  task.clear();
  EXPECT_FALSE(exec.AppendTask("bad \xff byte", 2, &task));
}

// JSON would carry a replacement character in its place: another command.
TEST(ExecTemplate, ACommandThatIsNotUtf8IsRefused) {
  ExecTemplate exec;
  Status status = ExecTemplate::Parse({"printf", "%s\xe9"}, &exec);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "word 2 of the command is not valid UTF-8 (byte 0xE9 at offset 2)");
}

}  // namespace
}  // namespace farm
