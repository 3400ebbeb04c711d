#include "coordinator/resume.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/canonical_id.h"

#include "tests/run_farm.h"

namespace farm {
namespace {

TEST(ResumeSet, MissingFileMeansNothingIsDone) {
  testing::TempDir dir;
  ResumeSet resume;
  ASSERT_TRUE(resume.Load(dir.File("none")).ok());
  EXPECT_EQ(resume.done_ids(), 0u);
  EXPECT_FALSE(resume.Done("1", 1));
}

TEST(ResumeSet, OnlyOkLinesCountAndIdsCompareCanonically) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("out"),
                     "{\"id\":7,\"type\":\"fib\",\"ok\":true,\"result\":{\"id\":99,\"ok\":false}}\n"
                     "{\"id\":\"caf\\u00e9\",\"ok\":true}\n"
                     "{\"id\":8,\"ok\":false,\"error\":{}}\n"
                     "not json\n"
                     "{\"ok\":true}\n");
  ResumeSet resume;
  ASSERT_TRUE(resume.Load(dir.File("out")).ok());
  EXPECT_EQ(resume.done_ids(), 2u);
  EXPECT_TRUE(resume.Done("7", 1));
  EXPECT_TRUE(resume.Done(nlohmann::json("caf\u00e9").dump(), 2));
  EXPECT_FALSE(resume.Done("8", 3));
  EXPECT_FALSE(resume.Done("99", 4));
  EXPECT_EQ(resume.torn_bytes(), 0u);
}

TEST(ResumeSet, TruncatedLastLineIsIgnoredAndCut) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("out"), "{\"id\":1,\"ok\":true}\n{\"id\":2,\"ok\":tr");
  ResumeSet resume;
  ASSERT_TRUE(resume.Load(dir.File("out")).ok());
  EXPECT_EQ(resume.done_ids(), 1u);
  EXPECT_EQ(resume.torn_bytes(), 15u);  // {"id":2,"ok":tr
  EXPECT_EQ(testing::ReadFile(dir.File("out")), "{\"id\":1,\"ok\":true}\n");
}

// A file edited by hand, or written by another tool, may end without '\n':
// its last line is kept whole, and ended.
TEST(ResumeSet, AWholeLastLineWithoutItsNewlineIsKept) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("out"), "{\"id\":1,\"ok\":true}\n{\"id\":2,\"ok\":true}");
  ResumeSet resume;
  ASSERT_TRUE(resume.Load(dir.File("out")).ok());
  EXPECT_EQ(resume.done_ids(), 2u);
  EXPECT_TRUE(resume.Done("2", 2));
  EXPECT_EQ(resume.torn_bytes(), 0u);
  EXPECT_EQ(testing::ReadFile(dir.File("out")), "{\"id\":1,\"ok\":true}\n{\"id\":2,\"ok\":true}\n");
}

TEST(ResumeSet, RepeatedIdsAreCounted) {
  ResumeSet resume;
  EXPECT_FALSE(resume.Done("\"x\"", 1));
  EXPECT_FALSE(resume.Done("\"x\"", 2));
  EXPECT_EQ(resume.duplicates(), 1u);
}

TEST(FingerprintSet, GrowsAndFindsEveryEntry) {
  FingerprintSet set;
  for (uint64_t i = 0; i < 100'000; ++i) ASSERT_TRUE(set.Insert(i * 7919));
  for (uint64_t i = 0; i < 100'000; ++i) ASSERT_FALSE(set.Insert(i * 7919)) << i;
  EXPECT_EQ(set.size(), 100'000u);
}

TEST(IdSet, IsExactAcrossGrowth) {
  IdSet set;
  for (int i = 0; i < 50'000; ++i) ASSERT_TRUE(set.Insert("\"id-" + std::to_string(i) + "\""));
  for (int i = 0; i < 50'000; ++i) {
    ASSERT_TRUE(set.Contains("\"id-" + std::to_string(i) + "\"")) << i;
    ASSERT_FALSE(set.Contains("\"id-" + std::to_string(i))) << i;  // a prefix is not a member
  }
  EXPECT_FALSE(set.Insert("\"id-7\""));
  EXPECT_FALSE(set.Contains("\"id-50000\""));
  EXPECT_EQ(set.size(), 50'000u);
}

std::string IdOf(const char* task, uint64_t line) {
  std::string id;
  CanonicalId(nlohmann::json::parse(task), line, &id);
  return id;
}

TEST(ResumeSet, CanonicalIdFallsBackToTheLineNumber) {
  EXPECT_EQ(IdOf(R"({"id":"a"})", 3), "\"a\"");
  EXPECT_EQ(IdOf(R"({"id":12})", 3), "12");
  EXPECT_EQ(IdOf(R"({"id":1.5})", 3), "3");
  EXPECT_EQ(IdOf(R"([1])", 4), "4");
}

}  // namespace
}  // namespace farm
