#include "common/wire.h"

#include <gtest/gtest.h>

#include <string>

namespace farm {
namespace {

TEST(Wire, TaskRoundTrips) {
  std::string line;
  wire::AppendTask(17, 2, R"({"type":"fib","n":20})", &line);
  EXPECT_EQ(line, "{\"seq\":17,\"attempt\":2,\"task\":{\"type\":\"fib\",\"n\":20}}\n");
  line.pop_back();
  wire::TaskMessage message;
  ASSERT_TRUE(wire::DecodeTask(line, &message));
  EXPECT_EQ(message.seq, 17u);
  EXPECT_EQ(message.attempt, 2);
  EXPECT_EQ(message.task_json, R"({"type":"fib","n":20})");
}

TEST(Wire, MalformedTaskMessagesAreRejected) {
  wire::TaskMessage message;
  for (std::string_view line : {"", "{", "{\"seq\":", "{\"seq\":1,\"attempt\":0,\"task\":{}}",
                                "{\"seq\":-1,\"attempt\":1,\"task\":{}}",
                                "{\"seq\":1,\"attempt\":99999999999,\"task\":{}}",
                                "{\"seq\":1,\"attempt\":1,\"task\":", "{\"seq\":1,\"task\":{}}",
                                "{\"attempt\":1,\"seq\":1,\"task\":{}}"})
    EXPECT_FALSE(wire::DecodeTask(line, &message)) << line;
}

TEST(Wire, ReplyRoundTrips) {
  std::string line;
  wire::AppendReply(5, false, R"({"id":5,"ok":false})", &line);
  line.pop_back();
  wire::Reply reply;
  ASSERT_TRUE(wire::DecodeReply(line, &reply));
  EXPECT_EQ(reply.seq, 5u);
  EXPECT_FALSE(reply.ok);
  EXPECT_EQ(reply.result_line, R"({"id":5,"ok":false})");
}

TEST(Wire, TornOrForeignRepliesAreRejected) {
  wire::Reply reply;
  for (std::string_view line : {"", "garbage", "{\"seq\":1,\"ok\":true,\"reply\":{\"id\":1",
                                "{\"seq\":1,\"ok\":true,\"reply\":{\"id\":}}",
                                "{\"seq\":1,\"ok\":maybe,\"reply\":{}}",
                                "{\"seq\":1,\"ok\":true,\"reply\":[1]}",
                                "{\"seq\":x,\"ok\":true,\"reply\":{}}"})
    EXPECT_FALSE(wire::DecodeReply(line, &reply)) << line;
}

}  // namespace
}  // namespace farm
