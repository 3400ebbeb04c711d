#pragma once

#include <span>

#include "common/exit_status.h"

namespace farm {

// `farm export --db FILE [--run N] [--format jsonl|csv] [-o FILE]`: a run's
// rows (the newest by default) as result lines again, or as CSV.
ExitStatus ExportCommand(std::span<char* const> args);

}  // namespace farm
