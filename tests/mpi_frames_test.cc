// The framing of what one MPI message carries between rank 0 and an agent.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mpi/frames.h"

namespace farm::mpi {
namespace {

std::vector<Frame> ReadAll(const std::string& message, Status* status = nullptr) {
  FrameReader reader(message);
  std::vector<Frame> frames;
  Frame frame;
  while (reader.Next(&frame)) frames.push_back(frame);
  if (status != nullptr) *status = reader.status();
  return frames;
}

TEST(MpiFrames, EveryKindRoundTripsWithItsWorkerAndGeneration) {
  FrameWriter writer;
  writer.Append(FrameKind::kStart, 3, 7);
  writer.AppendLines(3, 7, "{\"seq\":1}\n");
  writer.Append(FrameKind::kEnded, 1, 2, "killed by signal 9 (Killed)");
  writer.Append(FrameKind::kStartFailed, 2, 1, "fork: Resource temporarily unavailable");
  std::string message = writer.Take();
  EXPECT_TRUE(writer.empty());
  std::vector<Frame> frames = ReadAll(message);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].kind, FrameKind::kStart);
  EXPECT_EQ(frames[0].local, 3u);
  EXPECT_EQ(frames[0].generation, 7u);
  EXPECT_EQ(frames[1].payload, "{\"seq\":1}\n");
  EXPECT_EQ(frames[2].kind, FrameKind::kEnded);
  EXPECT_EQ(frames[2].local, 1u);
  EXPECT_EQ(frames[2].payload, "killed by signal 9 (Killed)");
  EXPECT_EQ(frames[3].kind, FrameKind::kStartFailed);  // the last kind is known too
  EXPECT_EQ(frames[3].local, 2u);
}

TEST(MpiFrames, LinesForOneWorkerInARowShareOneFrame) {
  FrameWriter writer;
  writer.AppendLine(0, 1, "a");
  writer.AppendLine(0, 1, "b");
  writer.AppendLines(0, 1, "c\nd\n");
  writer.AppendLine(1, 1, "e");       // another worker: a new frame
  writer.AppendLine(0, 2, "f");       // a new generation: a new frame
  writer.Append(FrameKind::kKill, 0, 2);
  writer.AppendLine(0, 2, "g");       // after another kind: a new frame
  const std::string message = writer.Take();  // frames are views into it
  std::vector<Frame> frames = ReadAll(message);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[0].payload, "a\nb\nc\nd\n");
  EXPECT_EQ(frames[1].payload, "e\n");
  EXPECT_EQ(frames[2].payload, "f\n");
  EXPECT_EQ(frames[3].kind, FrameKind::kKill);
  EXPECT_EQ(frames[4].payload, "g\n");
}

TEST(MpiFrames, RunningCarriesSeqAndAge) {
  FrameWriter writer;
  writer.AppendRunning(2, 5, 123456789012ULL, 987654321ULL);
  const std::string message = writer.Take();
  std::vector<Frame> frames = ReadAll(message);
  ASSERT_EQ(frames.size(), 1u);
  uint64_t seq, age;
  ASSERT_TRUE(DecodeRunning(frames[0].payload, &seq, &age));
  EXPECT_EQ(seq, 123456789012ULL);
  EXPECT_EQ(age, 987654321ULL);
  EXPECT_FALSE(DecodeRunning("short", &seq, &age));
}

TEST(MpiFrames, TruncatedOrUnknownFramesAreErrors) {
  FrameWriter writer;
  writer.AppendLine(0, 1, "hello");
  std::string message = writer.Take();
  Status status;
  EXPECT_TRUE(ReadAll(message.substr(0, message.size() - 1), &status).empty());
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(ReadAll(message.substr(0, 5), &status).empty());
  EXPECT_FALSE(status.ok());
  message[0] = 99;
  EXPECT_TRUE(ReadAll(message, &status).empty());
  EXPECT_NE(status.message().find("unknown kind"), std::string::npos);
}

}  // namespace
}  // namespace farm::mpi
