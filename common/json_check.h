// A strict JSON syntax check that allocates nothing for flat documents. The
// coordinator checks every input line and every worker reply on its hot
// path; a DOM parse there would cost more than the tasks it dispatches.
// It accepts exactly what nlohmann::json::accept() accepts (RFC 8259, UTF-8
// checked, \u surrogates paired, numbers within double's range), except a raw
// NUL byte, which nlohmann takes for the end of input; tests/json_check_test.cc
// holds it to that.
#pragma once

#include <string_view>

namespace farm {

bool IsValidJson(std::string_view text);

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8 (by the rules the check above applies inside strings), or npos.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace farm
