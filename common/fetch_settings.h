// The run-wide settings of fetch tasks, handed to every worker when it
// starts. Plain values only, so the struct can travel in a message once
// workers live on other machines.
#pragma once

#include <string>

namespace farm {

struct FetchSettings {
  std::string out_dir = "downloads";  // where saved bodies go
  int concurrency = 8;                // transfers in flight at once in one worker
  int delay_min_ms = 0;               // politeness pause before each request,
  int delay_max_ms = 0;               //   drawn uniformly from the worker's RNG
  int max_per_host = 0;               // transfers in flight to one host; 0: unlimited
};

}  // namespace farm
