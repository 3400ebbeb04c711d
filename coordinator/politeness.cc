#include "coordinator/politeness.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/json_parse.h"
#include "common/seconds.h"
#include "common/url.h"
#include "worker/redact_url.h"

namespace farm {
namespace {

constexpr double kBackoffBaseS = 1.0;
constexpr double kBackoffMaxS = 60.0;
// A server that asks for a longer pause is not waited for: the failure is final.
constexpr int64_t kMaxRetryAfterMs = 60'000;

// The URL of a fetch task, normalized; nullopt if it has none.
std::optional<std::string> TaskUrl(std::string_view task_json) {
  nlohmann::json task = ParseJson(task_json);
  auto url = task.is_object() ? task.find("url") : task.end();
  if (!task.is_object() || url == task.end() || !url->is_string()) return std::nullopt;
  return NormalizeUrl(url->get<std::string>());
}

}  // namespace

Politeness::Politeness(const PolitenessOptions& options, uint64_t seed)
    : options_(options), rng_(seed), spaced_(options.delay_max_ms > 0) {}

uint32_t Politeness::HostOf(std::string_view task_json) {
  std::optional<std::string> url = TaskUrl(task_json);
  if (!url) return 0;
  std::string origin = UrlOrigin(*url);
  auto [it, added] = numbers_.try_emplace(origin, static_cast<uint32_t>(hosts_.size() + 1));
  if (added) {
    hosts_.push_back({.origin = std::move(origin)});
    if (options_.robots) hosts_.back().robots = Robots::kUnknown;
  }
  return it->second;
}

void Politeness::Add(ScheduledTask task) {
  uint32_t id = task.host;
  hosts_[id - 1].waiting.push_back(std::move(task));
  ++waiting_;
  List(id, Clock::time_point{});
}

void Politeness::AddFirst(ScheduledTask task) {
  uint32_t id = task.host;
  if (!IsRobotsTask(task.seq)) ++waiting_;
  hosts_[id - 1].waiting.push_front(std::move(task));
  List(id, Clock::time_point{});
}

// A host that can't take a request whatever the time: at its cap, or
// reading its robots.txt (unless that request itself waits to go).
bool Politeness::Blocked(const Host& host) const {
  if (host.waiting.empty()) return true;
  if (options_.max_per_host > 0 && host.in_flight >= options_.max_per_host) return true;
  return host.robots == Robots::kFetching && !IsRobotsTask(host.waiting.front().seq);
}

// Puts host `id` where Take() finds it when it may take a request: ready_,
// or timed_ if it must wait for a time. A blocked host is listed again by
// what unblocks it (Finished, RobotsReply, Add).
void Politeness::List(uint32_t id, Clock::time_point now) {
  Host& host = hosts_[id - 1];
  if (host.listed || Blocked(host)) return;
  host.listed = true;
  if (host.next_start > now) {
    timed_.emplace(host.next_start, id);
  } else {
    ready_.push_back(id);
  }
}

Politeness::Next Politeness::Take(Clock::time_point now, ScheduledTask* task, std::string* why) {
  while (!timed_.empty() && timed_.top().first <= now) {
    ready_.push_back(timed_.top().second);
    timed_.pop();
  }
  while (!ready_.empty()) {
    uint32_t id = ready_.front();
    ready_.pop_front();
    Host& host = hosts_[id - 1];
    host.listed = false;
    if (Blocked(host) || host.next_start > now) {  // changed since it was listed
      List(id, now);
      continue;
    }
    if (host.robots == Robots::kUnknown) {
      host.robots = Robots::kFetching;
      host.waiting.push_front(RobotsTask(id));
    }
    *task = std::move(host.waiting.front());
    host.waiting.pop_front();
    if (!IsRobotsTask(task->seq)) --waiting_;
    if (host.robots == Robots::kKnown) {
      std::optional<std::string> url = TaskUrl(task->json);
      std::optional<std::string> rule;
      if (url && (rule = host.rules.DisallowedBy(UrlTarget(*url)))) {
        *why = host.robots_unreadable
                   ? host.origin + "/robots.txt could not be read, which forbids all (RFC 9309)"
                   : "robots.txt of " + host.origin + " forbids " + RedactPassword(*url) +
                         " (" + *rule + ")";
        List(id, now);
        return Next::kDisallowed;
      }
    }
    ++host.in_flight;
    host.last_start = now;
    host.next_start = now + Spacing(host);
    List(id, now);
    return Next::kTask;
  }
  return Next::kNone;
}

// The pause before the next request to `host` may start.
Clock::duration Politeness::Spacing(const Host& host) {
  double delay_ms = options_.delay_min_ms;
  if (options_.delay_max_ms > options_.delay_min_ms)  // draw only when there is a choice
    delay_ms = static_cast<double>(rng_.Between(static_cast<uint64_t>(options_.delay_min_ms),
                                                static_cast<uint64_t>(options_.delay_max_ms)));
  return SecondsDuration(std::max(delay_ms / 1000, host.crawl_delay_s));
}

void Politeness::Finished(uint32_t id) {
  --hosts_[id - 1].in_flight;
  List(id, Clock::time_point{});
}

void Politeness::Pause(uint32_t id, Clock::time_point until) {
  Host& host = hosts_[id - 1];
  host.next_start = std::max(host.next_start, until);  // Take() moves it to timed_
}

bool Politeness::WorthWaiting(int64_t after_ms) { return after_ms <= kMaxRetryAfterMs; }

Clock::duration Politeness::Backoff(int attempt, int64_t after_ms) {
  double backoff = std::min(kBackoffBaseS * std::exp2(attempt - 2), kBackoffMaxS);
  backoff *= 0.5 + rng_.NextDouble();  // jitter: retries of many tasks don't come back together
  return SecondsDuration(std::max(backoff, static_cast<double>(after_ms) / 1000));
}

// A longer robots.txt is read as far as RFC 9309 asks, not refused: its
// first kRobotsTxtMaxBytes and one byte more, by which RobotsRules::Parse
// sees it was cut and drops the line cut short.
ScheduledTask Politeness::RobotsTask(uint32_t id) {
  nlohmann::json task = {{"id", "robots.txt"},
                         {"type", "fetch"},
                         {"url", hosts_[id - 1].origin + "/robots.txt"},
                         {"save", false},
                         {"body", true},
                         {"max_bytes", kRobotsTxtMaxBytes + 1},
                         {"truncate", true}};
  return {.seq = kRobotsSeq + id, .json = task.dump(), .fetch = true, .host = id};
}

// RFC 9309: rules from a robots.txt that was read; none (allow all) when it
// is missing (4xx, or any final failure); allow nothing when it could not be
// reached (5xx, network failures, after their retries).
void Politeness::RobotsReply(uint64_t seq, bool ok, std::string_view result_line,
                             bool transient) {
  uint32_t id = static_cast<uint32_t>(seq - kRobotsSeq);
  Host& host = hosts_[id - 1];
  host.robots = Robots::kKnown;
  host.rules = transient ? RobotsRules::DisallowAll() : RobotsRules::AllowAll();
  host.robots_unreadable = transient;
  if (ok) {
    nlohmann::json line = nlohmann::json::parse(result_line, nullptr, false);
    const nlohmann::json* body = line.is_object() && line.contains("result")
                                     ? &line["result"]["body"]
                                     : nullptr;
    if (body != nullptr && body->is_string())
      host.rules = RobotsRules::Parse(body->get<std::string>(), options_.robots_token);
  }
  if (std::optional<double> delay = host.rules.crawl_delay_s()) {
    host.crawl_delay_s = *delay;  // from the robots.txt request's start on
    host.next_start = std::max(host.next_start, host.last_start + SecondsDuration(*delay));
    spaced_ = true;
  }
  List(id, Clock::time_point{});
}

size_t Politeness::DropWaiting() {
  size_t dropped = waiting_;
  for (Host& host : hosts_) host.waiting.clear();
  waiting_ = 0;
  return dropped;
}

Clock::time_point Politeness::NextOpening(Clock::time_point now) const {
  if (timed_.empty() || timed_.top().first <= now) return Clock::time_point::max();
  return timed_.top().first;
}

}  // namespace farm
