// The run-wide settings of fetch tasks, handed to every worker when it
// starts. Plain values only, so the struct can travel in a message once
// workers live on other machines.
#pragma once

#include <string>
#include <vector>

namespace farm {

struct FetchSettings {
  std::string out_dir = "downloads";  // where saved bodies go
  int concurrency = 8;                // transfers in flight at once in one worker
  // Sent on every request; the coordinator fills in farm's default. Empty:
  // no User-Agent header at all.
  std::string user_agent;
  std::vector<std::string> headers;  // "Name: value", as curl -H takes them
  // The coordinator's, for the whole run; never sent to workers.
  int delay_min_ms = 0;  // politeness pause before each request,
  int delay_max_ms = 0;  //   drawn uniformly from the worker's RNG
  int max_per_host = 0;  // transfers in flight to one host; 0: unlimited
};

}  // namespace farm
