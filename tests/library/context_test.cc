// farm::Context's deadline and progress, over a worker's context of farm's
// own: what a task sees, without a worker around it.
#include <farm/task.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "worker/task.h"

namespace farm {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

TEST(Context, DeadlineIsTheTimeoutAfterTheTaskStarted) {
  WorkerContext worker;
  worker.task_timeout_s = 2;
  TaskContext task{
      .worker = worker, .id_json = "1", .seq = 1, .started = Clock::now() - milliseconds(1500)};
  Context context(task);
  ASSERT_TRUE(context.deadline().has_value());
  EXPECT_EQ(*context.deadline(), task.started + std::chrono::seconds(2));
  EXPECT_FALSE(context.expired());                      // about 500 ms are left
  EXPECT_TRUE(context.expired(std::chrono::hours(1)));  // not that much
  task.started -= milliseconds(600);
  EXPECT_TRUE(context.expired());
}

TEST(Context, NoTimeoutNoDeadline) {
  WorkerContext worker;
  TaskContext task{.worker = worker, .id_json = "1", .seq = 1, .started = Clock::now()};
  Context context(task);
  EXPECT_FALSE(context.deadline().has_value());
  EXPECT_FALSE(context.expired(std::chrono::hours(24 * 365)));
}

TEST(Context, ProgressIsClampedAndSentAtMostEveryHundredMilliseconds) {
  WorkerContext worker;
  std::vector<double> sent;
  worker.send_progress = [&](uint64_t seq, double fraction) {
    EXPECT_EQ(seq, 7u);
    sent.push_back(fraction);
  };
  TaskContext task{.worker = worker, .id_json = "7", .seq = 7, .started = Clock::now()};
  Context context(task);
  context.Progress(-3);  // the first report goes at once
  ASSERT_EQ(sent, std::vector<double>{0});
  // Called for 350 ms in a tight loop: the first report above, and at most
  // one per 100 ms after it.
  const Clock::time_point start = Clock::now();
  uint64_t calls = 0;
  while (Clock::now() - start < milliseconds(350)) context.Progress(7), ++calls;
  EXPECT_GT(calls, 1000u);
  EXPECT_LE(sent.size(), 4u);
  for (double fraction : sent) EXPECT_TRUE(fraction == 0 || fraction == 1) << fraction;

  TaskContext next{.worker = worker, .id_json = "7", .seq = 7, .started = Clock::now()};
  Context fresh(next);  // each task has its own limit
  const size_t before = sent.size();
  fresh.Progress(std::nan(""));
  ASSERT_EQ(sent.size(), before + 1);
  EXPECT_EQ(sent.back(), 0);
}

TEST(Context, ProgressWithNowhereToGoIsDropped) {
  WorkerContext worker;  // no send_progress: nothing carries it
  TaskContext task{.worker = worker, .id_json = "1", .seq = 1, .started = Clock::now()};
  Context context(task);
  context.Progress(0.5);
  EXPECT_FALSE(task.progress_sent.has_value());
}

}  // namespace
}  // namespace farm
