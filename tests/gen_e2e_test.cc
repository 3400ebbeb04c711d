// End-to-end: `farm gen` prints task lines that `farm run` accepts.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

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

}  // namespace
}  // namespace farm
