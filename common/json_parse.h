// nlohmann::json::parse for the hot paths: a worker parses every task, and
// a future every result. Such a line is almost always a flat object whose
// members are plain strings, small integers, booleans or null; that is
// parsed here straight into the value nlohmann would build, at about a
// third of nlohmann's cost. Anything else, valid or not, goes to nlohmann,
// so the result is nlohmann's in every case (tests/json_parse_test.cc and
// the fuzzer hold it to that).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace farm {

// A discarded value (is_discarded()) when `text` is not JSON.
nlohmann::json ParseJson(std::string_view text);

// The quick path alone: false where it gives up, and nlohmann decides.
bool ParseFlatJson(std::string_view text, nlohmann::json* value);

}  // namespace farm
