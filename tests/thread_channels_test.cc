// The thread-mode channels with real threads: every message reaches its
// worker once, every reply is seen once, and no wake-up is lost between
// Post() and ppoll().
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
  ASSERT_TRUE(ReplyChannel::Create(&replies).ok());

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      std::string messages;
      while (queues[static_cast<size_t>(w)]->Pop(&messages))  // echo them, marked
        replies->Post({w, 1, messages});
    });
  }
  uint64_t seq = 0;
  for (int b = 0; b < kBatches; ++b) {
    std::string batch;
    for (int i = 0; i < kPerBatch; ++i) batch += std::to_string(++seq) + "\n";
    queues[static_cast<size_t>(b % kWorkers)]->Push(std::move(batch));
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
  }
  for (std::thread& worker : workers) worker.join();
  for (uint64_t s = 1; s <= seq; ++s) ASSERT_EQ(seen[s], 1) << "seq " << s;
}

TEST(ThreadChannels, ClosedQueueHandsOutWhatWaitsThenEnds) {
  std::unique_ptr<MessageQueue> queue;
  ASSERT_TRUE(MessageQueue::Create(&queue).ok());
  queue->Push("a\n");
  queue->Push("b\n");
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
  queue->Push("a\n");
  queue->Push("b\n");
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

}  // namespace
}  // namespace farm
