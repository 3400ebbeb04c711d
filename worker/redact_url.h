// What farm writes of a URL: the password of a `user:password@` removed,
// since result lines and error messages end up in logs and shared files.
#pragma once

#include <string>
#include <string_view>

namespace farm {

// `url` with the password in its authority replaced by "***"
// ("http://ann:***@host/"); the user name stays. Unchanged when it has none.
std::string RedactPassword(std::string_view url);

}  // namespace farm
