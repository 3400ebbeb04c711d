// The scheduler's policy against a fake transport: which task a dead, broken
// or hung worker is blamed for, what is retried, --keep-order behind a slow
// head task, and draining on Ctrl-C. No process, thread or sleep: time is a
// fake clock the script moves.
#include "coordinator/scheduler.h"

#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/fake_transport.h"
#include "tests/run_farm.h"
#include "tests/scheduler_fixture.h"

namespace farm {
namespace {

using testing::FakeTransport;
using std::chrono::milliseconds;

TEST_F(SchedulerTest, EveryTaskGetsOneResultAndTinyTasksArePipelined) {
  script = [&](FakeTransport& t, TransportEvents& events) { ReplyToAll(t, events, 0); };
  std::vector<nlohmann::json> lines = Run(Tasks(200));
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_EQ(lines.size(), 200u);
  EXPECT_LT(transport->waits, 20) << "0.1 ms tasks should travel many to a message";
  EXPECT_EQ(summary.tasks_per_worker, std::vector<uint64_t>{200});
}

TEST_F(SchedulerTest, WindowIsFilledWholeAndRefilledByHalfAWindowAtLeast) {
  options.fetch.concurrency = 4;  // fetches: a window of 8 from the start
  std::vector<size_t> held_at_each_wait;  // while input remains
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.worker(0).tasks.size() < 40) held_at_each_wait.push_back(Held(t, 0).size());
    auto& w = t.worker(0);
    now += std::chrono::microseconds(250);  // a 2 ms window holds 8 such tasks
    FakeTransport::Reply(events, 0, w.tasks[w.replied++].seq);  // one at a time
  };
  std::string fetches;
  for (int i = 0; i < 40; ++i) fetches += R"({"type":"fetch","url":"http://127.0.0.1:1/"})" "\n";
  std::vector<nlohmann::json> lines = Run(fetches);
  ASSERT_EQ(lines.size(), 40u);
  ASSERT_GE(held_at_each_wait.size(), 5u);
  EXPECT_EQ(held_at_each_wait[0], 8u) << "the first fill is the whole window";
  for (size_t held : held_at_each_wait) EXPECT_GE(held, 4u) << "refilled before half is gone";
  EXPECT_LT(transport->worker(0).tasks.size(), 41u);
}

TEST_F(SchedulerTest, WorkerThatDiesHoldingThreeTasksCostsOnlyTheRunningOneAnAttempt) {
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.starts == 1 && t.waits == 1) {
      ReplyToAll(t, events, 0);  // the first task: the window opens
      return;
    }
    if (t.starts == 1 && t.waits == 2) {
      ASSERT_EQ(Held(t, 0), (std::vector<uint64_t>{2, 3, 4}));
      t.worker(0).running = 3;  // as the shared page would show it
      t.running_since = now;
      return t.Die(events, 0);
    }
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(4));
  ASSERT_EQ(lines.size(), 4u);
  ASSERT_EQ(transport->starts, 2);
  std::vector<FakeTransport::SentTask> resent = transport->worker(0).tasks;
  ASSERT_EQ(resent.size(), 3u);
  EXPECT_EQ(resent[0].seq, 2u);
  EXPECT_EQ(resent[0].attempt, 1);  // never ran
  EXPECT_EQ(resent[1].seq, 3u);
  EXPECT_EQ(resent[1].attempt, 2);  // was running: charged
  EXPECT_EQ(resent[2].attempt, 1);
  EXPECT_EQ(summary.retried, 1u);
  EXPECT_EQ(summary.worker_restarts, 1u);
}

TEST_F(SchedulerTest, WithoutSharedMemoryTheStartedMessageNamesTheCulprit) {
  options.retries = 0;
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.starts == 1 && t.waits == 1) return ReplyToAll(t, events, 0);
    if (t.starts == 1) {
      FakeTransport::Started(events, 0, 3);  // 2 finished, its reply still buffered
      return t.Die(events, 0);
    }
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(4));
  ASSERT_EQ(lines.size(), 4u);
  for (const nlohmann::json& line : lines) {
    if (line["id"] == 3) {
      EXPECT_EQ(line["error"]["code"], "worker_died");
      EXPECT_EQ(line["error"]["message"], "worker 0 killed by signal 9 (Killed)");
    } else {
      EXPECT_EQ(line["ok"], true) << line;
    }
  }
}

TEST_F(SchedulerTest, HungTaskIsKilledAtItsDeadlineRetriedAndThenFailsAsTimeout) {
  options.task_timeout_s = 1;
  options.retries = 1;
  script = [&](FakeTransport&, TransportEvents&) { now += milliseconds(1500); };
  std::vector<nlohmann::json> lines = Run(Tasks(1));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["error"]["code"], "timeout");
  EXPECT_EQ(lines[0]["attempts"], 2);
  EXPECT_EQ(transport->kills, 2);
}

TEST_F(SchedulerTest, DeadlineOfTenBillionSecondsDoesNotOverflow) {
  options.task_timeout_s = 1e10;
  script = [&](FakeTransport& t, TransportEvents& events) {
    now += std::chrono::hours(24 * 365);
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(3));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(transport->kills, 0);
}

TEST_F(SchedulerTest, ReplyToATaskNotGivenReplacesTheWorkerAndLosesNothing) {
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.starts == 1) return FakeTransport::Reply(events, 0, 99);
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(2));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(transport->kills, 1);
  EXPECT_EQ(summary.worker_restarts, 1u);
  for (const nlohmann::json& line : lines) EXPECT_EQ(line["ok"], true);
}

TEST_F(SchedulerTest, RepliesOutOfOrderAreTakenAndKeepOrderWritesThemInInputOrder) {
  options.keep_order = true;
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.waits == 1) return ReplyToAll(t, events, 0);  // opens the window
    std::vector<uint64_t> held = Held(t, 0);
    std::reverse(held.begin(), held.end());
    for (uint64_t seq : held) FakeTransport::Reply(events, 0, seq);
    t.worker(0).replied = t.worker(0).tasks.size();
  };
  std::vector<nlohmann::json> lines = Run(Tasks(6));
  ASSERT_EQ(lines.size(), 6u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["id"], i + 1);
}

TEST_F(SchedulerTest, KeepOrderHoldsEveryResultBehindASlowHeadTask) {
  options.keep_order = true;
  bool head_done = false;
  script = [&](FakeTransport& t, TransportEvents& events) {
    ReplyToAll(t, events, 1);  // worker 1 is quick; worker 0 runs task 1 for long
    if (t.waits == 5) {
      head_done = true;
      ReplyToAll(t, events, 0);
    }
  };
  std::vector<nlohmann::json> lines = Run(Tasks(50), /*slots=*/2);
  ASSERT_TRUE(head_done);
  ASSERT_EQ(lines.size(), 50u);
  EXPECT_EQ(transport->worker(0).tasks.front().seq, 1u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["id"], i + 1);
}

TEST_F(SchedulerTest, FirstStopSignalDrainsTasksInFlightAndSendsNoMore) {
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.waits == 1) return ReplyToAll(t, events, 0);
    if (t.waits == 2) {
      stops = 1;  // Ctrl-C while it holds tasks
      return;
    }
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(1000));
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(summary.interrupted);
  size_t sent = transport->worker(0).tasks.size();
  EXPECT_LT(sent, 1000u);
  EXPECT_EQ(lines.size(), sent) << "every task in flight finishes, no other starts";
  EXPECT_FALSE(transport->stopped_now);
}

TEST_F(SchedulerTest, SecondStopSignalStopsAtOnce) {
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.waits == 1) return ReplyToAll(t, events, 0);
    ++stops;  // Ctrl-C, twice, the worker silent
  };
  std::vector<nlohmann::json> lines = Run(Tasks(1000));
  EXPECT_TRUE(summary.interrupted);
  EXPECT_EQ(lines.size(), 1u);
  EXPECT_TRUE(transport->stopped_now);
}

TEST_F(SchedulerTest, OutOfMemoryFailsThatTaskWithoutRetryAndRequeuesTheRest) {
  options.memory_limit_mb = 100;
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.starts == 1 && t.waits == 1) return ReplyToAll(t, events, 0);
    if (t.starts == 1) {
      FakeTransport::OutOfMemory(events, 0, 3);
      return t.Die(events, 0);
    }
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(4));
  ASSERT_EQ(lines.size(), 4u);
  for (const nlohmann::json& line : lines) {
    if (line["id"] != 3) {
      EXPECT_EQ(line["ok"], true);
      continue;
    }
    EXPECT_EQ(line["attempts"], 1);
    EXPECT_EQ(line["error"]["code"], "worker_died");
    EXPECT_EQ(line["error"]["message"].get<std::string>().rfind("out of memory", 0), 0u);
  }
  EXPECT_EQ(summary.retried, 0u);
}

TEST_F(SchedulerTest, WorkerIsRecycledAfterItsShareOfTasksWithoutCountingARestart) {
  options.max_tasks_per_worker = 3;
  script = [&](FakeTransport& t, TransportEvents& events) {
    ReplyToAll(t, events, 0);
    if (t.worker(0).input_closed && t.worker(0).replied == t.worker(0).tasks.size()) {
      EXPECT_LE(t.worker(0).tasks.size(), 3u);
      t.Die(events, 0);  // it exits at the end of its input
    }
  };
  std::vector<nlohmann::json> lines = Run(Tasks(7));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(transport->starts, 3);
  EXPECT_EQ(summary.worker_restarts, 0u);
}

TEST_F(SchedulerTest, HaltSoonSendsNoNewTaskAfterTheFailureButLetsThoseInFlightFinish) {
  ASSERT_TRUE(HaltPolicy::Parse("soon,fail=1", &options.halt).ok());
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.waits == 1) return ReplyToAll(t, events, 0);  // the window opens
    auto& w = t.worker(0);
    FakeTransport::Reply(events, 0, w.tasks[w.replied++].seq, /*ok=*/false);
    ReplyToAll(t, events, 0);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(1000));
  size_t sent = transport->worker(0).tasks.size();
  EXPECT_LT(sent, 1000u);
  EXPECT_EQ(lines.size(), sent);
  EXPECT_NE(summary.halted.find("--halt soon,fail=1"), std::string::npos) << summary.halted;
  EXPECT_EQ(summary.not_run, 0u);
  EXPECT_FALSE(transport->stopped_now);
}

TEST_F(SchedulerTest, HaltNowStopsTheTasksInFlightWithoutAResultLine) {
  ASSERT_TRUE(HaltPolicy::Parse("now,fail=1", &options.halt).ok());
  script = [&](FakeTransport& t, TransportEvents& events) {
    if (t.waits == 1) return ReplyToAll(t, events, 0);
    auto& w = t.worker(0);
    FakeTransport::Reply(events, 0, w.tasks[w.replied++].seq, /*ok=*/false);
  };
  std::vector<nlohmann::json> lines = Run(Tasks(1000));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(summary.not_run, transport->worker(0).tasks.size() - 2);
  EXPECT_GT(summary.not_run, 0u);
  EXPECT_TRUE(transport->stopped_now);
}

TEST(HaltPolicy, ParsesGnuParallelForms) {
  HaltPolicy p;
  ASSERT_TRUE(HaltPolicy::Parse("now,fail=1", &p).ok());
  EXPECT_TRUE(p.Triggered(100, 1));
  EXPECT_FALSE(p.Triggered(100, 0));
  ASSERT_TRUE(HaltPolicy::Parse("soon,fail=30%", &p).ok());
  EXPECT_FALSE(p.Triggered(0, 1)) << "too few tasks for a percentage";
  EXPECT_FALSE(p.Triggered(8, 3));
  EXPECT_TRUE(p.Triggered(7, 3));
  ASSERT_TRUE(HaltPolicy::Parse("now,success=2", &p).ok());
  EXPECT_FALSE(p.Triggered(1, 50));
  EXPECT_TRUE(p.Triggered(2, 0));
  EXPECT_EQ(p.Describe(), "--halt now,success=2");
  ASSERT_TRUE(HaltPolicy::Parse("never", &p).ok());
  EXPECT_FALSE(p.Triggered(0, 1000));
  for (const char* bad : {"now", "later,fail=1", "soon,fail=0", "soon,fail=x", "soon,fail=101%",
                          "soon,died=1", "now,fail="})
    EXPECT_FALSE(HaltPolicy::Parse(bad, &p).ok()) << bad;
}

}  // namespace
}  // namespace farm
