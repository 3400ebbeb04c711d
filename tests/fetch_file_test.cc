// Where fetched bodies are saved: names no URL can steer out of --out-dir.
#include "worker/fetch_file.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace farm
