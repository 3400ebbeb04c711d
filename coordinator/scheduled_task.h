// A task as the scheduler hands it out: its input line and how often it ran.
#pragma once

#include <cstdint>
#include <string>

namespace farm {

struct ScheduledTask {
  uint64_t seq = 0;
  int attempt = 1;
  std::string json;
  bool fetch = false;  // waits on the network: many run at once in a worker
  uint32_t host = 0;   // its host's number in Politeness; 0: none
};

}  // namespace farm
