// farm exec's command template: argv with GNU parallel's replacement strings,
// turned into one exec task line per input line, with no shell in between.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace farm {

class ExecTemplate {
 public:
  // `argv`: the command and its arguments as given after `--`. Without any
  // replacement string, {} is appended as the last argument, as GNU
  // parallel does.
  static Status Parse(std::vector<std::string> argv, ExecTemplate* exec);

  // Appends {"type":"exec","argv":[...]} for input line `line` (number
  // `seq`) to *out; {%} is left to the worker, which knows its slot
  // ("slot_at"). False if the line is not UTF-8, which JSON cannot carry.
  bool AppendTask(std::string_view line, uint64_t seq, std::string* out) const;

  // {} {.} {/} {//} {/.} {#} of `line`, for one replacement string's text
  // between the braces; false if it is none.
  static bool Replace(std::string_view name, std::string_view line, uint64_t seq, std::string* out);

 private:
  std::vector<std::string> argv_;
};

}  // namespace farm
