// Result lines: the output's only format. Whatever a message holds, the line
// is one valid JSON object with the contract's members in order.
#include "common/result_line.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

namespace farm {
namespace {

using nlohmann::json;

TEST(ResultLine, SuccessLineHasTheContractsMembersInOrder) {
  std::string line;
  AppendSuccessLine({.id_json = "7", .type_json = "\"fib\"", .worker = 1, .attempts = 2,
                     .elapsed_ms = 812.4},
                    R"({"n":20})", &line);
  EXPECT_EQ(line,
            R"({"id":7,"type":"fib","ok":true,"worker":1,"attempts":2,"elapsed_ms":812.400,"result":{"n":20}})");
}

TEST(ResultLine, ErrorLineHasTheCodeAndMessage) {
  std::string line;
  AppendErrorLine({.id_json = "\"x\"", .type_json = "\"pi\"", .worker = 0, .elapsed_ms = 3.1},
                  "bad_task", "field 'samples' is missing", &line);
  EXPECT_EQ(line,
            R"({"id":"x","type":"pi","ok":false,"worker":0,"attempts":1,"elapsed_ms":3.100,"error":{"code":"bad_task","message":"field 'samples' is missing"}})");
}

TEST(ResultLine, NoWorkerAndNoTypeAreNull) {
  std::string line;
  AppendErrorLine({.id_json = "3", .attempts = 0}, "bad_json", "empty line", &line);
  json result = json::parse(line);
  EXPECT_TRUE(result["worker"].is_null());
  EXPECT_TRUE(result["type"].is_null());
  EXPECT_EQ(result["attempts"], 0);
  EXPECT_EQ(result["id"], 3);
}

TEST(ResultLine, AppendsWithoutNewlineAfterWhatIsThere) {
  std::string line = "before|";
  AppendSuccessLine({.id_json = "1"}, "{}", &line);
  EXPECT_EQ(line.rfind("before|", 0), 0u);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  json parsed;
  EXPECT_NO_THROW(parsed = json::parse(line.substr(7)));
}

TEST(ResultLine, MessageQuotesAndControlCharactersAreEscaped) {
  std::string message = "got \"x\"\nand\ttab \\ and \x01";
  std::string line;
  AppendErrorLine({.id_json = "1"}, "bad_task", message, &line);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(json::parse(line)["error"]["message"], message);
}

TEST(ResultLine, InvalidUtf8InMessageIsReplaced) {
  std::string line;
  AppendErrorLine({.id_json = "1"}, "bad_json", "bad byte \xff here, and \xc3 torn", &line);
  json result;
  ASSERT_NO_THROW(result = json::parse(line)) << line;
  EXPECT_EQ(result["error"]["message"], "bad byte \xEF\xBF\xBD here, and \xEF\xBF\xBD torn");
}

TEST(ResultLine, ElapsedIsFixedPointWithoutExponent) {
  for (double ms : {0.0, 0.0004, 1e-9, 123456789.125}) {
    std::string line;
    AppendSuccessLine({.id_json = "1", .elapsed_ms = ms}, "{}", &line);
    json result = json::parse(line);
    EXPECT_NEAR(result["elapsed_ms"].get<double>(), ms, 0.0005);
    size_t start = line.find("\"elapsed_ms\":") + 13;
    std::string number = line.substr(start, line.find(',', start) - start);
    EXPECT_EQ(number.find_first_not_of("0123456789."), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace farm

namespace farm {
namespace {

TEST(SplitResultLine, GivesBackWhatTheLineWasMadeOf) {
  std::string line;
  AppendSuccessLine({.id_json = R"("a\",\"type\":1")", .type_json = R"("fib")", .worker = 3,
                     .attempts = 2, .elapsed_ms = 1.5},
                    R"({"n":1})", &line);
  ResultParts parts;
  ASSERT_TRUE(SplitResultLine(line, &parts)) << line;
  EXPECT_EQ(parts.header.id_json, R"("a\",\"type\":1")");
  EXPECT_EQ(parts.header.type_json, R"("fib")");
  EXPECT_TRUE(parts.ok);
  EXPECT_EQ(parts.header.worker, 3);
  EXPECT_EQ(parts.header.attempts, 2);
  EXPECT_EQ(parts.header.elapsed_ms, 1.5);
  EXPECT_EQ(parts.result_json, R"({"n":1})");

  line.clear();
  AppendErrorLine({.id_json = "7", .worker = -1, .attempts = 0}, "bad_json", "x", &line);
  ASSERT_TRUE(SplitResultLine(line, &parts)) << line;
  EXPECT_FALSE(parts.ok);
  EXPECT_EQ(parts.header.type_json, "null");
  EXPECT_EQ(parts.header.worker, -1);
  EXPECT_EQ(parts.error_code_json, R"("bad_json")");
  EXPECT_EQ(parts.error_message_json, R"("x")");
  EXPECT_EQ(parts.result_json, "");

  // A failed task may still have a result, after its error.
  line.clear();
  AppendErrorLine({.id_json = "8", .type_json = R"("exec")", .worker = 1}, "exit_status",
                  "said \"no\"}", &line, R"({"exit_code":3})");
  ASSERT_TRUE(SplitResultLine(line, &parts)) << line;
  EXPECT_FALSE(parts.ok);
  EXPECT_EQ(parts.error_code_json, R"("exit_status")");
  EXPECT_EQ(parts.error_message_json, R"("said \"no\"}")");
  EXPECT_EQ(parts.result_json, R"({"exit_code":3})");

  EXPECT_FALSE(SplitResultLine(R"({"type":"fib","id":7})", &parts));
}

}  // namespace
}  // namespace farm
