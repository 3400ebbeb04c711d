// The worker loop over real pipes, as any transport drives it: settings
// first, then tasks; replies back; and, without shared memory, each start
// announced before the task runs.
#include "worker/worker_loop.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "common/wire.h"

namespace farm {
namespace {

// Serves `messages` on a worker loop over pipes; its whole output.
std::string Serve(const std::string& messages, RunningTask* running, int* exit_status) {
  Pipe tasks, replies;
  EXPECT_TRUE(MakePipe(&tasks).ok());
  EXPECT_TRUE(MakePipe(&replies).ok());
  EXPECT_TRUE(WriteAll(tasks.write.get(), messages).ok());
  tasks.write.reset();
  PipeChannel channel(tasks.read.get(), replies.write.get());
  *exit_status = ServeChannel(channel, {.running = running, .announce_starts = running == nullptr});
  replies.write.reset();
  std::string output, chunk(4096, '\0');
  for (ssize_t n; (n = read(replies.read.get(), chunk.data(), chunk.size())) > 0;)
    output.append(chunk.data(), static_cast<size_t>(n));
  return output;
}

std::string Settings(int index) {
  std::string line;
  wire::AppendSettings({.index = index, .master_seed = 5}, &line);
  return line;
}

TEST(WorkerLoop, WithoutSharedMemoryEachStartIsAnnouncedBeforeItsReply) {
  std::string messages = Settings(2);
  wire::AppendTask(1, 1, R"({"type":"sleep","ms":0})", &messages);
  wire::AppendTask(2, 1, R"({"type":"random","count":1})", &messages);
  int exit_status = -1;
  std::string output = Serve(messages, nullptr, &exit_status);
  EXPECT_EQ(exit_status, 0);
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = output.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(output.substr(start, end - start));
  ASSERT_EQ(lines.size(), 4u) << output;
  EXPECT_EQ(lines[0], R"({"started":1})");
  EXPECT_EQ(lines[2], R"({"started":2})");
  wire::Reply reply;
  ASSERT_TRUE(wire::DecodeReply(lines[3], &reply));
  nlohmann::json result = nlohmann::json::parse(reply.result_line);
  EXPECT_EQ(result["worker"], 2) << "the index comes from the settings message";
}

TEST(WorkerLoop, WithSharedMemoryNoStartIsAnnounced) {
  std::string messages = Settings(0);
  wire::AppendTask(1, 1, R"({"type":"sleep","ms":0})", &messages);
  RunningTask running;
  int exit_status = -1;
  std::string output = Serve(messages, &running, &exit_status);
  EXPECT_EQ(exit_status, 0);
  EXPECT_EQ(output.find("started"), std::string::npos) << output;
  EXPECT_EQ(running.seq.load(), 0u) << "nothing runs once it replied";
}

TEST(WorkerLoop, TaskBeforeSettingsEndsTheWorker) {
  std::string messages;
  wire::AppendTask(1, 1, R"({"type":"sleep","ms":0})", &messages);
  RunningTask running;
  int exit_status = -1;
  Serve(messages, &running, &exit_status);
  EXPECT_EQ(exit_status, 1);
}

}  // namespace
}  // namespace farm
