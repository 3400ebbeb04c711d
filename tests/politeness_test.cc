// Per-host politeness, held by the scheduler for the whole run: caps and
// spacing across workers, back-off for transient failures, robots.txt. Fake
// workers on a fake clock; the real thing is tested in crawl_e2e_test.cc.
#include <map>

#include "tests/scheduler_fixture.h"

namespace farm {
namespace {

using std::chrono::milliseconds;

std::string Fetches(const std::vector<std::string>& urls) {
  std::string text;
  for (const std::string& url : urls) text += R"({"type":"fetch","url":")" + url + "\"}\n";
  return text;
}

std::string UrlOf(const FakeTransport::SentTask& task) {
  return nlohmann::json::parse(task.json)["url"];
}

std::string HostOf(const FakeTransport::SentTask& task) {
  std::string url = UrlOf(task);
  return url.substr(0, url.find('/', 7));
}

// "transient": the next reply failed, and may not fail again.
void Transient(TransportEvents& events, int slot, uint64_t seq, int64_t after_ms = -1) {
  events.OnMessage(slot, "{\"transient\":" + std::to_string(seq) +
                             ",\"after_ms\":" + std::to_string(after_ms) + "}");
}

class PolitenessTest : public SchedulerTest {
 protected:
  PolitenessTest() { options.politeness.fetch_retries = 0; }

  // Notes when each task was sent: at the time of the wait that first sees it.
  void NoteSends(FakeTransport& t) {
    for (int slot = 0; slot < t.slots(); ++slot)
      for (size_t i = noted[slot]; i < t.worker(slot).tasks.size(); ++i, ++noted[slot])
        sends.push_back({t.worker(slot).tasks[i], now});
  }
  // Moves the clock to the scheduler's next wake-up, or on by a step.
  void Advance(FakeTransport& t, milliseconds step = milliseconds(1)) {
    now = t.until != Clock::time_point::max() ? std::max(now + step, t.until) : now + step;
  }

  struct Send {
    FakeTransport::SentTask task;
    Clock::time_point at;
  };
  std::vector<Send> sends;
  std::map<int, size_t> noted;
};

TEST_F(PolitenessTest, MaxPerHostHoldsAcrossWorkersAndOtherHostsGoOn) {
  options.politeness.max_per_host = 2;
  std::vector<std::string> urls;
  for (int i = 0; i < 12; ++i) urls.push_back("http://a.test/" + std::to_string(i));
  for (int i = 0; i < 6; ++i) urls.push_back("http://b.test/" + std::to_string(i));
  std::vector<std::map<std::string, int>> in_flight_at_waits;
  script = [&](FakeTransport& t, TransportEvents& events) {
    std::map<std::string, int> in_flight;
    for (int slot = 0; slot < t.slots(); ++slot)
      for (size_t i = t.worker(slot).replied; i < t.worker(slot).tasks.size(); ++i)
        ++in_flight[HostOf(t.worker(slot).tasks[i])];
    in_flight_at_waits.push_back(in_flight);
    for (int slot = 0; slot < t.slots(); ++slot) {  // each replies to its oldest
      auto& w = t.worker(slot);
      if (w.replied < w.tasks.size()) FakeTransport::Reply(events, slot, w.tasks[w.replied++].seq);
    }
    Advance(t);
  };
  std::vector<nlohmann::json> lines = Run(Fetches(urls), /*slots=*/3);
  ASSERT_EQ(lines.size(), 18u);
  for (const auto& in_flight : in_flight_at_waits)
    for (const auto& [host, count] : in_flight) EXPECT_LE(count, 2) << host;
  EXPECT_EQ(in_flight_at_waits.front()["http://b.test"], 2)
      << "b.test starts at once although a.test's queue is ahead of it";
}

// A host that may take a request already waits for a worker with room: the
// scheduler must not ask to be woken at a time gone by, which would spin.
TEST_F(PolitenessTest, NeverAsksToWakeUpInThePast) {
  options.fetch.concurrency = 4;
  options.politeness.max_per_host = 2;  // a host at its cap opens again on a reply,
  std::vector<std::string> urls;         // while the worker's window has no room
  for (int i = 0; i < 60; ++i) urls.push_back("http://" + std::string(1, 'a' + i % 3) + ".test/");
  int past = 0, turn = 0;
  script = [&](FakeTransport& t, TransportEvents& events) {
    past += t.until <= now;
    auto& w = t.worker(0);
    if (++turn % 3 == 0 && w.replied < w.tasks.size())  // replies now and then
      FakeTransport::Reply(events, 0, w.tasks[w.replied++].seq);
    now += milliseconds(1);
  };
  std::vector<nlohmann::json> lines = Run(Fetches(urls));
  ASSERT_EQ(lines.size(), 60u);
  EXPECT_EQ(past, 0) << "of " << transport->waits << " waits";
}

TEST_F(PolitenessTest, DelaySpacesTheStartsToOneHostAcrossWorkers) {
  options.politeness.delay_min_ms = 100;
  options.politeness.delay_max_ms = 200;
  std::vector<std::string> urls;
  for (int i = 0; i < 6; ++i) urls.push_back("http://a.test/" + std::to_string(i));
  for (int i = 0; i < 3; ++i) urls.push_back("http://b.test/" + std::to_string(i));
  script = [&](FakeTransport& t, TransportEvents& events) {
    NoteSends(t);
    for (int slot = 0; slot < t.slots(); ++slot) ReplyToAll(t, events, slot);
    Advance(t);
  };
  std::vector<nlohmann::json> lines = Run(Fetches(urls), /*slots=*/2);
  ASSERT_EQ(lines.size(), 9u);
  std::map<std::string, std::vector<Clock::time_point>> starts;
  for (const Send& send : sends) starts[HostOf(send.task)].push_back(send.at);
  ASSERT_EQ(starts["http://a.test"].size(), 6u);
  for (const auto& [host, times] : starts)
    for (size_t i = 1; i < times.size(); ++i)
      EXPECT_GE(times[i] - times[i - 1], milliseconds(100)) << host << " request " << i;
  EXPECT_EQ(starts["http://b.test"].front(), starts["http://a.test"].front())
      << "each host is spaced on its own";
}

TEST_F(PolitenessTest, TransientFailuresAreRetriedWithGrowingBackoff) {
  options.politeness.fetch_retries = 2;
  script = [&](FakeTransport& t, TransportEvents& events) {
    NoteSends(t);
    auto& w = t.worker(0);
    while (w.replied < w.tasks.size()) {
      const FakeTransport::SentTask& task = w.tasks[w.replied++];
      if (task.attempt < 3) Transient(events, 0, task.seq);
      FakeTransport::Reply(events, 0, task.seq, /*ok=*/task.attempt == 3);
    }
    Advance(t);
  };
  std::vector<nlohmann::json> lines = Run(Fetches({"http://a.test/x"}));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0]["ok"].get<bool>());
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[2].task.attempt, 3);
  EXPECT_GE(sends[1].at - sends[0].at, milliseconds(500)) << "1 s, with jitter";
  EXPECT_GE(sends[2].at - sends[1].at, milliseconds(1000)) << "2 s, with jitter";
  EXPECT_EQ(summary.retried, 2u);
}

TEST_F(PolitenessTest, RetryAfterIsHonouredAndRetriesRunOut) {
  options.politeness.fetch_retries = 1;
  script = [&](FakeTransport& t, TransportEvents& events) {
    NoteSends(t);
    auto& w = t.worker(0);
    while (w.replied < w.tasks.size()) {
      uint64_t seq = w.tasks[w.replied++].seq;
      Transient(events, 0, seq, /*after_ms=*/5000);
      FakeTransport::Reply(events, 0, seq, /*ok=*/false);
    }
    Advance(t);
  };
  std::vector<nlohmann::json> lines = Run(Fetches({"http://a.test/x"}));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0]["ok"].get<bool>());
  ASSERT_EQ(sends.size(), 2u) << "one try and one retry";
  EXPECT_GE(sends[1].at - sends[0].at, milliseconds(5000));
}

TEST_F(PolitenessTest, FinalFailuresAreNotRetried) {
  options.politeness.fetch_retries = 2;
  script = [&](FakeTransport& t, TransportEvents& events) {
    NoteSends(t);
    auto& w = t.worker(0);
    while (w.replied < w.tasks.size())
      FakeTransport::Reply(events, 0, w.tasks[w.replied++].seq, /*ok=*/false);
    Advance(t);
  };
  Run(Fetches({"http://a.test/404"}));
  EXPECT_EQ(sends.size(), 1u);
}

// A worker's reply to the robots.txt request: the body, as the fetch task's
// "body" field asks.
void RobotsReply(TransportEvents& events, uint64_t seq, const std::string& body) {
  nlohmann::json line = {{"id", "robots.txt"}, {"ok", true},
                         {"result", {{"status", 200}, {"body", body}}}};
  FakeTransport::ReplyLine(events, 0, seq, true, line.dump());
}

TEST_F(PolitenessTest, RobotsTxtIsReadFirstAndObeyed) {
  options.politeness.robots = true;
  options.politeness.robots_token = "farm";
  script = [&](FakeTransport& t, TransportEvents& events) {
    NoteSends(t);
    auto& w = t.worker(0);
    while (w.replied < w.tasks.size()) {
      const FakeTransport::SentTask& task = w.tasks[w.replied++];
      if (UrlOf(task).ends_with("/robots.txt")) {
        RobotsReply(events, task.seq, "User-agent: *\nDisallow: /private/\n");
      } else {
        FakeTransport::Reply(events, 0, task.seq);
      }
    }
    Advance(t);
  };
  std::vector<nlohmann::json> lines =
      Run(Fetches({"http://a.test/x", "http://a.test/private/y", "http://a.test/z"}));
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_EQ(sends.size(), 3u) << "robots.txt, /x and /z";
  EXPECT_EQ(UrlOf(sends[0].task), "http://a.test/robots.txt");
  std::map<uint64_t, nlohmann::json> by_id;
  for (const nlohmann::json& line : lines) by_id[line["id"]] = line;
  EXPECT_TRUE(by_id[1]["ok"].get<bool>());
  EXPECT_EQ(by_id[2]["error"]["code"], "robots_disallowed");
  EXPECT_TRUE(by_id[3]["ok"].get<bool>());
}

TEST_F(PolitenessTest, UnreachableRobotsTxtDisallowsTheHost) {
  options.politeness.robots = true;
  script = [&](FakeTransport& t, TransportEvents& events) {
    NoteSends(t);
    auto& w = t.worker(0);
    while (w.replied < w.tasks.size()) {
      uint64_t seq = w.tasks[w.replied++].seq;
      Transient(events, 0, seq);  // a 503, say
      FakeTransport::Reply(events, 0, seq, false);
    }
    Advance(t);
  };
  std::vector<nlohmann::json> lines = Run(Fetches({"http://a.test/x", "http://a.test/y"}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(sends.size(), 1u) << "only robots.txt was asked for";
  for (const nlohmann::json& line : lines) EXPECT_EQ(line["error"]["code"], "robots_disallowed");
}

}  // namespace
}  // namespace farm
