#pragma once

#include <span>
#include <string_view>

#include "common/exit_status.h"
#include "coordinator/help.h"

namespace farm {

// `farm export --db FILE [--run N] [--format jsonl|csv] [-o FILE]`: a run's
// rows (the newest by default) as result lines again, or as CSV.
ExitStatus ExportCommand(std::span<char* const> args);

inline constexpr std::string_view kExportUsage = "farm export --db FILE [OPTIONS]";

// `farm export --help`.
HelpPage ExportHelp();

}  // namespace farm
