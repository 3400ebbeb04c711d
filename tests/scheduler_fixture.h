// The scheduler's tests' common ground: a run of task lines on fake workers,
// whose script a test writes, on a fake clock.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "coordinator/scheduler.h"
#include "tests/fake_transport.h"
#include "tests/run_farm.h"

namespace farm {

using testing::FakeTransport;

inline Fd MemoryFile(const std::string& text) {
  Fd fd(memfd_create("scheduler-test", MFD_CLOEXEC));
  EXPECT_TRUE(WriteAll(fd.get(), text).ok());
  lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

// `count` tiny tasks, one a line.
inline std::string Tasks(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "{\"type\":\"sleep\",\"ms\":0}\n";
  return text;
}

class SchedulerTest : public ::testing::Test {
 protected:
  // Runs `tasks` on `slots` fake workers; the result lines, parsed.
  std::vector<nlohmann::json> Run(const std::string& tasks, int slots = 1) {
    transport = std::make_unique<FakeTransport>(slots);
    transport->on_wait = [this](FakeTransport& t, TransportEvents& events) { script(t, events); };
    SchedulerEnv env{.now = [this] { return now; }, .stop_signals = [this] { return stops; }};
    Scheduler scheduler(options, *transport, &summary, env);
    EXPECT_TRUE(scheduler.StartWorkers().ok());
    TaskSource source(MemoryFile(tasks), /*urls=*/false);
    ResultSink sink(dir.File("out"), /*append=*/false, options.keep_order);
    status = scheduler.Run(source, sink);
    EXPECT_TRUE(sink.Finish().ok());
    std::string text = testing::ReadFile(dir.File("out"));
    std::vector<nlohmann::json> lines;
    for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
      lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    return lines;
  }

  // Replies to every task a worker holds, oldest first, 0.1 ms apart.
  void ReplyToAll(FakeTransport& t, TransportEvents& events, int slot) {
    for (auto& w = t.worker(slot); w.replied < w.tasks.size() && w.alive;) {
      now += std::chrono::microseconds(100);
      FakeTransport::Reply(events, slot, w.tasks[w.replied++].seq);
    }
  }
  // The tasks sent to a worker that it has not replied to.
  std::vector<uint64_t> Held(FakeTransport& t, int slot) {
    std::vector<uint64_t> held;
    auto& tasks = t.worker(slot).tasks;
    for (size_t i = t.worker(slot).replied; i < tasks.size(); ++i) held.push_back(tasks[i].seq);
    return held;
  }

  RunOptions options = [] {
    RunOptions o;
    o.seed = 1;
    return o;
  }();
  RunSummary summary;
  Status status;
  testing::TempDir dir;
  Clock::time_point now = Clock::time_point(std::chrono::hours(1));
  int stops = 0;
  std::unique_ptr<FakeTransport> transport;
  std::function<void(FakeTransport&, TransportEvents&)> script;
};

}  // namespace farm
