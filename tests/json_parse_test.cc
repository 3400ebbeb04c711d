// ParseJson must give exactly nlohmann's value, type and all (a task's "n"
// unsigned, "-3" signed), on the flat objects it parses itself and on
// everything it hands to nlohmann.
#include "common/json_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "common/rng.h"

namespace farm {
namespace {

using namespace std::literals;

// Same value, and the same type at every level: == alone calls 1 and 1u equal.
void ExpectSame(const nlohmann::json& got, const nlohmann::json& want, std::string_view text) {
  ASSERT_EQ(got.is_discarded(), want.is_discarded()) << "text: " << text;
  if (want.is_discarded()) return;
  ASSERT_EQ(got.type(), want.type()) << "text: " << text;
  ASSERT_EQ(got, want) << "text: " << text;
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it)
      ExpectSame(got.at(it.key()), it.value(), text);
  }
}

void ExpectParsesAsNlohmann(std::string_view text) {
  ExpectSame(ParseJson(text), nlohmann::json::parse(text, nullptr, false), text);
}

// And the quick path took it, or gave it to nlohmann: only speed would
// tell otherwise.
void ExpectQuickPath(std::string_view text, bool taken) {
  nlohmann::json value;
  EXPECT_EQ(ParseFlatJson(text, &value), taken) << "text: " << text;
}

TEST(JsonParse, FlatObjectsAsNlohmannBuildsThem) {
  for (std::string_view text : std::initializer_list<std::string_view>{
           R"({"type":"fib","n":20})", R"({})", R"( { } )", R"({"a":-0,"b":0,"c":-17})",
           R"({"big":999999999999999999,"neg":-999999999999999999})",
           R"({"t":true,"f":false,"z":null})",
           R"({"s":"","u":"with spaces ~ and DEL )" "\x7f" R"("})",
           "\t{\"a\" : 1 ,\r\n\"b\":\"x\"}\n", R"({"k":1,"k":"last wins"})",
           R"({"id":"x-1","type":"sleep","ms":0})"}) {
    ExpectParsesAsNlohmann(text);
    ExpectQuickPath(text, true);
  }
}

TEST(JsonParse, EverythingElseGoesToNlohmann) {
  for (std::string_view text : std::initializer_list<std::string_view>{
           R"({"n":1.5})", R"({"n":1e3})", R"({"n":1E3})", R"({"n":1000000000000000000})",
           R"({"n":18446744073709551616})", R"({"n":-9223372036854775809})",
           R"({"s":"a\"b"})", R"({"s":"\u00e9"})", "{\"s\":\"caf\xc3\xa9\"}",
           "{\"s\":\"\xff\"}", R"({"a":[1,2]})", R"({"a":{"b":1}})", R"([1,2])", R"("text")",
           "7", "-", "", "{", "}", R"({"a":})", R"({"a" 1})", R"({"a":1,})", R"({"a":01})",
           R"({"a":-})", R"({"a":+1})", R"({a:1})", R"({"a":tru})", R"({"a":nulls})",
           R"({"a":1} x)", R"({"a":1}{})", "{\"a\":1}\0x"sv, "{\"s\":\"a\tb\"}", R"({"a":1x})",
           R"({"a":--1})"}) {
    ExpectParsesAsNlohmann(text);
    ExpectQuickPath(text, false);
  }
}

// Random flat-ish objects built from pieces that stress the edges.
TEST(JsonParse, AgreesOnRandomObjects) {
  const std::string pieces[] = {
      "0", "-0", "7", "-12", "007", "1.", "1.0", "2e2", "999999999999999999",
      "1000000000000000000", "true", "false", "null", "\"\"", "\"a\"", "\"\\n\"",
      "\"\xc3\xa9\"", "[]", "{}", "tru", " ", "-"};
  Rng rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string text = "{";
    const int members = static_cast<int>(rng.Next() % 4);
    for (int m = 0; m < members; ++m) {
      if (m > 0) text += rng.Next() % 20 == 0 ? " " : ",";
      text += "\"k" + std::to_string(rng.Next() % 3) + "\":";
      text += pieces[rng.Next() % std::size(pieces)];
    }
    text += rng.Next() % 20 == 0 ? "" : "}";
    ExpectParsesAsNlohmann(text);
  }
}

}  // namespace
}  // namespace farm
