// A small command-line parser shared by farm's subcommands: long flags
// (--name value, --name=value), one-letter aliases (-j 4, -j4), positionals.
// A command's table of flags is the one place a flag is declared: the parser
// reads it, and the help is printed from it (coordinator/help.h).
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
  // The value's name in the help: "N", "FILE", "MIN:MAX", or the choices,
  // "jsonl|csv". Empty for a switch, which takes no value.
  std::string value = {};
  // One line for the help: what it does, and its default.
  std::string help = {};
  std::function<Status(std::string_view value)> apply = {};

  bool takes_value() const { return !value.empty(); }
};

// Flags under a title, as the help groups them ("fetch tasks"); a command's
// table may be several sections, and a section shared by several commands.
struct FlagSection {
  std::string title;
  std::vector<Flag> flags;
};

// Applies each flag in `args`; other words go to *positional. Unknown flags
// are errors, with a "did you mean" hint.
Status ParseFlags(std::span<char* const> args, std::span<const Flag> flags,
                  std::vector<std::string>* positional);

// The flags of every section, in order, for ParseFlags().
std::vector<Flag> AllFlags(std::span<const FlagSection> sections);

// `value` as one of `choices` ("jsonl|csv", as a Flag's value names them):
// its index, or an error naming `flag` and the choices.
Status ParseChoice(std::string_view flag, std::string_view choices, std::string_view value,
                   size_t* index);

// Strict number parsing: the whole text, within [min, max]. `flag` names
// the option in the error.
Status ParseInt(std::string_view flag, std::string_view text, int64_t min, int64_t max,
                int64_t* value);
Status ParseUint64(std::string_view flag, std::string_view text, uint64_t* value);
Status ParseDouble(std::string_view flag, std::string_view text, double min, double* value);

// Binds an int option: ParseInt into *target.
std::function<Status(std::string_view)> IntInto(std::string_view flag, int64_t min, int64_t max,
                                                 int* target);

// Binds an option whose value is one of `choices` ("a|b|c", as ParseChoice
// takes them): `set` gets the index of the one given.
std::function<Status(std::string_view)> ChoiceInto(std::string_view flag, std::string choices,
                                                    std::function<void(size_t index)> set);

// Binds an option that names a file or folder. An empty path is refused: it
// names nothing, and joined with a file name it would mean the root folder.
std::function<Status(std::string_view)> PathInto(std::string_view flag, std::string* target);

}  // namespace farm
