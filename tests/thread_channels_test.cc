// The thread-mode channels with real threads: every task handed out once,
// every result seen once, and no wake-up lost between Post() and ppoll().
#include "coordinator/thread_channels.h"

#include <poll.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace farm {
namespace {

TEST(ThreadChannels, EveryTaskReachesOneWorkerAndEveryResultComesBack) {
  constexpr int kWorkers = 4, kBatches = 2000, kPerBatch = 7;
  std::unique_ptr<TaskQueue> queue;
  ASSERT_TRUE(TaskQueue::Create(&queue).ok());
  std::unique_ptr<ResultChannel> results;
  ASSERT_TRUE(ResultChannel::Create(&results).ok());

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      TaskBatch batch;
      while (queue->Pop(&batch)) {
        ResultBatch done;
        std::string_view text = batch.text;
        for (const TaskBatch::Entry& task : batch.tasks) {
          done.text.append(text.substr(0, task.size));  // echo the task
          done.results.push_back({task.seq, task.size, true, w});
          text.remove_prefix(task.size);
        }
        results->Post(std::move(done));
      }
    });
  }
  uint64_t seq = 0;
  for (int b = 0; b < kBatches; ++b) {
    TaskBatch batch;
    for (int i = 0; i < kPerBatch; ++i) {
      ++seq;
      batch.Add(seq, std::to_string(seq * 7));
    }
    queue->Push(std::move(batch));
  }
  queue->Close();

  std::vector<int> seen(seq + 1, 0);
  uint64_t received = 0;
  while (received < seq) {
    // Only the eventfd says when to look: a lost wake-up hangs here.
    pollfd fd = {results->fd(), POLLIN, 0};
    ASSERT_EQ(poll(&fd, 1, 10'000), 1) << "no wake-up with " << received << " of " << seq;
    std::vector<ResultBatch> batches;
    results->TakeAll(&batches);
    for (const ResultBatch& batch : batches) {
      std::string_view text = batch.text;
      for (const ResultBatch::Entry& result : batch.results) {
        ASSERT_EQ(text.substr(0, result.size), std::to_string(result.seq * 7));
        text.remove_prefix(result.size);
        ++seen[result.seq];
        ++received;
      }
    }
  }
  for (std::thread& worker : workers) worker.join();
  for (uint64_t s = 1; s <= seq; ++s) ASSERT_EQ(seen[s], 1) << "seq " << s;
}

TEST(ThreadChannels, ClearDropsOnlyBatchesNotYetTaken) {
  std::unique_ptr<TaskQueue> queue;
  ASSERT_TRUE(TaskQueue::Create(&queue).ok());
  TaskBatch first, second;
  first.Add(1, "a");
  second.Add(2, "b");
  second.Add(3, "c");
  queue->Push(std::move(first));
  queue->Push(std::move(second));
  TaskBatch taken;
  ASSERT_TRUE(queue->Pop(&taken));
  EXPECT_EQ(taken.tasks[0].seq, 1u);
  EXPECT_EQ(queue->Clear(), 2u);
  queue->Close();
  EXPECT_FALSE(queue->Pop(&taken));
}

TEST(ThreadChannels, ReadyFdIsReadableExactlyWhileABatchWaitsOrTheQueueIsClosed) {
  std::unique_ptr<TaskQueue> queue;
  ASSERT_TRUE(TaskQueue::Create(&queue).ok());
  auto readable = [&] {
    pollfd fd = {queue->ready_fd(), POLLIN, 0};
    return poll(&fd, 1, 0) == 1;
  };
  TaskBatch batch;
  EXPECT_FALSE(readable());
  EXPECT_EQ(queue->TryPop(&batch), TaskQueue::Taken::kEmpty);
  batch.Add(1, "a");
  queue->Push(std::move(batch));
  queue->Push(TaskBatch());
  EXPECT_TRUE(readable());
  EXPECT_EQ(queue->TryPop(&batch), TaskQueue::Taken::kBatch);
  EXPECT_EQ(batch.tasks[0].seq, 1u);
  EXPECT_TRUE(readable());  // one batch still waits
  EXPECT_EQ(queue->TryPop(&batch), TaskQueue::Taken::kBatch);
  EXPECT_FALSE(readable());
  queue->Close();
  EXPECT_TRUE(readable());
  EXPECT_EQ(queue->TryPop(&batch), TaskQueue::Taken::kClosed);
  EXPECT_TRUE(readable());
}

}  // namespace
}  // namespace farm
