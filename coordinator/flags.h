// A small command-line parser shared by farm's subcommands: long flags
// (--name value, --name=value), one-letter aliases (-j 4, -j4), positionals.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace farm {

struct Flag {
  std::string_view name;  // "--workers"
  char alias = 0;         // 'j', or 0
  bool takes_value = true;
  std::function<Status(std::string_view value)> apply;
};

// Applies each flag in `args`; other words go to *positional. Unknown flags
// are errors, with a "did you mean" hint.
Status ParseFlags(std::span<char* const> args, std::span<const Flag> flags,
                  std::vector<std::string>* positional);

// Strict number parsing: the whole text, within [min, max]. `flag` names
// the option in the error.
Status ParseInt(std::string_view flag, std::string_view text, int64_t min, int64_t max,
                int64_t* value);
Status ParseUint64(std::string_view flag, std::string_view text, uint64_t* value);
Status ParseDouble(std::string_view flag, std::string_view text, double min, double* value);

// Binds an int option: ParseInt into *target.
std::function<Status(std::string_view)> IntInto(std::string_view flag, int64_t min, int64_t max,
                                                 int* target);

// Binds an option that names a file or folder. An empty path is refused: it
// names nothing, and joined with a file name it would mean the root folder.
std::function<Status(std::string_view)> PathInto(std::string_view flag, std::string* target);

}  // namespace farm
