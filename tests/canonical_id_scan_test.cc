// ScanCanonicalId finds what the parse finds, or says it cannot tell.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "common/canonical_id.h"
#include "coordinator/resume.h"

namespace farm {
namespace {

TEST(ScanCanonicalId, AgreesWithTheParseOrDefersToIt) {
  const char* lines[] = {
      R"({"type":"sleep","ms":0})",
      R"({"id":7,"type":"fib"})",
      R"( { "type" : "fib" , "id" : -12 } )",
      R"({"id":"x y","n":[1,{"id":3}]})",
      R"({"n":{"id":3},"s":"\"id\":4","id":"z"})",
      R"({"id":null})",
      R"({"id":{"a":1}})",
      R"({"id":[1,2]})",
      R"({"id":true,"x":1})",
      R"({"id":1.5})",
      R"({"id":1e3})",
      R"({"id":-0})",
      R"({"id":123456789012345678901})",
      R"({"id":"a\"b"})",
      R"({"id":"\u00e9"})",
      R"({"\u0069d":5})",
      R"({"id":1,"id":2})",
      R"([1,2])",
      R"(42)",
      R"({})",
  };
  for (const char* line : lines) {
    std::string scanned;
    if (!ScanCanonicalId(line, 9, &scanned)) continue;  // the parse decides these
    std::string parsed;
    CanonicalId(nlohmann::json::parse(line), 9, &parsed);
    EXPECT_EQ(scanned, parsed) << line;
  }
  std::string id;
  EXPECT_TRUE(ScanCanonicalId(R"({"id":7,"type":"fib"})", 1, &id));
  EXPECT_EQ(id, "7");
  EXPECT_TRUE(ScanCanonicalId(R"({"type":"fib"})", 3, &id));
  EXPECT_EQ(id, "3");
  EXPECT_FALSE(ScanCanonicalId(R"({"id":"a\"b"})", 1, &id));
}

}  // namespace
}  // namespace farm
