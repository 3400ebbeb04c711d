// End-to-end: `farm gen` prints task lines that `farm run` accepts.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"
#include "worker/registry.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::RunFarm;

std::string Repeat(const std::string& line, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += line + "\n";
  return text;
}

void ExpectGen(const std::vector<std::string>& args, const std::string& want) {
  auto run = RunFarm(args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, want);
  EXPECT_EQ(run.err, "");
}

TEST(GenE2E, FibLines) {
  ExpectGen({"gen", "fib", "--n", "1000000", "--count", "8"},
            Repeat(R"({"type":"fib","n":1000000})", 8));
  ExpectGen({"gen", "fib", "--n", "20", "--count", "2", "--method", "iterative"},
            Repeat(R"({"type":"fib","n":20,"method":"iterative"})", 2));
  ExpectGen({"gen", "fib", "--n", "5", "--method", "doubling", "--full"},
            Repeat(R"({"type":"fib","n":5,"method":"doubling","full":true})", 1));
}

TEST(GenE2E, PiLines) {
  ExpectGen({"gen", "pi", "--samples", "10000000", "--count", "16"},
            Repeat(R"({"type":"pi","samples":10000000})", 16));
}

TEST(GenE2E, RandomLines) {
  ExpectGen({"gen", "random", "--values", "5", "--count", "3"},
            Repeat(R"({"type":"random","count":5})", 3));
}

TEST(GenE2E, SleepLines) {
  ExpectGen({"gen", "sleep", "--ms", "0", "--count", "2"}, Repeat(R"({"type":"sleep","ms":0})", 2));
}

TEST(GenE2E, DefaultsMakeOneRunnableLine) {
  for (const char* type : {"fib", "pi", "random", "sleep"}) {
    auto run = RunFarm({"gen", type});
    ASSERT_EQ(run.exit_code, 0) << type;
    auto lines = run.lines();
    ASSERT_EQ(lines.size(), 1u) << type;
    EXPECT_EQ(json::parse(lines[0])["type"], type);
  }
  ExpectGen({"gen", "fib", "--count", "0"}, "");
}

TEST(GenE2E, GeneratedLinesRunCleanly) {
  std::string input;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"gen", "fib", "--n", "300", "--count", "3", "--method",
                                 "iterative"},
        {"gen", "pi", "--samples", "1000", "--count", "3"},
        {"gen", "random", "--values", "4", "--count", "3"},
        {"gen", "sleep", "--ms", "1", "--count", "3"}})
    input += RunFarm(args).out;
  auto run = RunFarm({"run", "-j", "2"}, input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 12u);
  for (const json& result : results) EXPECT_EQ(result["ok"], true) << result;
}

TEST(GenE2E, BadArgumentsAreUsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"gen"}, {"gen", "fob"}, {"gen", "pi", "--n", "3"},
        {"gen", "fib", "--n", "-1"}, {"gen", "fib", "--n", "100000001"},
        {"gen", "fib", "--method", "slow"}, {"gen", "random", "--values", "0"},
        {"gen", "sleep", "extra"}, {"gen", "fib", "--count", "x"}}) {
    auto run = RunFarm(args);
    EXPECT_EQ(run.exit_code, 2) << args.back();
    EXPECT_EQ(run.out, "") << args.back();
    EXPECT_NE(run.err.find("usage: farm gen"), std::string::npos) << args.back();
  }
}

// gen takes its types and flags from the registry: every type there has a
// gen, and its lines are tasks that pass the worker's checks.
TEST(GenE2E, EveryRegisteredTypeGeneratesRunnableLines) {
  for (const TaskType& type : TaskTypes()) {
    std::vector<std::string> args = {"gen", std::string(type.name), "--count", "2"};
    if (type.name == "fetch")
      args.insert(args.end(), {"--url", "http://127.0.0.1:1/", "--timeout-s", "0.5", "--no-save",
                               "--max-bytes", "10"});
    if (type.name == "exec") args.insert(args.end(), {"--shell", "true"});
    auto gen = RunFarm(args);
    ASSERT_EQ(gen.exit_code, 0) << type.name << gen.err;
    ASSERT_EQ(gen.lines().size(), 2u) << type.name;
    auto run = RunFarm({"run", "-j", "1", "--allow-exec"}, gen.out);
    for (const json& result : run.results()) {
      EXPECT_EQ(result["type"], type.name);
      if (!result["ok"].get<bool>()) {
        EXPECT_NE(result["error"]["code"], "bad_task") << result;
      }
    }
  }
  ExpectGen({"gen", "fetch", "--url", "http://h/x", "--timeout-s", "2.5", "--no-save"},
            Repeat(R"({"type":"fetch","url":"http://h/x","timeout_s":2.5,"save":false})", 1));
}

TEST(GenE2E, FieldLimitsComeFromTheRegistry) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"gen", "fetch"},
        {"gen", "fetch", "--url", "u", "--timeout-s", "0"},
        {"gen", "fetch", "--url", "u", "--max-bytes", "-1"}, {"gen", "pi", "--samples", "0"},
        {"gen", "sleep", "--ms", "3600001"}, {"gen", "sleep", "--ms", "1.5"}}) {
    auto run = RunFarm(args);
    EXPECT_EQ(run.exit_code, 2) << args.back();
    EXPECT_EQ(run.out, "") << args.back();
  }
  auto run = RunFarm({"gen", "fbi"});
  EXPECT_NE(run.err.find("unknown task type 'fbi' (did you mean 'fib'?)"), std::string::npos)
      << run.err;
}

// `farm help tasks` prints the registry's table; --names just the names.
TEST(HelpTasksE2E, ListsEveryTypeWithItsFields) {
  auto run = RunFarm({"help", "tasks"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const TaskType& type : TaskTypes()) {
    std::string header = std::string(type.name) + ": " + std::string(type.description) + "\n";
    size_t at = run.out.find(header);
    ASSERT_NE(at, std::string::npos) << header;
    size_t end = run.out.find("\n\n", at);
    std::string section = run.out.substr(at, end - at);
    for (const TaskField& field : type.fields) {
      EXPECT_NE(section.find("\n  " + std::string(field.name) + " "), std::string::npos)
          << section;
      EXPECT_NE(section.find(DescribeLimits(field)), std::string::npos) << section;
      EXPECT_NE(section.find(field.description), std::string::npos) << section;
    }
  }
  EXPECT_NE(run.out.find("  max_bytes         integer  default 104857600"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("\"_\" or \"x-\""), std::string::npos) << run.out;
}

TEST(HelpTasksE2E, NamesAreOneALine) {
  auto run = RunFarm({"help", "tasks", "--names"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string want;
  for (const TaskType& type : TaskTypes()) want += std::string(type.name) + "\n";
  EXPECT_EQ(run.out, want);
  EXPECT_EQ(RunFarm({"help", "tasks", "--nmes"}).exit_code, 2);
}

}  // namespace
}  // namespace farm
