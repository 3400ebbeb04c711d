// A subcommand's help page, printed by `farm CMD --help`, `farm help CMD`
// and, all of them, `farm help` (which the man page is made from). Its flags
// are the very sections the command parses, so the help cannot miss one.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coordinator/flags.h"

namespace farm {

constexpr size_t kHelpWidth = 80;

struct Example {
  std::string_view command;  // "farm run -j 4 tasks.jsonl"
  std::string_view comment;  // what it does, a short line
};

struct HelpPage {
  // "farm run [OPTIONS] [FILE]", and any other forms, one a line.
  std::vector<std::string> usage = {};
  // Paragraphs after the usage, separated by blank lines; each is wrapped.
  std::vector<std::string> about = {};
  std::vector<FlagSection> sections = {};
  // Text sections printed as they are, after the flags: {title, text}.
  std::vector<std::pair<std::string, std::string>> notes = {};
  std::vector<Example> examples = {};
  // What the flags' actions write to: kept alive with the page, though the
  // help never applies a flag.
  std::shared_ptr<void> state = {};
};

// The page: usage, about, each section of flags in aligned columns, notes,
// examples ("  $ command", then what it does); no line longer than
// kHelpWidth, but for an example's command or a single long word.
std::string FormatHelp(const HelpPage& page);

// Each section's title, then its flags, one or more lines each:
// "  -j, --workers N   description"; the descriptions aligned in one column
// across the sections, and wrapped.
std::string FormatFlags(std::span<const FlagSection> sections);

// `left`, then `text` from `column` on, wrapped there: on the same line, or
// on the next when `left` leaves it less than two spaces.
std::string TwoColumns(std::string_view left, std::string_view text, size_t column);

// `text` wrapped at kHelpWidth, every line indented by `indent` spaces, the
// first by `first_indent`. No line starts with a word that starts with '-',
// which would read as a flag of its own.
std::string Wrap(std::string_view text, size_t indent, size_t first_indent);

}  // namespace farm
