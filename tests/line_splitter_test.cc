#include "common/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace farm {
namespace {

// Feeds `input` in chunks of `chunk` bytes and returns what came out:
// lines as themselves, oversize lines as "<oversize>".
std::vector<std::string> Split(const std::string& input, size_t chunk, size_t max_line) {
  LineSplitter splitter(max_line);
  std::vector<std::string> out;
  auto drain = [&](bool finish) {
    std::string_view line;
    for (;;) {
      auto event = finish ? splitter.Finish(&line) : splitter.Next(&line);
      if (event == LineSplitter::Event::kNone) return;
      out.push_back(event == LineSplitter::Event::kLine ? std::string(line) : "<oversize>");
      if (finish) return;
    }
  };
  for (size_t i = 0; i < input.size(); i += chunk) {
    splitter.Feed(std::string_view(input).substr(i, chunk));
    drain(false);
  }
  drain(true);
  return out;
}

TEST(LineSplitter, SplitsLines) {
  EXPECT_EQ(Split("a\nbb\n\nccc\n", 100, 10), (std::vector<std::string>{"a", "bb", "", "ccc"}));
}

TEST(LineSplitter, UnterminatedLastLineComesAtFinish) {
  EXPECT_EQ(Split("a\nlast", 100, 10), (std::vector<std::string>{"a", "last"}));
}

TEST(LineSplitter, SplitAcrossReadsGivesTheSameLines) {
  std::string input = "first\nsecond line\n\nx\nand a longer one here\ntail";
  auto whole = Split(input, input.size(), 64);
  for (size_t chunk = 1; chunk < input.size(); ++chunk)
    EXPECT_EQ(Split(input, chunk, 64), whole) << "chunk " << chunk;
}

TEST(LineSplitter, OversizeLineIsRejectedAndTheNextOneSurvives) {
  std::string input = "ok\n" + std::string(100, 'x') + "\nafter\n";
  for (size_t chunk : {1, 7, 64, 1000})
    EXPECT_EQ(Split(input, chunk, 10), (std::vector<std::string>{"ok", "<oversize>", "after"}));
}

TEST(LineSplitter, LineOfExactlyTheLimitIsKept) {
  EXPECT_EQ(Split("12345\n123456\n", 3, 5), (std::vector<std::string>{"12345", "<oversize>"}));
}

TEST(LineSplitter, GarbageWithoutNewlinesStaysBounded) {
  LineSplitter splitter(1000);
  std::string garbage(4096, 'g');
  std::string_view line;
  for (int i = 0; i < 1000; ++i) {
    splitter.Feed(garbage);
    EXPECT_EQ(splitter.Next(&line), LineSplitter::Event::kNone);
    EXPECT_LE(splitter.buffered(), 1000u + garbage.size());
  }
  EXPECT_EQ(splitter.Finish(&line), LineSplitter::Event::kOversize);
}

}  // namespace
}  // namespace farm
