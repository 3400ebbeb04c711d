// The one canonical form of a task's id as JSON text (`7`, `"x"`): what its
// result line carries, what --resume matches, and what a task's own random
// stream is seeded from, so all of them agree. An integer is written in
// decimal, a string as AppendJsonString writes it; a task without a usable id
// is known by its line number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace farm {

// `id` must be a string or an integer.
std::string CanonicalIdOf(const nlohmann::json& id);

// The id of `task` (a parsed input line of line number `seq`) into *id_json:
// `seq` when it has none or is no object. False, with *id_json = `seq`, when
// its id is neither a string nor an integer.
bool CanonicalId(const nlohmann::json& task, uint64_t seq, std::string* id_json);

// What CanonicalId finds, for a line that IsValidJson accepted, by a scan
// of its top level instead of a parse tree: --resume reads millions of
// lines. False when the scan cannot tell and the line needs the parse: an
// escape in a key or the id, a repeated "id", an id that is a number but
// no small integer, or a string id with bytes outside printable ASCII.
bool ScanCanonicalId(std::string_view json, uint64_t seq, std::string* id_json);

// A task's id and type as JSON text, for a result line written outside a
// worker; type is `null` when it has none.
struct TaskIdentity {
  std::string id_json;
  std::string type_json;
};
TaskIdentity IdentifyTask(std::string_view task_json, uint64_t seq);

}  // namespace farm
