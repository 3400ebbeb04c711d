// Percent-encoding (RFC 3986 2.1), as URLs (common/url.cc) and robots.txt
// rules (coordinator/robots.cc) both normalize it.
#pragma once

#include <string>
#include <string_view>

namespace farm {

// The octet the escape "%XX" at `at` in `text` stands for; -1 if there is
// no valid escape there.
int EscapedOctetAt(std::string_view text, size_t at);

// RFC 3986 2.3: the characters an escape never needs to hide, so that their
// escapes (%7E, %2e) are the characters themselves.
bool IsUnreservedOctet(unsigned char c);

// Appends the escape of `c` with upper-case hex digits, as RFC 3986 2.1
// makes normal.
void AppendEscape(unsigned char c, std::string* out);

}  // namespace farm
