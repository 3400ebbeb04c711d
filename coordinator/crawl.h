// `farm crawl SEED...`: fetch pages, follow their links, within a scope.
#pragma once

#include <span>

#include "common/exit_status.h"

namespace farm {

ExitStatus CrawlCommand(std::span<char* const> args);

}  // namespace farm
