// --resume: which tasks an earlier run already finished. Ids are compared as
// canonical JSON text (`7`, `"x"`), the way result lines print them; a task
// without an id has its line number as id, as everywhere else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace farm {

class ResumeSet {
 public:
  // Reads the result lines in the file at `path`; a missing file means
  // nothing is done yet. A torn last line (a crash in the middle of a write)
  // is ignored and cut off, so appended lines start on a fresh line. Lines
  // that are not results are ignored.
  Status Load(const std::string& path);

  // Whether the task with this id already has an "ok":true line. Says on
  // stderr if the input repeats the id.
  bool Done(const std::string& id_json, uint64_t line);

  uint64_t done_ids() const { return done_ids_; }
  uint64_t torn_bytes() const { return torn_bytes_; }
  uint64_t duplicates() const { return duplicates_; }

 private:
  enum : uint8_t { kDone = 1, kSeen = 2 };
  // Memory follows the ids done plus the ids read, under --resume only.
  std::unordered_map<std::string, uint8_t> ids_;
  uint64_t done_ids_ = 0;
  uint64_t torn_bytes_ = 0;
  uint64_t duplicates_ = 0;
};

// The canonical id of a parsed line: "id" if it is a string or an integer,
// else the line number.
std::string CanonicalId(const nlohmann::json& task, uint64_t line);

}  // namespace farm
