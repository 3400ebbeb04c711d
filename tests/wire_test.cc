// The coordinator-worker messages: what is written is what is decoded, and a
// reply that does not fit the layout is rejected rather than half-read.
#include "common/wire.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

namespace farm::wire {
namespace {

constexpr std::string_view kResult =
    R"({"id":7,"type":"fib","ok":true,"worker":0,"attempts":1,"elapsed_ms":0.004,"result":{"n":20}})";

std::string Reply(uint64_t seq, bool ok, std::string_view result_line) {
  std::string out;
  AppendReply(seq, ok, result_line, &out);
  return out;
}

// A reply line as the worker writes it, without its '\n'.
std::string ReplyLine(uint64_t seq, bool ok, std::string_view result_line) {
  std::string line = Reply(seq, ok, result_line);
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  return line;
}

bool Decodes(std::string_view line) {
  wire::Reply reply;
  return DecodeReply(line, &reply);
}

TEST(Wire, TaskMessageIsOneJsonLineHoldingTheTaskVerbatim) {
  std::string out = "earlier\n";
  AppendTask(17, 2, R"({"type":"fib","n":20,"id":"x"})", &out);
  ASSERT_EQ(out, "earlier\n" R"({"seq":17,"attempt":2,"task":{"type":"fib","n":20,"id":"x"}})" "\n");
  auto message = nlohmann::json::parse(out.substr(8));
  EXPECT_EQ(message["seq"], 17);
  EXPECT_EQ(message["attempt"], 2);
  EXPECT_EQ(message["task"]["id"], "x");
}

TEST(Wire, TaskMessageKeepsTheLargestSeq) {
  std::string out;
  AppendTask(UINT64_MAX, 1, "{}", &out);
  EXPECT_EQ(nlohmann::json::parse(out)["seq"].get<uint64_t>(), UINT64_MAX);
}

TEST(Wire, TaskRoundTrips) {
  for (uint64_t seq : {uint64_t{1}, uint64_t{17}, UINT64_MAX}) {
    for (int attempt : {1, 3, 1000}) {
      for (std::string_view task : {std::string_view(R"({"type":"fib","n":20})"),
                                    std::string_view(R"({"id":"}","s":"\"}"})"),
                                    std::string_view("[1]")}) {
        std::string out;
        AppendTask(seq, attempt, task, &out);
        out.pop_back();
        TaskMessage message;
        ASSERT_TRUE(DecodeTask(out, &message)) << out;
        EXPECT_EQ(message.seq, seq);
        EXPECT_EQ(message.attempt, attempt);
        EXPECT_EQ(message.task_json, task);
      }
    }
  }
}

TEST(Wire, MalformedTaskMessagesAreRejected) {
  TaskMessage message;
  for (std::string_view line :
       {"", "{}", R"({"seq":1,"task":{}})", R"({"attempt":1,"seq":1,"task":{}})",
        R"({"seq":-1,"attempt":1,"task":{}})", R"({"seq":1,"attempt":0,"task":{}})",
        R"({"seq":1,"attempt":-2,"task":{}})", R"({"seq":1,"attempt":1,"task":})",
        R"({"seq":1,"attempt":1})", R"({"seq":1,"attempt":1,"task":{}} )",
        R"({"seq":x,"attempt":1,"task":{}})", R"({"seq":1,"attempt":99999999999,"task":{}})"})
    EXPECT_FALSE(DecodeTask(line, &message)) << line;
  // Only the envelope is checked here: a torn task is left to the parser.
  ASSERT_TRUE(DecodeTask(R"({"seq":1,"attempt":1,"task":{})", &message));
  EXPECT_EQ(message.task_json, "{");
}

TEST(Wire, ReplyRoundTrips) {
  for (bool ok : {true, false}) {
    for (uint64_t seq : {uint64_t{0}, uint64_t{1}, uint64_t{17}, UINT64_MAX}) {
      std::string line = ReplyLine(seq, ok, kResult);
      wire::Reply reply;
      ASSERT_TRUE(DecodeReply(line, &reply)) << line;
      EXPECT_EQ(reply.seq, seq);
      EXPECT_EQ(reply.ok, ok);
      EXPECT_EQ(reply.result_line, kResult);
    }
  }
}

TEST(Wire, ReplyIsValidJsonWithTheResultNested) {
  auto message = nlohmann::json::parse(ReplyLine(5, true, kResult));
  EXPECT_EQ(message["seq"], 5);
  EXPECT_EQ(message["ok"], true);
  EXPECT_EQ(message["reply"], nlohmann::json::parse(kResult));
}

TEST(Wire, ReplyHoldingNewlineEscapesStaysOneLine) {
  std::string result = R"({"error":{"message":"line\nbreak \"quoted\" }"}})";
  std::string out = Reply(3, false, result);
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  wire::Reply reply;
  ASSERT_TRUE(DecodeReply(std::string_view(out).substr(0, out.size() - 1), &reply));
  EXPECT_EQ(reply.result_line, result);
}

TEST(Wire, ReplyWithWrongPrefixIsRejected) {
  EXPECT_FALSE(Decodes(R"({"sq":1,"ok":true,"reply":{}})"));
  EXPECT_FALSE(Decodes(R"( {"seq":1,"ok":true,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"ok":true,"seq":1,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(""));
}

TEST(Wire, ReplyWithBadSeqIsRejected) {
  EXPECT_FALSE(Decodes(R"({"seq":,"ok":true,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"seq":-1,"ok":true,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"seq":"1","ok":true,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"seq":1.5,"ok":true,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"seq":18446744073709551616,"ok":true,"reply":{"a":1}})"));
}

TEST(Wire, ReplyWithoutOkIsRejected) {
  EXPECT_FALSE(Decodes(R"({"seq":1,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":1,"reply":{"a":1}})"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":"true","reply":{"a":1}})"));
}

TEST(Wire, ReplyWithInvalidJsonInsideIsRejected) {
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":{"a":}})"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":{"a":1})"));  // torn: one brace short
  EXPECT_FALSE(Decodes("{\"seq\":1,\"ok\":true,\"reply\":{\"a\":\"\xff\"}}"));  // not UTF-8
}

TEST(Wire, ReplyHoldingANonObjectIsRejected) {
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":[1,2]})"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":"x"})"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":7})"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":})"));
}

TEST(Wire, ReplyWithTrailingGarbageIsRejected) {
  std::string line = ReplyLine(1, true, kResult);
  EXPECT_TRUE(Decodes(line));
  EXPECT_FALSE(Decodes(line + "x"));
  EXPECT_FALSE(Decodes(line + "}"));
  EXPECT_FALSE(Decodes(line + " "));
  EXPECT_FALSE(Decodes(line + "\n"));
  EXPECT_FALSE(Decodes(R"({"seq":1,"ok":true,"reply":{"a":1},"more":2})"));
}

TEST(Wire, TruncatedReplyIsRejectedAtEveryLength) {
  std::string line = ReplyLine(42, true, kResult);
  for (size_t length = 0; length < line.size(); ++length)
    EXPECT_FALSE(Decodes(std::string_view(line).substr(0, length))) << "length " << length;
}

TEST(Wire, LineLimitsLeaveRoomForTheLargestTaskAndReply) {
  // A task line of the maximum size still fits in a message line.
  std::string message;
  AppendTask(UINT64_MAX, 1000, std::string(kMaxTaskLine, 'x'), &message);
  EXPECT_LE(message.size() - 1, kMaxMessageLine);
  // F(100,000,000) has 20,898,764 digits; its reply must fit.
  EXPECT_GT(kMaxReplyLine, 20'898'764u + 1024);
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
}  // namespace farm::wire

namespace farm {
namespace {

TEST(WireSettings, RoundTripEveryField) {
  wire::WorkerSettings settings{.index = 3, .generation = 7, .master_seed = 18446744073709551615u,
                                .memory_limit_mb = 512, .task_timeout_s = 2.5, .allow_exec = true};
  settings.fetch = {.out_dir = "dir with \"quotes\"",
                    .concurrency = 5,
                    .user_agent = "agent/1 (+https://example.com/bot)",
                    .headers = {"Accept-Language: en", "X-Empty;", "Cookie:"}};
  std::string line;
  wire::AppendSettings(settings, &line);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  ASSERT_TRUE(wire::IsSettings(line));
  wire::WorkerSettings decoded;
  ASSERT_TRUE(wire::DecodeSettings(line, &decoded).ok());
  EXPECT_EQ(decoded.index, 3);
  EXPECT_EQ(decoded.generation, 7u);
  EXPECT_EQ(decoded.master_seed, 18446744073709551615u);
  EXPECT_EQ(decoded.memory_limit_mb, 512);
  EXPECT_EQ(decoded.task_timeout_s, 2.5);
  EXPECT_TRUE(decoded.allow_exec);
  EXPECT_EQ(decoded.fetch.out_dir, "dir with \"quotes\"");
  EXPECT_EQ(decoded.fetch.concurrency, 5);
  EXPECT_EQ(decoded.fetch.user_agent, "agent/1 (+https://example.com/bot)");
  EXPECT_EQ(decoded.fetch.headers,
            (std::vector<std::string>{"Accept-Language: en", "X-Empty;", "Cookie:"}));
}

TEST(WireSettings, HeadersMustBeAListOfStrings) {
  wire::WorkerSettings decoded;
  std::string line;
  wire::AppendSettings({}, &line);
  for (const char* bad : {R"("headers":"X: 1")", R"("headers":[1])", R"("headers":null)"}) {
    std::string broken = line;
    broken.replace(broken.find(R"("headers":[])"), 12, bad);
    EXPECT_FALSE(wire::DecodeSettings(broken, &decoded).ok()) << broken;
  }
}

TEST(WireSettings, MissingFieldIsAnErrorNamingIt) {
  wire::WorkerSettings decoded;
  Status s = wire::DecodeSettings(R"({"settings":{"index":0,"fetch":{}}})", &decoded);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("generation"), std::string::npos) << s.message();
}

TEST(WireWorkerMessages, StartedAndOutOfMemoryNameTheirTask) {
  std::string started, oom;
  wire::AppendStarted(17, &started);
  wire::AppendOutOfMemory(18, &oom);
  EXPECT_EQ(started, "{\"started\":17}\n");
  EXPECT_EQ(oom, "{\"out_of_memory\":18}\n");
  wire::WorkerMessage message;
  ASSERT_TRUE(wire::DecodeWorkerMessage(R"({"started":17})", &message));
  EXPECT_EQ(message.kind, wire::WorkerMessage::Kind::kStarted);
  EXPECT_EQ(message.seq, 17u);
  ASSERT_TRUE(wire::DecodeWorkerMessage(R"({"out_of_memory":18})", &message));
  EXPECT_EQ(message.kind, wire::WorkerMessage::Kind::kOutOfMemory);
  EXPECT_EQ(message.seq, 18u);
  EXPECT_FALSE(wire::DecodeWorkerMessage(R"({"started":17,"x":1})", &message));
  EXPECT_FALSE(wire::DecodeWorkerMessage(R"({"started":})", &message));
  EXPECT_FALSE(wire::DecodeWorkerMessage(R"({"stopped":1})", &message));
}

TEST(WireWorkerMessages, TransientRoundTrip) {
  std::string line;
  wire::AppendTransient(17, 5000, &line);
  wire::AppendTransient(18446744073709551615u, -1, &line);
  wire::AppendTransient(3, 0, &line);
  EXPECT_EQ(line,
            "{\"transient\":17,\"after_ms\":5000}\n"
            "{\"transient\":18446744073709551615,\"after_ms\":-1}\n"
            "{\"transient\":3,\"after_ms\":0}\n");
  wire::WorkerMessage message;
  ASSERT_TRUE(wire::DecodeWorkerMessage(R"({"transient":17,"after_ms":5000})", &message));
  EXPECT_EQ(message.kind, wire::WorkerMessage::Kind::kTransient);
  EXPECT_EQ(message.seq, 17u);
  EXPECT_EQ(message.after_ms, 5000);
  ASSERT_TRUE(
      wire::DecodeWorkerMessage(R"({"transient":18446744073709551615,"after_ms":-1})", &message));
  EXPECT_EQ(message.seq, 18446744073709551615u);
  EXPECT_EQ(message.after_ms, -1);
}

TEST(WireWorkerMessages, TransientGarbageIsRejected) {
  wire::WorkerMessage message;
  for (const char* line : {
           R"({"transient":17})",
           R"({"transient":17,"after_ms":})",
           R"({"transient":17,"after_ms":-2})",
           R"({"transient":-1,"after_ms":0})",
           R"({"transient":17,"after_ms":1.5})",
           R"({"transient":17,"after_ms":5,})",
           R"({"transient":17,"after_ms":99999999999999999999})",
           R"({"after_ms":5,"transient":17})",
           R"({"transient":,"after_ms":5})",
       })
    EXPECT_FALSE(wire::DecodeWorkerMessage(line, &message)) << line;
}

TEST(WireWorkerMessages, ProgressRoundTrip) {
  std::string line;
  wire::AppendProgress(17, 0.25, &line);
  wire::AppendProgress(18446744073709551615u, 1, &line);
  wire::AppendProgress(3, 0, &line);
  EXPECT_EQ(line,
            "{\"progress\":17,\"fraction\":0.25}\n"
            "{\"progress\":18446744073709551615,\"fraction\":1}\n"
            "{\"progress\":3,\"fraction\":0}\n");
  for (double fraction : {0.0, 1e-9, 1.0 / 3, 0.999999, 1.0}) {
    line.clear();
    wire::AppendProgress(5, fraction, &line);
    EXPECT_TRUE(nlohmann::json::parse(line, nullptr, false).is_object()) << line;
    line.pop_back();
    wire::WorkerMessage message;
    ASSERT_TRUE(wire::DecodeWorkerMessage(line, &message)) << line;
    EXPECT_EQ(message.kind, wire::WorkerMessage::Kind::kProgress);
    EXPECT_EQ(message.seq, 5u);
    EXPECT_EQ(message.fraction, fraction);  // exactly: the shortest text that reads back
  }
}

TEST(WireWorkerMessages, ProgressOutsideZeroToOneOrTornIsRejected) {
  wire::WorkerMessage message;
  for (const char* line : {
           R"({"progress":17})",
           R"({"progress":17,"fraction":})",
           R"({"progress":17,"fraction":-0.5})",
           R"({"progress":17,"fraction":1.5})",
           R"({"progress":17,"fraction":nan})",
           R"({"progress":17,"fraction":inf})",
           R"({"progress":17,"fraction":0.5,})",
           R"({"progress":-1,"fraction":0.5})",
           R"({"fraction":0.5,"progress":17})",
       })
    EXPECT_FALSE(wire::DecodeWorkerMessage(line, &message)) << line;
}

TEST(WireWorkerMessages, OutOfMemoryFormattedWithoutAllocatingIsTheSameMessage) {
  char buffer[48];
  size_t size = wire::FormatOutOfMemory(18446744073709551615u, buffer);
  std::string expected;
  wire::AppendOutOfMemory(18446744073709551615u, &expected);
  EXPECT_EQ(std::string(buffer, size), expected);
}

TEST(WireWorkerMessages, TrustedReplyIsNotCheckedForJson) {
  wire::Reply reply;
  EXPECT_FALSE(wire::DecodeReply(R"({"seq":1,"ok":true,"reply":{"a":}})", &reply));
  EXPECT_TRUE(wire::DecodeReply(R"({"seq":1,"ok":true,"reply":{"a":}})", &reply,
                                /*check_json=*/false));
}

}  // namespace
}  // namespace farm
