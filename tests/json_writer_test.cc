// Result objects written straight to text: always valid JSON, members in the
// order given, every double read back as the very value written.
#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_check.h"
#include "common/rng.h"

namespace farm {
namespace {

using nlohmann::json;

TEST(JsonWriter, MembersComeInTheOrderGiven) {
  std::string text = JsonObjectWriter()
                         .Add("n", 20)
                         .Add("head", "6765")
                         .Add("ok", true)
                         .AddNull("path")
                         .AddRaw("inner", R"({"a":[1]})")
                         .Finish();
  EXPECT_EQ(text, R"({"n":20,"head":"6765","ok":true,"path":null,"inner":{"a":[1]}})");
  EXPECT_EQ(JsonObjectWriter().Finish(), "{}");
}

TEST(JsonWriter, IntegersAtTheEdges) {
  std::string text = JsonObjectWriter()
                         .Add("min", std::numeric_limits<int64_t>::min())
                         .Add("max", std::numeric_limits<uint64_t>::max())
                         .Finish();
  json parsed = json::parse(text);
  EXPECT_EQ(parsed["min"].get<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(parsed["max"].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
}

TEST(JsonWriter, DoublesReadBackExactly) {
  Rng rng(5);
  std::vector<double> values = {0.0, -0.0, 1.0, 0.1, 1e-320, 5e-324, 1.7976931348623157e308,
                                -2.5, 3.141592653589793, 1e21, 123456789012345678.0};
  while (values.size() < 20000) {
    uint64_t bits = rng.Next();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    if (std::isfinite(value)) values.push_back(value);
  }
  for (int i = 0; i < 1000; ++i) values.push_back(rng.NextDouble());
  std::string text = JsonObjectWriter().Add("values", std::span<const double>(values)).Finish();
  ASSERT_TRUE(IsValidJson(text));
  json parsed = json::parse(text);
  ASSERT_EQ(parsed["values"].size(), values.size());
  for (size_t i = 0; i < values.size(); ++i)
    ASSERT_EQ(parsed["values"][i].get<double>(), values[i]) << i;
}

TEST(JsonWriter, NonFiniteDoublesAreNull) {
  std::string text = JsonObjectWriter()
                         .Add("nan", std::nan(""))
                         .Add("inf", std::numeric_limits<double>::infinity())
                         .Add("list", std::vector<double>{-std::numeric_limits<double>::infinity()})
                         .Finish();
  EXPECT_EQ(text, R"({"nan":null,"inf":null,"list":[null]})");
}

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

TEST(JsonWriter, StringsAreEscaped) {
  for (std::string_view text : {"plain", "", "quote \" and \\ backslash", "new\nline\ttab",
                                "\x01\x1f control", "caf\xc3\xa9 \xf0\x9f\x98\x80", "</script>"}) {
    std::string quoted = Quoted(text);
    ASSERT_TRUE(IsValidJson(quoted)) << quoted;
    EXPECT_EQ(json::parse(quoted).get<std::string>(), text);
    EXPECT_EQ(quoted.find('\n'), std::string::npos);
  }
  EXPECT_EQ(Quoted("fib"), "\"fib\"");
}

TEST(JsonWriter, InvalidUtf8IsReplacedNotThrown) {
  Rng rng(8);
  for (int round = 0; round < 5000; ++round) {
    std::string bytes;
    for (uint64_t n = rng.Between(0, 12); n > 0; --n)
      bytes.push_back(static_cast<char>(rng.Next()));
    std::string quoted;
    ASSERT_NO_THROW(quoted = Quoted(bytes));
    ASSERT_TRUE(IsValidJson(quoted)) << quoted;
    bool valid_utf8 = true;
    try {
      (void)json(bytes).dump();  // the strict dump throws on invalid UTF-8
    } catch (const json::type_error&) {
      valid_utf8 = false;
    }
    if (valid_utf8) {
      EXPECT_EQ(json::parse(quoted).get<std::string>(), bytes);
    }
  }
  EXPECT_EQ(json::parse(Quoted("a\xff")).get<std::string>(), "a\xef\xbf\xbd");
}

}  // namespace
}  // namespace farm
