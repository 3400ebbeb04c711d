// Thread mode's transport with a real worker thread: a worker that stops by
// itself is reported, as a process's exit is, so the tasks it held go back
// to the scheduler instead of waiting for it for ever.
#include "coordinator/thread_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace farm {
namespace {

struct Recorded : TransportEvents {
  void OnMessage(int, std::string_view line) override { messages.emplace_back(line); }
  void OnEnded(int slot, const std::string& how) override { ended.emplace_back(slot, how); }
  std::vector<std::string> messages;
  std::vector<std::pair<int, std::string>> ended;
};

TEST(ThreadTransport, AWorkerThreadThatStopsOnAnErrorIsReportedEnded) {
  std::unique_ptr<ThreadTransport> transport;
  ASSERT_TRUE(ThreadTransport::Create(2, &transport).ok());
  ASSERT_TRUE(transport->Start(1).ok());
  std::string garbage = "not a message of farm's\n";
  transport->Send(1, &garbage);  // the worker says so, and its thread returns
  Recorded events;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (events.ended.empty() && std::chrono::steady_clock::now() < deadline) {
    bool input_ready = false;
    ASSERT_TRUE(transport->Wait({.until = std::chrono::steady_clock::now() +
                                          std::chrono::milliseconds(100)},
                                events, &input_ready)
                    .ok());
  }
  ASSERT_EQ(events.ended.size(), 1u);
  EXPECT_EQ(events.ended[0].first, 1);
  EXPECT_EQ(events.ended[0].second, "stopped on an error");
  EXPECT_TRUE(transport->Start(1).ok()) << "and its slot takes a new worker";
}

}  // namespace
}  // namespace farm
