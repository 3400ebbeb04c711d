// `farm crawl SEED...`: fetch pages, follow their links, within a scope.
#pragma once

#include <span>
#include <string_view>

#include "common/exit_status.h"
#include "coordinator/help.h"

namespace farm {

inline constexpr std::string_view kCrawlUsage = "farm crawl [OPTIONS] SEED_URL...";

ExitStatus CrawlCommand(std::span<char* const> args);
// `farm crawl --help`.
HelpPage CrawlHelp();

}  // namespace farm
