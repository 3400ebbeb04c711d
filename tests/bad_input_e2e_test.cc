// End-to-end: every kind of bad input line gets exactly one error line with
// the right code and a message naming the problem, and the run goes on.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/run_farm.h"

namespace farm {
namespace {

using nlohmann::json;
using testing::RunFarm;

struct BadLine {
  std::string line;
  std::string code;     // expected error code; empty: the line must run fine
  std::string message;  // a piece the message must hold
};

const std::string kGood = "{\"type\":\"fib\",\"n\":10}";

// Each bad line sits between good ones; with --keep-order line k is input k.
void ExpectOneErrorEach(const std::vector<BadLine>& cases) {
  std::string input = kGood + "\n";
  for (const BadLine& c : cases) input += c.line + "\n" + kGood + "\n";
  auto run = RunFarm({"run", "-j", "2", "--keep-order"}, input);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  auto results = run.results();
  ASSERT_EQ(results.size(), 2 * cases.size() + 1);
  for (size_t i = 0; i < results.size(); ++i) {
    const json& result = results[i];
    if (i % 2 == 0) {
      EXPECT_EQ(result["ok"], true) << result;
      EXPECT_EQ(result["id"], i + 1);
      continue;
    }
    const BadLine& c = cases[i / 2];
    std::string shown = c.line.substr(0, 80);
    if (c.code.empty()) {
      EXPECT_EQ(result["ok"], true) << shown << "\n" << result;
      continue;
    }
    EXPECT_EQ(result["ok"], false) << shown;
    EXPECT_EQ(result["error"]["code"], c.code) << shown << "\n" << result;
    std::string message = result["error"]["message"];
    EXPECT_NE(message.find(c.message), std::string::npos)
        << shown << "\nmessage: " << message << "\nwanted: " << c.message;
    EXPECT_FALSE(result.contains("result"));
  }
}

TEST(BadInputE2E, LinesThatAreNotJson) {
  ExpectOneErrorEach({
      {"{\"type\":", "bad_json", "parse error"},
      {"not json at all", "bad_json", "parse error"},
      {"{\"type\":\"fib\",\"n\":1} trailing", "bad_json", "parse error"},
      {"{\"type\":\"fib\",\"n\":1,}", "bad_json", "parse error"},
      {"{'type':'fib'}", "bad_json", "parse error"},
      {"", "bad_json", "empty line"},
      {"   \t ", "bad_json", "empty line"},
      {"{\"type\":\"fib\",\"n\":1,\"x\":1e400}", "bad_json", "number overflow"},
      {std::string("{\"type\":\"fib\",\"n\":1}\0", 21), "bad_json", "a NUL byte at offset 20"},
      {std::string("{\"type\":\"fib\",\"n\":\0 1}", 22), "bad_json", "a NUL byte at offset 18"},
  });
}

TEST(BadInputE2E, InvalidUtf8IsBadJsonAndTheOutputStaysValid) {
  ExpectOneErrorEach({
      {"{\"type\":\"fib\",\"n\":1,\"id\":\"a\xff\"}", "bad_json", "UTF-8"},
      {"{\"type\":\"f\xc3\"}", "bad_json", "UTF-8"},
      {"\xfe\xff", "bad_json", "parse error"},
  });
}

TEST(BadInputE2E, LinesThatAreNotObjects) {
  ExpectOneErrorEach({
      {"[1,2]", "bad_task", "object"},
      {"\"fib\"", "bad_task", "object"},
      {"42", "bad_task", "object"},
      {"null", "bad_task", "object"},
      {"true", "bad_task", "object"},
  });
}

TEST(BadInputE2E, MissingUnknownOrNonStringType) {
  ExpectOneErrorEach({
      {"{\"n\":5}", "bad_task", "field 'type' is missing"},
      {"{}", "bad_task", "field 'type' is missing"},
      {"{\"type\":\"fbi\",\"n\":5}", "bad_task", "unknown task type 'fbi' (did you mean 'fib'?)"},
      {"{\"type\":\"slep\",\"ms\":5}", "bad_task", "(did you mean 'sleep'?)"},
      {"{\"type\":\"download\"}", "bad_task", "known types: exec fetch fib pi random sleep"},
      {"{\"type\":3}", "bad_task", "field 'type' must be a string"},
      {"{\"type\":[\"fib\"]}", "bad_task", "field 'type'"},
      {"{\"type\":null}", "bad_task", "field 'type'"},
  });
}

TEST(BadInputE2E, MissingFieldIsNamed) {
  ExpectOneErrorEach({
      {"{\"type\":\"fib\"}", "bad_task", "field 'n' is missing"},
      {"{\"type\":\"pi\"}", "bad_task", "field 'samples' is missing"},
      {"{\"type\":\"random\"}", "bad_task", "field 'count' is missing"},
      {"{\"type\":\"sleep\"}", "bad_task", "field 'ms' is missing"},
  });
}

TEST(BadInputE2E, OutOfRangeFieldIsNamed) {
  ExpectOneErrorEach({
      {"{\"type\":\"fib\",\"n\":-1}", "bad_task", "field 'n' must be between 0 and 100000000"},
      {"{\"type\":\"fib\",\"n\":100000001}", "bad_task", "field 'n'"},
      {"{\"type\":\"fib\",\"n\":18446744073709551615}", "bad_task", "field 'n'"},
      {"{\"type\":\"pi\",\"samples\":0}", "bad_task", "field 'samples'"},
      {"{\"type\":\"pi\",\"samples\":10000000001}", "bad_task", "field 'samples'"},
      {"{\"type\":\"random\",\"count\":0}", "bad_task", "field 'count'"},
      {"{\"type\":\"random\",\"count\":10001}", "bad_task", "field 'count'"},
      {"{\"type\":\"sleep\",\"ms\":-5}", "bad_task", "field 'ms'"},
      {"{\"type\":\"sleep\",\"ms\":3600001}", "bad_task", "field 'ms'"},
  });
}

TEST(BadInputE2E, WrongTypeFieldIsNamed) {
  ExpectOneErrorEach({
      {"{\"type\":\"fib\",\"n\":\"10\"}", "bad_task", "field 'n' must be an integer"},
      {"{\"type\":\"fib\",\"n\":1.5}", "bad_task", "field 'n' must be an integer"},
      {"{\"type\":\"fib\",\"n\":null}", "bad_task", "field 'n'"},
      {"{\"type\":\"fib\",\"n\":5,\"method\":\"recursive\"}", "bad_task", "field 'method'"},
      {"{\"type\":\"fib\",\"n\":5,\"method\":1}", "bad_task", "field 'method'"},
      {"{\"type\":\"fib\",\"n\":5,\"full\":\"yes\"}", "bad_task", "field 'full'"},
      {"{\"type\":\"pi\",\"samples\":[1]}", "bad_task", "field 'samples'"},
      {"{\"type\":\"sleep\",\"ms\":{\"a\":1}}", "bad_task", "field 'ms'"},
  });
}

// A misspelled optional field would otherwise be dropped without a word:
// "max_byte" would download a body of any size, "ful" would hide the value.
TEST(BadInputE2E, UnknownFieldIsBadTaskWithDidYouMean) {
  ExpectOneErrorEach({
      {"{\"type\":\"fib\",\"n\":5,\"ful\":true}", "bad_task",
       "unknown field 'ful' in a fib task (did you mean 'full'?)"},
      {"{\"type\":\"fib\",\"n\":5,\"methd\":\"iterative\"}", "bad_task",
       "(did you mean 'method'?)"},
      {"{\"type\":\"pi\",\"samples\":5,\"sample\":6}", "bad_task", "(did you mean 'samples'?)"},
      {"{\"type\":\"fetch\",\"url\":\"http://127.0.0.1:1/\",\"max_byte\":1000}", "bad_task",
       "unknown field 'max_byte' in a fetch task (did you mean 'max_bytes'?)"},
      {"{\"type\":\"sleep\",\"ms\":1,\"idd\":3}", "bad_task", "(did you mean 'id'?)"},
      {"{\"type\":\"sleep\",\"ms\":1,\"priority\":3}", "bad_task",
       "unknown field 'priority' in a sleep task (its fields: ms;"},
      {"{\"type\":\"sleep\",\"ms\":1,\"N\":3}", "bad_task", "unknown field 'N'"},
      {"{\"type\":\"sleep\",\"ms\":1,\"\":3}", "bad_task", "unknown field ''"},
  });
}

// Names starting with _ or x- are the user's own bookkeeping; id and type
// are every task's.
TEST(BadInputE2E, UserFieldsAreAllowedAndIgnored) {
  ExpectOneErrorEach({
      {"{\"type\":\"fib\",\"n\":5,\"_note\":\"from batch 3\"}", "", ""},
      {"{\"type\":\"fib\",\"n\":5,\"x-batch\":{\"a\":[1,2]}}", "", ""},
      {"{\"id\":\"q\",\"type\":\"sleep\",\"ms\":0,\"_\":null,\"x-\":1}", "", ""},
      {"{\"type\":\"fib\",\"n\":5,\"X-batch\":1}", "bad_task", "unknown field 'X-batch'"},
  });
}

// Every mode runs the same check: thread and sequential mode parse tasks in
// the coordinator's process, and fetches go through the fetch engine's door.
TEST(BadInputE2E, UnknownFieldIsRefusedInEveryMode) {
  std::string input =
      "{\"type\":\"fib\",\"n\":5,\"ful\":true}\n"
      "{\"type\":\"fetch\",\"url\":\"http://127.0.0.1:1/\",\"save\":false,\"timeot_s\":1}\n";
  for (const char* mode : {"process", "thread", "sequential"}) {
    auto run = RunFarm({"run", "--mode", mode, "-j", "2", "--keep-order"}, input);
    EXPECT_EQ(run.exit_code, 1) << mode << run.err;
    auto results = run.results();
    ASSERT_EQ(results.size(), 2u) << mode;
    EXPECT_EQ(results[0]["error"]["message"],
              "unknown field 'ful' in a fib task (did you mean 'full'?)")
        << mode;
    EXPECT_EQ(results[1]["error"]["message"],
              "unknown field 'timeot_s' in a fetch task (did you mean 'timeout_s'?)")
        << mode;
  }
}

// One checker decides what is JSON, with --resume or without: nlohmann's
// parser, which the resume path used, skips a UTF-8 byte-order mark.
TEST(BadInputE2E, ByteOrderMarkIsBadJsonWithOrWithoutResume) {
  const std::string input = "\xEF\xBB\xBF{\"type\":\"fib\",\"n\":5}\n{\"type\":\"fib\",\"n\":6}\n";
  testing::TempDir dir;
  std::string out = dir.File("out.jsonl");
  for (bool resume : {false, true}) {
    std::vector<std::string> args = {"run", "-j", "1", "--keep-order", "-o", out};
    if (resume) args.push_back("--resume");
    auto run = RunFarm(args, input);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    auto lines = testing::ReadFile(out);
    json first = json::parse(lines.substr(0, lines.find('\n')));
    EXPECT_EQ(first["error"]["code"], "bad_json") << resume;
    EXPECT_EQ(first["error"]["message"], "the line starts with a byte-order mark (U+FEFF)");
  }
}

TEST(BadInputE2E, ResultLineWithAByteOrderMarkDoesNotCountAsDone) {
  testing::TempDir dir;
  std::string out = dir.File("out.jsonl");
  testing::WriteFile(out, "\xEF\xBB\xBF{\"id\":1,\"type\":\"fib\",\"ok\":true,\"worker\":0}\n");
  auto run = RunFarm({"run", "-j", "1", "--resume", "-o", out}, "{\"type\":\"fib\",\"n\":5}\n");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::string text = testing::ReadFile(out);
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_EQ(json::parse(text.substr(text.find('\n') + 1))["result"]["n"], 5);
}

TEST(BadInputE2E, BadIdTypeIsNamed) {
  ExpectOneErrorEach({
      {"{\"id\":1.5,\"type\":\"fib\",\"n\":1}", "bad_task", "field 'id'"},
      {"{\"id\":[1],\"type\":\"fib\",\"n\":1}", "bad_task", "field 'id'"},
      {"{\"id\":{},\"type\":\"fib\",\"n\":1}", "bad_task", "field 'id'"},
      {"{\"id\":true,\"type\":\"fib\",\"n\":1}", "bad_task", "field 'id'"},
      {"{\"id\":null,\"type\":\"fib\",\"n\":1}", "bad_task", "field 'id'"},
  });
}

TEST(BadInputE2E, DeeplyNestedValueIsABadTaskNotACrash) {
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  ExpectOneErrorEach({
      {"{\"type\":\"fib\",\"n\":" + deep + "}", "bad_task", "field 'n'"},
      {"{\"id\":" + deep + ",\"type\":\"fib\",\"n\":1}", "bad_task", "field 'id'"},
      {"{\"type\":" + deep + "}", "bad_task", "field 'type'"},
      {"{\"type\":\"fib\",\"n\":1,\"_unused\":" + deep + "}", "", ""},
  });
}

TEST(BadInputE2E, OverLongLineIsRejectedAndTheNextLineRuns) {
  std::string huge = "{\"type\":\"fib\",\"n\":1,\"pad\":\"" + std::string(1 << 20, 'x') + "\"}";
  ExpectOneErrorEach({{huge, "bad_json", "line longer than 1048576 bytes"}});
}

TEST(BadInputE2E, ErrorLinesEchoTheIdWhenThereIsOne) {
  auto run = RunFarm({"run", "-j", "1", "--keep-order"},
                     "{\"id\":\"a\",\"type\":\"fbi\"}\n"
                     "{\"id\":7,\"type\":\"fib\"}\n"
                     "{\"id\":\"c\",\"type\":\n");
  auto results = run.results();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["id"], "a");
  EXPECT_EQ(results[0]["type"], "fbi");
  EXPECT_EQ(results[1]["id"], 7);
  EXPECT_EQ(results[1]["type"], "fib");
  EXPECT_EQ(results[2]["id"], 3) << "an unparsable line is known by its line number";
  EXPECT_TRUE(results[2]["type"].is_null());
  EXPECT_TRUE(results[2]["worker"].is_null());
}

}  // namespace
}  // namespace farm
