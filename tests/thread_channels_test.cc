// The thread-mode channels with real threads: every message reaches its
// worker once, every reply is seen once, no wake-up is lost between Post()
// and ppoll(), and buffers go back to be filled again.
#include "coordinator/thread_channels.h"

#include <poll.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace farm {
namespace {

TEST(ThreadChannels, EveryMessageReachesItsWorkerAndEveryReplyComesBack) {
  constexpr int kWorkers = 4, kBatches = 2000, kPerBatch = 7;
  std::vector<std::unique_ptr<MessageQueue>> queues(kWorkers);
  for (auto& queue : queues) ASSERT_TRUE(MessageQueue::Create(&queue).ok());
  std::unique_ptr<ReplyChannel> replies;
  ASSERT_TRUE(ReplyChannel::Create(kWorkers, &replies).ok());

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      std::string messages, reply;
      while (queues[static_cast<size_t>(w)]->Pop(&messages)) {  // echo them
        reply.assign(messages);
        replies->Post(w, 1, &reply);
        ASSERT_TRUE(reply.empty());
      }
    });
  }
  uint64_t seq = 0;
  for (int b = 0; b < kBatches; ++b) {
    std::string batch;
    for (int i = 0; i < kPerBatch; ++i) batch += std::to_string(++seq) + "\n";
    queues[static_cast<size_t>(b % kWorkers)]->Push(&batch);
    ASSERT_TRUE(batch.empty());
  }
  for (auto& queue : queues) queue->Close();

  std::vector<int> seen(seq + 1, 0);
  uint64_t received = 0;
  while (received < seq) {
    // Only the eventfd says when to look: a lost wake-up hangs here.
    pollfd fd = {replies->fd(), POLLIN, 0};
    ASSERT_EQ(poll(&fd, 1, 10'000), 1) << "no wake-up with " << received << " of " << seq;
    std::vector<ReplyChannel::Replies> taken;
    replies->TakeAll(&taken);
    for (const ReplyChannel::Replies& reply : taken) {
      std::string_view text = reply.messages;
      for (size_t end; (end = text.find('\n')) != std::string_view::npos;) {
        uint64_t s = std::stoull(std::string(text.substr(0, end)));
        ASSERT_EQ(static_cast<int>((s - 1) / kPerBatch % kWorkers), reply.slot) << "seq " << s;
        ++seen[s];
        ++received;
        text.remove_prefix(end + 1);
      }
    }
    replies->Recycle(&taken);
  }
  for (std::thread& worker : workers) worker.join();
  for (uint64_t s = 1; s <= seq; ++s) ASSERT_EQ(seen[s], 1) << "seq " << s;
}

TEST(ThreadChannels, ClosedQueueHandsOutWhatWaitsThenEnds) {
  std::unique_ptr<MessageQueue> queue;
  ASSERT_TRUE(MessageQueue::Create(&queue).ok());
  std::string a = "a\n", b = "b\n";
  queue->Push(&a);
  queue->Push(&b);
  queue->Close();
  std::string taken;
  ASSERT_TRUE(queue->Pop(&taken));
  EXPECT_EQ(taken, "a\n");
  ASSERT_TRUE(queue->Pop(&taken));
  EXPECT_EQ(taken, "b\n");
  EXPECT_FALSE(queue->Pop(&taken));
}

TEST(ThreadChannels, ReadyFdIsReadableExactlyWhileMessagesWaitOrTheQueueIsClosed) {
  std::unique_ptr<MessageQueue> queue;
  ASSERT_TRUE(MessageQueue::Create(&queue).ok());
  auto readable = [&] {
    pollfd fd = {queue->ready_fd(), POLLIN, 0};
    return poll(&fd, 1, 0) == 1;
  };
  std::string taken;
  EXPECT_FALSE(readable());
  std::string a = "a\n", b = "b\n";
  queue->Push(&a);
  queue->Push(&b);
  EXPECT_TRUE(readable());
  ASSERT_TRUE(queue->Pop(&taken));
  EXPECT_TRUE(readable());  // one still waits
  ASSERT_TRUE(queue->Pop(&taken));
  EXPECT_FALSE(readable());
  queue->Close();
  EXPECT_TRUE(readable());
  EXPECT_FALSE(queue->Pop(&taken));
  EXPECT_TRUE(readable());
}

// A batch's buffer, once its reader is done with it, is the next one filled:
// no allocation per batch, and none freed by the other thread.
TEST(ThreadChannels, BuffersGoBackToTheSideThatFillsThem) {
  std::unique_ptr<MessageQueue> queue;
  ASSERT_TRUE(MessageQueue::Create(&queue).ok());
  std::string first(1000, 'a');
  const char* const buffer = first.data();
  queue->Push(&first);
  std::string held;
  ASSERT_TRUE(queue->Pop(&held));
  EXPECT_EQ(held.data(), buffer);
  std::string second = "b\n";
  queue->Push(&second);
  ASSERT_TRUE(queue->Pop(&held));  // done with the first: it goes back
  EXPECT_EQ(held, "b\n");
  std::string third = "c\n";
  queue->Push(&third);
  EXPECT_EQ(third.data(), buffer);
  EXPECT_TRUE(third.empty());

  std::unique_ptr<ReplyChannel> replies;
  ASSERT_TRUE(ReplyChannel::Create(1, &replies).ok());
  std::string reply(1000, 'r');
  const char* const reply_buffer = reply.data();
  replies->Post(0, 1, &reply);
  std::vector<ReplyChannel::Replies> taken;
  replies->TakeAll(&taken);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].messages.data(), reply_buffer);
  replies->Recycle(&taken);
  EXPECT_TRUE(taken.empty());
  std::string next = "n\n";
  replies->Post(0, 1, &next);
  EXPECT_EQ(next.data(), reply_buffer);
  EXPECT_TRUE(next.empty());
}

}  // namespace
}  // namespace farm
