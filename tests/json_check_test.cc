// The coordinator's JSON check must accept exactly what the worker's parser
// accepts: a line it lets through that nlohmann rejects kills a worker, and a
// line it rejects that is valid is a wrong bad_json.
#include "common/json_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/rng.h"

namespace farm {
namespace {

// nlohmann::json::accept, except that nlohmann takes a NUL byte for the end
// of input, so it accepts `1<NUL>garbage`. No raw NUL is valid JSON.
bool Reference(std::string_view text) {
  return text.find('\0') == std::string_view::npos && nlohmann::json::accept(text);
}

void ExpectAgrees(std::string_view text) {
  EXPECT_EQ(IsValidJson(text), Reference(text)) << "text: " << text;
}

TEST(JsonCheck, AcceptsTaskLines) {
  for (std::string_view text :
       {R"({"type":"fib","n":20})", R"( {"id":"x","type":"pi","samples":1e3} )", "{}", "[]",
        "0", "-0.5e-3", "\"\"", "true", "null", R"({"a":[1,{"b":[]},"\u00e9\ud83d\ude00"]})",
        "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", "\t\r\n[1 , 2]\n"})
    EXPECT_TRUE(IsValidJson(text)) << text;
}

TEST(JsonCheck, RejectsWhatTheParserRejects) {
  for (std::string_view text :
       {"", " ", "{", "}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[01]", "1.", ".5",
        "1e", "-", "+1", "0x10", "NaN", "Infinity", "tru", "nulls", "{'a':1}", "{a:1}",
        "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "\"tab\there\"", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
        "\"\xe2\x82\"", "1 2", "{} {}", "[1]]", "/* c */ 1", "\"a\"\"b\""})
    EXPECT_FALSE(IsValidJson(text)) << text;
  EXPECT_FALSE(IsValidJson(std::string_view("1\0", 2)));
  EXPECT_FALSE(IsValidJson(std::string_view("{}\0x", 4)));
}

TEST(JsonCheck, NumbersBeyondDoubleRangeAreRejectedLikeTheParserDoes) {
  // The worker's parser fails on these ("number overflow"); letting them
  // through would kill the worker instead of reporting bad_json.
  for (std::string_view text : {"1e309", "-1e309", "1.8e308", "1e400", "[0,1E+999]",
                                "{\"n\":123456789e301}", "0.00001e314"})
    EXPECT_FALSE(IsValidJson(text)) << text;
  for (std::string_view text : {"1.7e308", "-1.7976931348623157e308", "1e-400", "0e99999",
                                "0.0000000001e317", "1e-99999999999999999999"})
    EXPECT_TRUE(IsValidJson(text)) << text;
  std::string long_integer(400, '9');
  EXPECT_FALSE(IsValidJson(long_integer));
  EXPECT_TRUE(IsValidJson(long_integer + "e-100"));
  EXPECT_TRUE(IsValidJson(std::string(300, '9')));
  for (const std::string& text : {long_integer, long_integer + "e-100", long_integer + ".5e-92",
                                  long_integer + ".5e-91", "1" + std::string(308, '0')})
    ExpectAgrees(text);
}

TEST(JsonCheck, DeepNestingNeitherCrashesNorDiffers) {
  for (size_t depth : {1, 100, 10'000, 500'000}) {
    std::string balanced = std::string(depth, '[') + std::string(depth, ']');
    EXPECT_TRUE(IsValidJson(balanced));
    EXPECT_FALSE(IsValidJson(balanced.substr(1)));
    EXPECT_FALSE(IsValidJson(balanced.substr(0, balanced.size() - 1)));
    std::string objects;
    for (size_t i = 0; i < depth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(depth, '}');
    EXPECT_TRUE(IsValidJson(objects));
  }
}

TEST(JsonCheck, AgreesWithTheParserOnEveryByteAfterAPrefix) {
  for (std::string_view prefix : {"", "[", "\"", "\"\\", "\"\\u", "{\"a\":", "1", "-", "1e", "t",
                                  "\"\xe2", "\"\xf0\x9f", "[1"}) {
    for (int c = 0; c < 256; ++c) {
      std::string text(prefix);
      text.push_back(static_cast<char>(c));
      ExpectAgrees(text);
      ExpectAgrees(text + "\"");
      ExpectAgrees(text + "]");
      ExpectAgrees(text + "}");
      ExpectAgrees(text + "0\"]");
    }
  }
}

// Random edits of valid documents: most of the interesting bugs sit one byte
// away from a valid line.
TEST(JsonCheck, AgreesWithTheParserOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"type":"fib","n":20,"method":"iterative","full":true})",
      R"({"id":"\u00e9\ud83d\ude00\n","type":"pi","samples":-1.25E+10})",
      R"([0,-0,0.0,1e5,1E-5,true,false,null,"",{},[]])",
      "{\"s\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"t\":\"\\\\\\\"\\/\\b\\f\\n\\r\\t\"}",
  };
  const std::string alphabet =
      "{}[]\":,\\/ \t\r\n0123456789-+.eEtrufalsn"
      "\x01\x1f\x7f\x80\xbf\xc2\xc3\xe0\xed\xef\xf0\xf4\xf5\xffuUdD";
  Rng rng(20240601);
  int disagreements = 0;
  for (int round = 0; round < 200'000 && disagreements < 10; ++round) {
    std::string text = seeds[rng.Between(0, seeds.size() - 1)];
    for (uint64_t edits = rng.Between(1, 3); edits > 0; --edits) {
      size_t at = rng.Between(0, text.size());
      char c = alphabet[rng.Between(0, alphabet.size() - 1)];
      switch (rng.Between(0, 2)) {
        case 0: text.insert(at, 1, c); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        case 2: if (at < text.size()) text[at] = c; break;
      }
    }
    if (IsValidJson(text) != Reference(text)) {
      ++disagreements;
      ADD_FAILURE() << "IsValidJson says " << IsValidJson(text) << " for: " << text;
    }
  }
}

// The same UTF-8 rules outside a JSON string: where the first bad byte is.
TEST(FindInvalidUtf8, PointsAtTheFirstBadByte) {
  constexpr size_t kNone = std::string_view::npos;
  EXPECT_EQ(FindInvalidUtf8(""), kNone);
  EXPECT_EQ(FindInvalidUtf8("http://h/caf\xc3\xa9 \xf0\x9f\x98\x80"), kNone);
  EXPECT_EQ(FindInvalidUtf8("caf\xe9"), 3u);           // Latin-1
  EXPECT_EQ(FindInvalidUtf8("ab\xc0\xaf"), 2u);        // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("a\xed\xa0\x80"), 1u);     // a surrogate
  EXPECT_EQ(FindInvalidUtf8("a\xe2\x82"), 1u);         // cut short
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
}

}  // namespace
}  // namespace farm
