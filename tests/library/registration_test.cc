// farm::RegisterTask's checks, and farm::Main serving registered types.
#include <farm/farm.h>
#include <gtest/gtest.h>

#include <string>

namespace farm {
namespace {

nlohmann::json Nothing(const nlohmann::json&, Context&) { return nullptr; }

TEST(Registration, MalformedSpecsAreRefused) {
  EXPECT_THROW(RegisterTask({.name = "Bad Name", .run = Nothing}), std::invalid_argument);
  EXPECT_THROW(RegisterTask({.name = "", .run = Nothing}), std::invalid_argument);
  EXPECT_THROW(RegisterTask({.name = "nofunction"}), std::invalid_argument);
  EXPECT_THROW(RegisterTask({.name = "fib", .run = Nothing}), std::invalid_argument);
  EXPECT_THROW(RegisterTask({.name = "square", .run = Nothing}), std::invalid_argument);
  EXPECT_THROW(
      RegisterTask(
          {.name = "halfs", .fields = {{.name = "n", .min = 0.5, .max = 2}}, .run = Nothing}),
      std::invalid_argument);
  EXPECT_THROW(RegisterTask({.name = "wrongdefault",
                             .fields = {{.name = "n", .max = 2, .default_value = "two"}},
                             .run = Nothing}),
               std::invalid_argument);
  EXPECT_THROW(RegisterTask({.name = "idfield", .fields = {{.name = "id"}}, .run = Nothing}),
               std::invalid_argument);
}

int RunMain(std::vector<std::string> args, std::string* out) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  int status = Main(static_cast<int>(args.size()), argv.data());
  *out = ::testing::internal::GetCapturedStdout();
  return status;
}

TEST(Main, HelpTasksAndGenKnowRegisteredTypes) {
  std::string out;
  EXPECT_EQ(RunMain({"app", "help", "tasks", "--names"}, &out), 0);
  EXPECT_NE(out.find("square\n"), std::string::npos) << out;
  EXPECT_NE(out.find("fib\n"), std::string::npos) << out;
  EXPECT_EQ(RunMain({"app", "gen", "square", "--x", "3", "--count", "2"}, &out), 0);
  EXPECT_EQ(out, "{\"type\":\"square\",\"x\":3}\n{\"type\":\"square\",\"x\":3}\n");
}

}  // namespace
}  // namespace farm
