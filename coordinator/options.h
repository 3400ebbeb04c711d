// The settings of one `farm run`, as parsed from its command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <farm/mode.h>

#include "common/fetch_settings.h"
#include "coordinator/halt.h"
#include "coordinator/result_sink.h"

namespace farm {

// enum class Mode: include/farm/mode.h, the library's too.

const char* ModeName(Mode mode);

// farm crawl's --max-per-host unless given: a crawl sends a site request
// after request, and a browser opens six connections to a host, Scrapy
// eight. farm run's fetches default to no limit: its URLs are the user's.
constexpr int kCrawlMaxPerHost = 8;

// How fetches treat the hosts they visit, for the whole run
// (coordinator/politeness.h).
struct PolitenessOptions {
  int max_per_host = 0;      // --max-per-host: requests in flight to one host; 0: unlimited
  int delay_min_ms = 0;      // --delay: between the starts of two requests to one host
  int delay_max_ms = 0;
  bool robots = false;       // --robots respect: read and obey each host's robots.txt
  int fetch_retries = 2;     // --fetch-retries: re-tries of a transient failure
  std::string robots_token;  // our name in robots.txt groups, from the User-Agent
};

struct RunOptions {
  std::string input = "-";  // "-" is standard input
  std::string output;       // empty is standard output
  int workers = 1;
  Mode mode = Mode::kProcess;
  uint64_t seed = 0;
  bool keep_order = false;
  int retries = 2;
  std::optional<double> task_timeout_s;
  bool resume = false;
  std::string urls;    // a file of plain URLs, one fetch task a line
  FetchSettings fetch;  // --out-dir, --concurrency, --user-agent, --header
  PolitenessOptions politeness;
  int max_tasks_per_worker = 0;  // 0: never recycle
  int memory_limit_mb = 0;       // 0: none
  bool progress = false;
  std::string summary_json;
  HaltPolicy halt;  // --halt
  std::string db;   // --db: results also go into this SQLite file
  // The command line, for the database's runs table.
  const char* command = "run";
  std::vector<std::string> arguments;
  bool allow_exec = false;  // --allow-exec: exec tasks may run commands
  // farm exec: the template its input lines become tasks by, and what it
  // shows of each result line as it is written (--output stdout).
  const class ExecTemplate* exec = nullptr;
  Echo echo;
};

}  // namespace farm
