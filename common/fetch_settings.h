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
  // --delay and --max-per-host are not here: they hold for the whole run, so
  // the coordinator keeps them (PolitenessOptions, coordinator/options.h).
};

}  // namespace farm
