// Where fetched bodies are saved: names no URL can steer out of --out-dir,
// and files that have no name until their body is complete.
#include "worker/fetch_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "tests/run_farm.h"
#include "worker/sha256.h"

namespace farm {
namespace {

std::string Prefix(const std::string& url) { return Sha256Hex(url).substr(0, 16) + "-"; }

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SavedFileName, HashOfUrlThenLastSegment) {
  std::string url = "http://example.com/a/b/report.pdf?x=1#top";
  EXPECT_EQ(SavedFileName(url), Prefix(url) + "report.pdf");
}

TEST(SavedFileName, NoPathIsIndex) {
  EXPECT_EQ(SavedFileName("http://example.com"), Prefix("http://example.com") + "index");
  EXPECT_EQ(SavedFileName("http://example.com/"), Prefix("http://example.com/") + "index");
  EXPECT_EQ(SavedFileName("http://example.com/dir/"), Prefix("http://example.com/dir/") + "index");
}

TEST(SavedFileName, EncodedSlashesAndDotsCannotClimb) {
  std::string url = "http://h/%2e%2e%2F%2E%2E%2Fetc%2Fpasswd";
  EXPECT_EQ(SavedFileName(url), Prefix(url) + "_.._etc_passwd");
  std::string dots = "http://h/%2e%2e";
  EXPECT_EQ(SavedFileName(dots), Prefix(dots) + "index");
}

TEST(SavedFileName, NulAndControlBytesBecomeUnderscores) {
  std::string url = "http://h/a%00b%0Ac\\d e";
  EXPECT_EQ(SavedFileName(url), Prefix(url) + "a_b_c_d_e");
}

TEST(SavedFileName, LeadingDotsAreDropped) {
  std::string url = "http://h/.bashrc";
  EXPECT_EQ(SavedFileName(url), Prefix(url) + "bashrc");
}

TEST(SavedFileName, VeryLongNameIsCutTo255Bytes) {
  std::string url = "http://h/" + std::string(5000, 'a') + ".txt";
  std::string name = SavedFileName(url);
  EXPECT_EQ(name.size(), 255u);
  EXPECT_EQ(name.substr(0, 17), Prefix(url));
}

TEST(SavedFileName, MalformedPercentIsKeptAsUnderscore) {
  std::string url = "http://h/100%zz%4";
  EXPECT_EQ(SavedFileName(url), Prefix(url) + "100_zz_4");
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(BodyFile, HasNoNameUntilCommitted) {
  testing::TempDir dir;
  BodyFile file;
  ASSERT_TRUE(file.Open(dir.File("out")).ok());  // creates the folder
  EXPECT_FALSE(file.named());
  ASSERT_TRUE(file.Write("partial").ok());
  EXPECT_TRUE(Names(dir.File("out")).empty());
  ASSERT_TRUE(file.Truncate().ok());
  ASSERT_TRUE(file.Write("whole body").ok());
  ASSERT_TRUE(file.Commit(dir.File("out/a")).ok());
  EXPECT_EQ(Names(dir.File("out")), std::vector<std::string>{"a"});
  EXPECT_EQ(testing::ReadFile(dir.File("out/a")), "whole body");
}

TEST(BodyFile, CommitReplacesAnOlderFile) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("a"), "old and longer");
  BodyFile file;
  ASSERT_TRUE(file.Open(dir.path()).ok());
  ASSERT_TRUE(file.Write("new").ok());
  ASSERT_TRUE(file.Commit(dir.File("a")).ok());
  EXPECT_EQ(testing::ReadFile(dir.File("a")), "new");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"a"});
}

TEST(BodyFile, DiscardedOrDestroyedLeavesNothing) {
  testing::TempDir dir;
  for (bool named : {false, true}) {
    BodyFile discarded;
    ASSERT_TRUE((named ? discarded.OpenNamed(dir.path()) : discarded.Open(dir.path())).ok());
    ASSERT_TRUE(discarded.Write("x").ok());
    discarded.Discard();
    {
      BodyFile dropped;
      ASSERT_TRUE((named ? dropped.OpenNamed(dir.path()) : dropped.Open(dir.path())).ok());
    }
  }
  EXPECT_TRUE(Names(dir.path()).empty());
}

// The fallback for file systems without O_TMPFILE: a hidden name carrying
// the pid, renamed when complete, and removable by pid once its process died.
TEST(BodyFile, FallbackNamesCarryThePidAndAreRemovedByIt) {
  testing::TempDir dir;
  BodyFile file;
  ASSERT_TRUE(file.OpenNamed(dir.path()).ok());
  ASSERT_TRUE(file.named());
  std::vector<std::string> names = Names(dir.path());
  ASSERT_EQ(names.size(), 1u);
  std::string mine = ".farm-" + std::to_string(getpid()) + "-";
  EXPECT_EQ(names[0].substr(0, mine.size()), mine) << names[0];
  testing::WriteFile(dir.File(".farm-1-x-0.part"), "another process's");
  testing::WriteFile(dir.File("saved"), "a body");
  RemoveBodyFilesOf(dir.path(), getpid());
  EXPECT_EQ(Names(dir.path()), (std::vector<std::string>{".farm-1-x-0.part", "saved"}));
  file.Discard();
  BodyFile complete;
  ASSERT_TRUE(complete.OpenNamed(dir.path()).ok());
  ASSERT_TRUE(complete.Write("done").ok());
  ASSERT_TRUE(complete.Commit(dir.File("b")).ok());
  EXPECT_EQ(testing::ReadFile(dir.File("b")), "done");
  RemoveBodyFilesOf(dir.File("missing"), 1);  // no folder: nothing to do
}

}  // namespace
}  // namespace farm
